import FuzzDriver
import Workflows

/// libFuzzer entry point: the input as a workflow file (YAML), through the document limits,
/// the workflow schema, `concurrency`, `strategy.matrix` and every embedded expression.
@main
enum WorkflowFuzzing {
    static func main() {
        runLibFuzzer { data, size in fuzzWorkflow(inputBytes(data, size)) }
    }
}

func fuzzWorkflow(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
    let text = String(decoding: input, as: UTF8.self)
    _ = try? WorkflowDefinition.parse(text, file: "fuzz.yml")
    return 0
}
