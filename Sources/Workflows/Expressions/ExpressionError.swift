/// Why an expression could not be parsed or evaluated: the message GitHub would show and where.
///
/// `offset` is a 0-based index into the text that was parsed (counted in Unicode scalars, which is
/// the UTF-16 index GitHub reports for any text without emoji or other astral characters). For
/// syntax errors the message also names the 1-based position within the expression, exactly as
/// GitHub phrases it: `Unexpected symbol: ')'. Located at position 5 within expression: 1 < )`.
/// Inside a ``TemplateString`` the offset counts from the start of the whole text while the
/// message keeps GitHub's position within the expression.
public struct ExpressionError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public let offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }

    /// The same error at a position counted from `base` further left (an expression inside a template).
    func shifted(by base: Int) -> ExpressionError {
        ExpressionError(message: message, offset: offset + base)
    }
}

/// The bounds that keep hostile input from exhausting the stack, memory or time. Each one is
/// GitHub's own (from its expression engine), so anything GitHub accepts is accepted here.
public enum ExpressionLimits {
    /// Longest expression, in characters.
    public static let maximumLength = 21_000
    /// Deepest syntax tree: `!`, `.`, `[ ]`, comparisons and function calls each add a level;
    /// a run of `&&` (or of `||`) is one level. Parentheses add none on GitHub; here more than this
    /// many nested groupings is refused as well, since each one costs stack while parsing.
    public static let maximumDepth = 50
    /// Bytes of strings and arrays one evaluation may build (`format`, `join`, `toJSON`, `.*`),
    /// counted as GitHub counts them: 26 + 2 per UTF-16 unit for a string, 24 + 8 per element for
    /// an array.
    public static let maximumMemory = 1_048_576
    /// Deepest nesting of arrays and objects `fromJSON` reads.
    public static let maximumJSONDepth = 100
}
