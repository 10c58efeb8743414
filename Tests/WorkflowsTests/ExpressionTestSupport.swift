import Workflows

/// Contexts shaped like the ones a workflow run sees, with the edge cases the tables need:
/// nested arrays, a hyphenated name, a mixed-case key, a numeric key, control characters.
let sampleContext = ExpressionContext([
    "github": [
        "ref": "refs/heads/main",
        "event_name": "push",
        "run_number": 42,
        "event": ["pull_request": ["number": 7, "labels": [["name": "bug"], ["name": "ci"]]]],
    ],
    "matrix": ["os": "ubuntu-latest", "node": 20, "list": [[1, 2], [3], "x"]],
    "needs": [
        "build": ["result": "success", "outputs": ["version": "1.2.3"]],
        "test": ["result": "failure", "outputs": [:]],
    ],
    "inputs": ["dry-run": false, "count": " 3 "],
    "vars": ["Region": "eu", "ids": ["1": "one"]],
    "text": "tab\there\u{1}\u{2028}",
])

func evaluate(_ source: String, in context: ExpressionContext = sampleContext) throws -> ExpressionValue {
    try Expression(parsing: source).evaluate(in: context)
}

/// The error parsing or evaluating `source` raises, or nil.
func failure(of source: String, in context: ExpressionContext = sampleContext) -> ExpressionError? {
    do {
        _ = try Expression(parsing: source).evaluate(in: context)
        return nil
    } catch {
        return error
    }
}

/// GitHub's wording for syntax errors, which repeats the expression.
func syntaxMessage(_ what: String, _ symbol: String, at position: Int, in source: String) -> String {
    "\(what): '\(symbol)'. Located at position \(position) within expression: \(source)"
}
