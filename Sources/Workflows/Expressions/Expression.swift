/// A parsed expression: the text inside `${{ }}`, or a bare `if:`-style condition.
///
/// Parsing follows GitHub's grammar and reports GitHub's messages with the position of the first
/// problem: `Unexpected symbol: ')'. Located at position 5 within expression: 1 < )`. Names of
/// functions are checked (`Unrecognized function: 'foo'. ...`); names of values are not, since
/// which contexts a field allows is the caller's rule.
///
/// The language: literals `null`, `true`, `false`, numbers (`1`, `-2.5`, `.5`, `1e3`, `0xff`,
/// `0o17`, `NaN`, `Infinity`) and strings in single quotes (`'it''s'`); named values and property
/// access (`github.ref`, `github['ref']`, `matrix.list[0]`, `needs.*.result`); `!`, `<`, `<=`,
/// `>`, `>=`, `==`, `!=`, `&&`, `||` and parentheses; and the functions `contains`, `startsWith`,
/// `endsWith`, `format`, `join`, `toJSON`, `fromJSON` and `case`. Names, functions and string
/// comparisons ignore case; `true`, `false`, `null`, `NaN` and `Infinity` do not.
public struct Expression: Sendable {
    /// The text as given.
    public let source: String
    /// Top-level named values the expression reads, lowercased (`["github", "matrix"]`), for
    /// checking them against the contexts a workflow field allows.
    public let referencedNamedValues: Set<String>
    /// Whether it calls `success()`, `failure()`, `cancelled()` or `always()`.
    public let callsStatusFunction: Bool
    private let scalars: [Unicode.Scalar]
    private let root: SyntaxNode

    /// Parses `source`, refusing text longer than ``ExpressionLimits/maximumLength`` or deeper
    /// than ``ExpressionLimits/maximumDepth``; error offsets count from the start of `source`.
    public init(parsing source: String) throws(ExpressionError) {
        try self.init(parsing: source, maximumDepth: ExpressionLimits.maximumDepth)
    }

    /// Parses a job's `if:` condition, where the status functions are allowed.
    public init(parsingCondition source: String) throws(ExpressionError) {
        try self.init(parsing: source, maximumDepth: ExpressionLimits.maximumDepth, allowingStatusFunctions: true)
    }

    /// `maximumDepth` is one less inside a template with text around its expressions, which
    /// GitHub evaluates as one `format(...)` call around them.
    init(parsing source: String, maximumDepth: Int, allowingStatusFunctions: Bool = false) throws(ExpressionError) {
        let scalars = Array(source.unicodeScalars)
        guard scalars.count <= ExpressionLimits.maximumLength else {
            throw ExpressionError(message: "Exceeded max expression length \(ExpressionLimits.maximumLength)",
                                  offset: ExpressionLimits.maximumLength)
        }
        var parser = Parser(source, scalars: scalars, maximumDepth: maximumDepth)
        parser.allowsStatusFunctions = allowingStatusFunctions
        root = try parser.parse()
        referencedNamedValues = parser.namedValues
        callsStatusFunction = parser.callsStatusFunction
        self.source = source
        self.scalars = scalars
    }

    /// The expression's value with GitHub's semantics: `&&` and `||` yield an operand, not
    /// necessarily a boolean; property access on anything missing yields `null`; comparisons are
    /// loose (see ``ExpressionValue/numberValue``). Errors come from functions (`fromJSON` on
    /// invalid JSON, a bad `format` string, a `case` predicate that is not a boolean) and from
    /// building more than ``ExpressionLimits/maximumMemory`` bytes.
    public func evaluate(in context: ExpressionContext) throws(ExpressionError) -> ExpressionValue {
        var memory = MemoryBudget()
        return try evaluate(in: context, memory: &memory)
    }

    /// Evaluates within a budget shared with the other expressions of a template.
    func evaluate(in context: ExpressionContext, memory: inout MemoryBudget) throws(ExpressionError) -> ExpressionValue {
        var evaluation = Evaluation(context: context, scalars: scalars, memory: memory)
        defer { memory = evaluation.memory }
        return try evaluation.evaluate(root).value
    }
}
