/// Text that may embed `${{ }}` expressions, such as `deploy-${{ github.ref }}`: the form of
/// workflow `concurrency.group`, `run-name` and job `name` values.
///
/// Read as GitHub reads it: an expression runs from `${{` to the first `}}` outside a single-quoted
/// string, and is trimmed of whitespace. Text around expressions is kept as written, so
/// `' ${{ true }}'` (with the leading space) is the string `" true"`, not a boolean; only a value
/// that is exactly one `${{ }}` evaluates to the expression's own value.
public struct TemplateString: Sendable {
    private enum Segment: Sendable {
        case literal(String)
        case expression(Expression, offset: Int)
    }

    /// A stretch of the text before its expression is parsed.
    private enum Piece {
        case literal(String)
        case expression(Range<Int>)
    }

    /// The text as given.
    public let source: String
    /// Top-level named values any of the expressions reads, lowercased.
    public let referencedNamedValues: Set<String>
    /// Whether an expression calls a status function (only possible with `allowingStatusFunctions`).
    public let callsStatusFunction: Bool
    private let segments: [Segment]

    /// Parses every embedded expression. Error offsets count from the start of `text`; the
    /// messages keep GitHub's wording, whose positions count within the expression.
    public init(parsing text: String, allowingStatusFunctions: Bool = false) throws(ExpressionError) {
        let scalars = Array(text.unicodeScalars)
        func string(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[range])) }

        var pieces: [Piece] = []
        var index = 0
        while let start = Self.openingIndex(in: scalars, from: index) {
            guard let end = Self.closingIndex(in: scalars, from: start + 3) else {
                throw ExpressionError(
                    message: "The expression is not closed. An unescaped ${{ sequence was found, but the closing }} sequence was not found.",
                    offset: start)
            }
            var inner = start + 3..<end - 1
            while !inner.isEmpty && scalars[inner.lowerBound].properties.isWhitespace { inner = inner.dropFirst() }
            while !inner.isEmpty && scalars[inner.upperBound - 1].properties.isWhitespace { inner = inner.dropLast() }
            guard !inner.isEmpty else { throw ExpressionError(message: "An expression was expected", offset: start) }
            if start > index { pieces.append(.literal(string(index..<start))) }
            pieces.append(.expression(inner))
            index = end + 1
        }
        if index < scalars.count { pieces.append(.literal(string(index..<scalars.count))) }

        // With text around it, GitHub evaluates `format('...', expr, ...)`: one level deeper.
        let maximumDepth = ExpressionLimits.maximumDepth - (pieces.count > 1 ? 1 : 0)
        var segments: [Segment] = []
        var names: Set<String> = []
        var callsStatus = false
        for piece in pieces {
            switch piece {
            case .literal(let text):
                segments.append(.literal(text))
            case .expression(let range):
                let expression: Expression
                do {
                    expression = try Expression(
                        parsing: string(range), maximumDepth: maximumDepth, allowingStatusFunctions: allowingStatusFunctions)
                } catch {
                    throw error.shifted(by: range.lowerBound)
                }
                names.formUnion(expression.referencedNamedValues)
                if expression.callsStatusFunction { callsStatus = true }
                segments.append(.expression(expression, offset: range.lowerBound))
            }
        }
        self.source = text
        self.segments = segments
        referencedNamedValues = names
        callsStatusFunction = callsStatus
    }

    /// True when the text contains no `${{ }}` at all.
    public var isLiteral: Bool {
        !segments.contains { if case .expression = $0 { true } else { false } }
    }

    /// The text with each expression replaced by its value as a string (``ExpressionValue/stringValue``:
    /// `null` → `""`, `true` → `"true"`, `1.0` → `"1"`, arrays and objects → `"Array"`/`"Object"`).
    public func evaluateAsString(in context: ExpressionContext) throws(ExpressionError) -> String {
        var memory = MemoryBudget()
        var result = ""
        for segment in segments {
            let piece: String
            switch segment {
            case .literal(let text):
                piece = text
            case .expression(let expression, let offset):
                do {
                    piece = try expression.evaluate(in: context, memory: &memory).stringValue
                } catch {
                    throw error.shifted(by: offset)
                }
            }
            guard memory.reserve(MemoryBudget.bytes(appending: piece, to: result)) else {
                throw MemoryBudget.exceeded(evaluating: source, at: 0)
            }
            result += piece
        }
        return result
    }

    /// When the text is exactly one `${{ expr }}`, the expression's own value (so
    /// `${{ github.ref == 'x' }}` is a boolean and `${{ matrix.list }}` an array); otherwise the
    /// interpolated string of ``evaluateAsString(in:)``.
    public func evaluate(in context: ExpressionContext) throws(ExpressionError) -> ExpressionValue {
        if segments.count == 1, case .expression(let expression, let offset) = segments[0] {
            do {
                return try expression.evaluate(in: context)
            } catch {
                throw error.shifted(by: offset)
            }
        }
        return .string(try evaluateAsString(in: context))
    }

    private static func openingIndex(in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start
        while index + 2 < scalars.count {
            if scalars[index] == "$" && scalars[index + 1] == "{" && scalars[index + 2] == "{" { return index }
            index += 1
        }
        return nil
    }

    /// The index of the second `}` of the first `}}` outside a quoted string. Toggling on every
    /// quote also handles the escaped quote `''`.
    private static func closingIndex(in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var inString = false
        for index in start..<scalars.count {
            if scalars[index] == "'" {
                inString.toggle()
            } else if !inString && scalars[index] == "}" && scalars[index - 1] == "}" {
                return index
            }
        }
        return nil
    }
}
