/// One token of an expression, with the text GitHub quotes in its messages.
struct Token {
    enum Kind: Equatable {
        case openParenthesis, closeParenthesis, openBracket, closeBracket, comma, dot, star
        case not
        case binary(BinaryOperator)
        case null
        case boolean(Bool)
        case number(Double)
        case string(String)
        /// A keyword right after `.`: always a property name, even `true` or `null`.
        case propertyName
        /// A keyword followed (after any whitespace) by `(`.
        case functionName
        /// Any other keyword: a named value such as `github`.
        case namedValue
    }

    let kind: Kind
    let text: String
    /// Index of the first scalar in the expression.
    let offset: Int
    /// Index just past the last scalar.
    let end: Int
}

/// The binary operators.
enum BinaryOperator: Equatable, Sendable {
    case or, and
    case comparison(ComparisonOperator)

    /// Binding strength, loosest first, in GitHub's order: `||`, `&&`, `==` `!=`, `<` `<=` `>` `>=`
    /// (then `!`, then `.` `[ ]`, which the grammar handles by structure).
    var precedence: Int {
        switch self {
        case .or: return 1
        case .and: return 2
        case .comparison(.equal), .comparison(.notEqual): return 3
        case .comparison: return 4
        }
    }
}

enum ComparisonOperator: Sendable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
}

/// Splits an expression into tokens the way GitHub's lexer does, so that malformed text is
/// reported as the same "symbol" GitHub reports: a keyword or number runs to the next boundary
/// character (`1*2` is the single bad symbol `1*2`, `..github/x` is `..github/x`).
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private let source: String
    private var index = 0
    private var previous: Token.Kind?

    init(_ source: String, scalars: [Unicode.Scalar]) {
        self.source = source
        self.scalars = scalars
    }

    /// The next token, nil at the end, or an "Unexpected symbol" error for text that is no token.
    mutating func next() throws(ExpressionError) -> Token? {
        while index < scalars.count && scalars[index].properties.isWhitespace { index += 1 }
        guard index < scalars.count else { return nil }
        let start = index
        let kind: Token.Kind
        switch scalars[index] {
        case "(": kind = .openParenthesis; index += 1
        case ")": kind = .closeParenthesis; index += 1
        case "[": kind = .openBracket; index += 1
        case "]": kind = .closeBracket; index += 1
        case ",": kind = .comma; index += 1
        case "*": kind = .star; index += 1
        case "'": kind = try readString()
        case "!", "<", ">", "=", "&", "|": kind = try readOperator()
        case "." where !previousAdmitsOperand:
            kind = .dot; index += 1
        case ".", "+", "-", "0"..."9": kind = try readNumber()
        default: kind = try readKeyword()
        }
        previous = kind
        return Token(kind: kind, text: text(from: start), offset: start, end: index)
    }

    /// After these (or at the start) an operand must come, so a `.` begins a number like `.5`
    /// rather than dereferencing.
    private var previousAdmitsOperand: Bool {
        switch previous {
        case nil, .openParenthesis, .openBracket, .comma, .not, .binary: return true
        default: return false
        }
    }

    private func text(from start: Int) -> String {
        String(String.UnicodeScalarView(scalars[start..<index]))
    }

    /// Whitespace and punctuation end a keyword or number; `*` and `'` do not.
    private func isBoundary(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "(", "[", ")", "]", ",", ".", "!", ">", "<", "=", "&", "|": return true
        default: return scalar.properties.isWhitespace
        }
    }

    private mutating func readString() throws(ExpressionError) -> Token.Kind {
        let start = index
        var value = String.UnicodeScalarView()
        index += 1
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == "'" {
                guard index < scalars.count && scalars[index] == "'" else { return .string(String(value)) }
                index += 1  // '' stands for one quote
            }
            value.append(scalar)
        }
        throw unexpectedSymbol(from: start)
    }

    private mutating func readOperator() throws(ExpressionError) -> Token.Kind {
        let start = index
        if index + 1 < scalars.count, let binary = Self.twoScalarOperator(scalars[index], scalars[index + 1]) {
            index += 2
            return .binary(binary)
        }
        index += 1
        switch scalars[start] {
        case "!": return .not
        case "<": return .binary(.comparison(.less))
        case ">": return .binary(.comparison(.greater))
        default:
            // A lone `=`, `&` or `|` swallows the rest of its word: `=2` is the symbol GitHub quotes.
            while index < scalars.count && !isBoundary(scalars[index]) { index += 1 }
            throw unexpectedSymbol(from: start)
        }
    }

    private static func twoScalarOperator(_ first: Unicode.Scalar, _ second: Unicode.Scalar) -> BinaryOperator? {
        switch (first, second) {
        case ("=", "="): return .comparison(.equal)
        case ("!", "="): return .comparison(.notEqual)
        case ("<", "="): return .comparison(.lessOrEqual)
        case (">", "="): return .comparison(.greaterOrEqual)
        case ("&", "&"): return .and
        case ("|", "|"): return .or
        default: return nil
        }
    }

    private mutating func readNumber() throws(ExpressionError) -> Token.Kind {
        let start = index
        index += 1
        while index < scalars.count && (!isBoundary(scalars[index]) || scalars[index] == ".") { index += 1 }
        let value = NumberText.parse(text(from: start))
        guard !value.isNaN else { throw unexpectedSymbol(from: start) }
        return .number(value)
    }

    private mutating func readKeyword() throws(ExpressionError) -> Token.Kind {
        let start = index
        index += 1
        while index < scalars.count && !isBoundary(scalars[index]) { index += 1 }
        let word = text(from: start)
        guard Self.isLegalKeyword(scalars[start..<index]) else { throw unexpectedSymbol(from: start) }
        if previous == .dot { return .propertyName }
        switch word {
        // Literal keywords are case-sensitive: `TRUE` is a named value.
        case "null": return .null
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "NaN": return .number(.nan)
        case "Infinity": return .number(.infinity)
        default:
            var lookahead = index
            while lookahead < scalars.count && scalars[lookahead].properties.isWhitespace { lookahead += 1 }
            return lookahead < scalars.count && scalars[lookahead] == "(" ? .functionName : .namedValue
        }
    }

    /// `[A-Za-z_][A-Za-z0-9_-]*`
    private static func isLegalKeyword(_ word: ArraySlice<Unicode.Scalar>) -> Bool {
        func isLetter(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
        }
        guard let first = word.first, isLetter(first) else { return false }
        return word.dropFirst().allSatisfy { isLetter($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    private func unexpectedSymbol(from start: Int) -> ExpressionError {
        .syntax("Unexpected symbol", symbol: text(from: start), offset: start, in: source)
    }
}

extension ExpressionError {
    /// GitHub's syntax error form: `<what>: '<symbol>'. Located at position <1-based> within expression: <text>`.
    static func syntax(_ what: String, symbol: String, offset: Int, in expression: String) -> ExpressionError {
        ExpressionError(
            message: "\(what): '\(symbol)'. Located at position \(offset + 1) within expression: \(expression)",
            offset: offset)
    }
}
