/// A value of GitHub Actions' expression language.
///
/// `==` on this type is structural equality, meant for tests and bookkeeping. The language's own
/// comparison (loose, case-insensitive, arrays and objects never equal) is what `==` inside an
/// expression does; see ``Expression``.
public indirect enum ExpressionValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ExpressionValue])
    /// Keys keep their order (for `toJSON`); lookups ignore case, as GitHub's do.
    case object([(key: String, value: ExpressionValue)])

    public static func == (lhs: ExpressionValue, rhs: ExpressionValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

// Literal forms, so contexts read like the JSON they model:
// `["github": ["ref": "refs/heads/main", "run_number": 7]]`.

extension ExpressionValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension ExpressionValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
}

extension ExpressionValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .number(value) }
}

extension ExpressionValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension ExpressionValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: ExpressionValue...) { self = .array(elements) }
}

extension ExpressionValue: ExpressibleByDictionaryLiteral {
    /// Keeps the written order of the pairs.
    public init(dictionaryLiteral elements: (String, ExpressionValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}
