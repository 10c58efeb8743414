/// A parsed expression. `source` ranges (in scalars) name a node's text in memory-limit messages.
indirect enum SyntaxNode: Sendable {
    case literal(ExpressionValue)
    /// A top-level name such as `github`, lowercased (names ignore case).
    case namedValue(String)
    /// `*` right after `[` or `.`. As an index it selects every element; evaluated on its own
    /// (`a[* || 'x']`) it is the string `*`, as on GitHub.
    case wildcard
    /// `base.name`, `base[key]`, `base.*`, `base[*]`.
    case index(base: SyntaxNode, key: SyntaxNode, source: Range<Int>)
    case not(SyntaxNode)
    /// Two or more operands; `a && (b && c)` is one node, as GitHub flattens it.
    case and([SyntaxNode])
    case or([SyntaxNode])
    /// `==`, `!=`, `<`, `<=`, `>`, `>=`.
    case comparison(ComparisonOperator, SyntaxNode, SyntaxNode)
    case call(BuiltInFunction, arguments: [SyntaxNode], source: Range<Int>)
}

/// Recursive descent over GitHub's grammar (precedence, loosest first: `||`, `&&`, `==` `!=`,
/// `<` `<=` `>` `>=`, `!`, then `.` `[ ]` and calls). Tokens are read one at a time, left to right,
/// so the first problem in the text is the one reported, as on GitHub.
struct Parser {
    private var lexer: Lexer
    private let source: String
    private let maximumDepth: Int
    private var peeked: Token??
    private var lastToken: Token?
    private var groupingDepth = 0
    private(set) var namedValues: Set<String> = []
    /// Whether `success()`, `failure()`, `cancelled()` and `always()` parse (only in `if:`).
    var allowsStatusFunctions = false
    /// Whether the expression calls one of them.
    private(set) var callsStatusFunction = false

    /// A subtree with what the depth check needs: its height (a leaf is 1) and where it lies.
    private struct Parsed {
        var node: SyntaxNode
        var height: Int
        var start: Int
        var end: Int
    }

    init(_ source: String, scalars: [Unicode.Scalar], maximumDepth: Int) {
        lexer = Lexer(source, scalars: scalars)
        self.source = source
        self.maximumDepth = maximumDepth
    }

    mutating func parse() throws(ExpressionError) -> SyntaxNode {
        guard try peek() != nil else { throw ExpressionError(message: "An expression was expected", offset: 0) }
        let root = try parseBinary(loosest: 1, depth: 1)
        if let extra = try peek() { throw unexpectedSymbol(extra) }
        return root.node
    }

    // MARK: Grammar

    /// `depth` is the least depth (root = 1) at which this subtree's root will sit; every check
    /// below is against it, so deep input fails before it can recurse further.
    private mutating func parseBinary(loosest: Int, depth: Int) throws(ExpressionError) -> Parsed {
        var left = try parseUnary(depth: depth)
        while let token = try peek(), case .binary(let op) = token.kind, op.precedence >= loosest {
            consume()
            // Operands keep the operator's own depth: `a && (b && c)` flattens into one level.
            let right = try parseBinary(loosest: op.precedence + 1, depth: depth)
            left = try combine(op, left, right, at: token, depth: depth)
        }
        return left
    }

    private mutating func combine(
        _ op: BinaryOperator, _ left: Parsed, _ right: Parsed, at token: Token, depth: Int
    ) throws(ExpressionError) -> Parsed {
        let node: SyntaxNode
        let childHeight: Int
        switch op {
        case .and:
            let (l, r) = (andOperands(left), andOperands(right))
            node = .and(l.nodes + r.nodes)
            childHeight = max(l.height, r.height)
        case .or:
            let (l, r) = (orOperands(left), orOperands(right))
            node = .or(l.nodes + r.nodes)
            childHeight = max(l.height, r.height)
        case .comparison(let comparison):
            node = .comparison(comparison, left.node, right.node)
            childHeight = max(left.height, right.height)
        }
        return try make(node, childHeight: childHeight, from: left.start, to: right.end, depth: depth, at: token)
    }

    private func andOperands(_ parsed: Parsed) -> (nodes: [SyntaxNode], height: Int) {
        if case .and(let operands) = parsed.node { return (operands, parsed.height - 1) }
        return ([parsed.node], parsed.height)
    }

    private func orOperands(_ parsed: Parsed) -> (nodes: [SyntaxNode], height: Int) {
        if case .or(let operands) = parsed.node { return (operands, parsed.height - 1) }
        return ([parsed.node], parsed.height)
    }

    private mutating func parseUnary(depth: Int) throws(ExpressionError) -> Parsed {
        guard let token = try peek() else { throw unexpectedEnd() }
        guard depth <= maximumDepth else { throw depthExceeded(at: token.offset) }
        guard token.kind == .not else { return try parsePostfix(depth: depth) }
        consume()
        let operand = try parseUnary(depth: depth + 1)
        return try make(.not(operand.node), childHeight: operand.height, from: token.offset, to: operand.end,
                        depth: depth, at: token)
    }

