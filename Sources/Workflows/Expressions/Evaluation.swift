/// A subexpression's value, and whether it came from a wildcard (`.*` or `[*]`).
///
/// GitHub keeps a wildcard's result apart from ordinary arrays: indexing it again indexes each
/// element (`needs.*.result` is every job's result, `matrix.list.*[0]` every element's first item),
/// and the mark travels with the value through `&&`, `||` and `case`, which hand back an operand.
struct Evaluated {
    var value: ExpressionValue
    var isFilteredArray = false
}

/// Tracks the bytes of strings and arrays one evaluation builds, so a hostile expression such as
/// nested `format('{0}{0}{0}', ...)` fails with GitHub's message instead of exhausting memory.
/// Nothing is given back while evaluating, which is stricter than GitHub (it releases what
/// finished subexpressions held) only for expressions building close to a megabyte.
struct MemoryBudget {
    private var usedBytes = 0

    static func bytes(ofString text: String) -> Int { 26 + 2 * text.utf16.count }
    static func bytes(ofArrayWith count: Int) -> Int { 24 + 8 * count }
    /// What adding `piece` to a string being built costs: the string's overhead comes with its first piece.
    static func bytes(appending piece: String, to result: String) -> Int {
        result.isEmpty ? bytes(ofString: piece) : 2 * piece.utf16.count
    }

    /// Adds `bytes`; false once the total passes the limit.
    mutating func reserve(_ bytes: Int) -> Bool {
        usedBytes += bytes
        return usedBytes <= ExpressionLimits.maximumMemory
    }

    /// GitHub's message, naming the (sub)expression that was building.
    static func exceeded(evaluating expression: String, at offset: Int) -> ExpressionError {
        ExpressionError(
            message: "The maximum allowed memory size was exceeded while evaluating the following expression: \(expression)",
            offset: offset)
    }
}

/// Evaluates a syntax tree against named values.
struct Evaluation {
    let context: ExpressionContext
    /// The expression's text, for naming a subexpression in messages.
    let scalars: [Unicode.Scalar]
    var memory: MemoryBudget

    mutating func evaluate(_ node: SyntaxNode) throws(ExpressionError) -> Evaluated {
        switch node {
        case .literal(let value):
            return Evaluated(value: value)
        case .namedValue(let name):
            return Evaluated(value: context.value(named: name) ?? .null)
        case .wildcard:
            return Evaluated(value: .string("*"))
        case .index(let base, let key, let source):
            return try index(base, by: key, source: source)
        case .not(let operand):
            return Evaluated(value: .bool(!(try evaluate(operand).value.isTruthy)))
        case .and(let operands):
            // The first falsy operand, else the last: `a && b` yields a value, not a boolean.
            var result = Evaluated(value: .null)
            for operand in operands {
                result = try evaluate(operand)
                if !result.value.isTruthy { break }
            }
            return result
        case .or(let operands):
            var result = Evaluated(value: .null)
            for operand in operands {
                result = try evaluate(operand)
                if result.value.isTruthy { break }
            }
            return result
        case .comparison(let op, let left, let right):
            let leftValue = try evaluate(left).value
            let rightValue = try evaluate(right).value
            return Evaluated(value: .bool(LooseComparison.evaluate(op, leftValue, rightValue)))
        case .call(let function, let arguments, let source):
            return try call(function, arguments, source: source)
        }
    }

    /// Counts `bytes` built by the subexpression at `source` against the memory limit.
    mutating func charge(_ bytes: Int, building source: Range<Int>) throws(ExpressionError) {
        guard memory.reserve(bytes) else {
            throw MemoryBudget.exceeded(evaluating: String(String.UnicodeScalarView(scalars[source])),
                                        at: source.lowerBound)
        }
    }

    // MARK: Indexing

    private mutating func index(
        _ baseNode: SyntaxNode, by keyNode: SyntaxNode, source: Range<Int>
    ) throws(ExpressionError) -> Evaluated {
        let base = try evaluate(baseNode)
        let isWildcard = if case .wildcard = keyNode { true } else { false }
        // Like GitHub, the key is only evaluated when there is a collection to apply it to.
        guard !base.value.isPrimitive else {
            return isWildcard ? try filtered([], building: source) : Evaluated(value: .null)
        }
        let key = isWildcard ? nil : try evaluate(keyNode).value
        if base.isFilteredArray, case .array(let items) = base.value {
            return try filtered(items.flatMap { Self.elements(of: $0, at: key) }, building: source)
        }
        guard let key else { return try filtered(Self.elements(of: base.value, at: nil), building: source) }
        return Evaluated(value: Self.elements(of: base.value, at: key).first ?? .null)
    }

    private mutating func filtered(
        _ elements: [ExpressionValue], building source: Range<Int>
    ) throws(ExpressionError) -> Evaluated {
        try charge(MemoryBudget.bytes(ofArrayWith: elements.count), building: source)
        return Evaluated(value: .array(elements), isFilteredArray: true)
    }

    /// What `key` selects in `collection`: every element for nil (the wildcard), else the element
    /// at that position or under that name if there is one. Other values have no elements.
    private static func elements(of collection: ExpressionValue, at key: ExpressionValue?) -> [ExpressionValue] {
        switch collection {
        case .array(let items):
            guard let key else { return items }
            guard let position = arrayPosition(key), position < items.count else { return [] }
            return [items[position]]
        case .object(let pairs):
            guard let key else { return pairs.map(\.value) }
            guard key.isPrimitive, let value = collection.member(key.stringValue) else { return [] }
            return [value]
        default:
            return []
        }
    }

    /// GitHub's array index: the key as a number, rounded down; none if NaN, negative or past `Int32`.
    private static func arrayPosition(_ key: ExpressionValue) -> Int? {
        let number = key.numberValue.rounded(.down)
        guard !number.isNaN, number >= 0, number <= Double(Int32.max) else { return nil }
        return Int(number)
    }
}
