import FuzzDriver
import Workflows

/// The contexts a job-level expression sees, with nested arrays and objects, a hyphenated key
/// and control characters, so property access, `*` filters and `toJSON` have something to walk.
let context = ExpressionContext([
    "github": ["ref": "refs/heads/main", "event_name": "push", "run_number": 42,
               "event": ["pull_request": ["number": 7, "labels": [["name": "bug"], ["name": "ci"]]]]],
    "matrix": ["os": "ubuntu-latest", "node": 20, "list": [[1, 2], [3], "x"]],
    "needs": ["build": ["result": "success", "outputs": ["version": "1.2.3"]]],
    "inputs": ["dry-run": false, "count": " 3 "],
    "vars": ["Region": "eu"],
    "text": "tab\there\u{1}\u{2028}",
])

/// libFuzzer entry point: the input is parsed and evaluated, as a bare expression (the text of
/// an `if:`) and as a template with `${{ }}` (a `concurrency.group`), through the lexer, the
/// parser and the evaluator. Beyond not crashing: every error's offset lies within the text.
@main
enum ExpressionFuzzing {
    static func main() {
        runLibFuzzer { data, size in fuzzExpression(inputBytes(data, size)) }
    }
}

func fuzzExpression(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
    let text = String(decoding: input, as: UTF8.self)
    let length = text.unicodeScalars.count
    do {
        _ = try Expression(parsing: text).evaluate(in: context)
    } catch {
        guard (0...max(length, ExpressionLimits.maximumLength)).contains(error.offset) else {
            fatalError("offset \(error.offset) outside an expression of \(length) scalars: \(error.message)")
        }
    }
    do {
        _ = try TemplateString(parsing: text).evaluateAsString(in: context)
    } catch {
        guard (0...max(length, ExpressionLimits.maximumLength)).contains(error.offset) else {
            fatalError("offset \(error.offset) outside a template of \(length) scalars: \(error.message)")
        }
    }
    return 0
}