    private mutating func parsePostfix(depth: Int) throws(ExpressionError) -> Parsed {
        let (primary, admitsPostfix) = try parsePrimary(depth: depth)
        guard admitsPostfix else { return primary }
        var parsed = primary
        while let token = try peek() {
            let key: Parsed
            let end: Int
            switch token.kind {
            case .dot:
                consume()
                guard let name = try peek() else { throw unexpectedEnd() }
                switch name.kind {
                case .propertyName: key = leaf(.literal(.string(name.text)), name)
                case .star: key = leaf(.wildcard, name)
                default: throw unexpectedSymbol(name)
                }
                consume()
                end = name.end
            case .openBracket:
                consume()
                key = try parseBinary(loosest: 1, depth: depth + 1)
                end = try expect(.closeBracket).end
            default:
                return parsed
            }
            parsed = try make(.index(base: parsed.node, key: key.node, source: parsed.start..<end),
                              childHeight: max(parsed.height, key.height), from: parsed.start, to: end,
                              depth: depth, at: token)
        }
        return parsed
    }

    /// A literal, name, call, group or wildcard, and whether `.` and `[` may follow it
    /// (not after a bare literal: `'a'.b` is a syntax error on GitHub, `('a').b` is not).
    private mutating func parsePrimary(depth: Int) throws(ExpressionError) -> (Parsed, admitsPostfix: Bool) {
        guard let token = try peek() else { throw unexpectedEnd() }
        let follows = lastToken?.kind
        consume()
        switch token.kind {
        case .null: return (leaf(.literal(.null), token), false)
        case .boolean(let value): return (leaf(.literal(.bool(value)), token), false)
        case .number(let value): return (leaf(.literal(.number(value)), token), false)
        case .string(let value): return (leaf(.literal(.string(value)), token), false)
        case .namedValue:
            let name = token.text.lowercased()
            namedValues.insert(name)
            return (leaf(.namedValue(name), token), true)
        case .functionName:
            return (try parseCall(token, depth: depth), true)
        case .openParenthesis:
            groupingDepth += 1
            guard groupingDepth <= maximumDepth else { throw depthExceeded(at: token.offset) }
            var inner = try parseBinary(loosest: 1, depth: depth)
            let close = try expect(.closeParenthesis)
            groupingDepth -= 1
            (inner.start, inner.end) = (token.offset, close.end)
            return (inner, true)
        case .star where follows == .openBracket:
            return (leaf(.wildcard, token), true)
        default:
            throw unexpectedSymbol(token)
        }
    }

    private mutating func parseCall(_ name: Token, depth: Int) throws(ExpressionError) -> Parsed {
        guard let function = BuiltInFunction(named: name.text), allowsStatusFunctions || !function.isStatusFunction else {
            throw .syntax("Unrecognized function", symbol: name.text, offset: name.offset, in: source)
        }
        if function.isStatusFunction { callsStatusFunction = true }
        let open = try expect(.openParenthesis)
        let (arguments, close) = try parseArguments(depth: depth + 1)
        // Checked once the call is closed, and reported at its `(`, as GitHub does.
        if let problem = function.arityProblem(argumentCount: arguments.count) {
            throw .syntax(problem, symbol: open.text, offset: open.offset, in: source)
        }
        let source = name.offset..<close.end
        return try make(.call(function, arguments: arguments.map(\.node), source: source),
                        childHeight: arguments.map(\.height).max() ?? 0, from: name.offset, to: close.end,
                        depth: depth, at: name)
    }

    /// The arguments after a call's `(`, and the `)` that closes them.
    private mutating func parseArguments(depth: Int) throws(ExpressionError) -> ([Parsed], close: Token) {
        var arguments: [Parsed] = []
        if let close = try peek(), close.kind == .closeParenthesis {
            consume()
            return (arguments, close)
        }
        while true {
            arguments.append(try parseBinary(loosest: 1, depth: depth))
            guard let separator = try peek() else { throw unexpectedEnd() }
            consume()
            switch separator.kind {
            case .comma: continue
            case .closeParenthesis: return (arguments, separator)
            default: throw unexpectedSymbol(separator)
            }
        }
    }

    // MARK: Helpers

    private func leaf(_ node: SyntaxNode, _ token: Token) -> Parsed {
        Parsed(node: node, height: 1, start: token.offset, end: token.end)
    }

    /// A new node over children at most `childHeight` tall, refused when its deepest leaf would
    /// lie deeper than the limit.
    private func make(
        _ node: SyntaxNode, childHeight: Int, from start: Int, to end: Int, depth: Int, at token: Token
    ) throws(ExpressionError) -> Parsed {
        let height = childHeight + 1
        guard depth + height - 1 <= maximumDepth else { throw depthExceeded(at: token.offset) }
        return Parsed(node: node, height: height, start: start, end: end)
    }

    private mutating func peek() throws(ExpressionError) -> Token? {
        if let peeked { return peeked }
        let token = try lexer.next()
        peeked = .some(token)
        return token
    }

    /// Takes the token `peek()` returned.
    private mutating func consume() {
        if case .some(.some(let token)) = peeked { lastToken = token }
        peeked = nil
    }

    @discardableResult
    private mutating func expect(_ kind: Token.Kind) throws(ExpressionError) -> Token {
        guard let token = try peek() else { throw unexpectedEnd() }
        guard token.kind == kind else { throw unexpectedSymbol(token) }
        consume()
        return token
    }

    private func unexpectedSymbol(_ token: Token) -> ExpressionError {
        .syntax("Unexpected symbol", symbol: token.text, offset: token.offset, in: source)
    }

    /// GitHub names the last token read when the text stops where more was needed.
    private func unexpectedEnd() -> ExpressionError {
        .syntax("Unexpected end of expression", symbol: lastToken?.text ?? "", offset: lastToken?.offset ?? 0,
                in: source)
    }

    private func depthExceeded(at offset: Int) -> ExpressionError {
        ExpressionError(message: "Exceeded max expression depth \(ExpressionLimits.maximumDepth)", offset: offset)
    }
}
