import ConcurrencySimulator
import SourceDocuments
import Testing
import Workflows

/// The status functions and a job's `if:`, decided by `WorkflowJobGate` when the job becomes ready.
@Suite struct JobConditionTests {
    typealias Status = ExpressionContext.JobStatus

    @Test(arguments: [
        ("success()", Status(success: true, failure: false, cancelled: false), true),
        ("success()", Status(success: false, failure: true, cancelled: false), false),
        ("failure()", Status(success: false, failure: true, cancelled: false), true),
        ("failure()", Status(success: true, failure: false, cancelled: false), false),
        ("cancelled()", Status(success: false, failure: false, cancelled: true), true),
        ("cancelled()", Status(success: true, failure: false, cancelled: false), false),
        ("always()", Status(success: false, failure: true, cancelled: true), true),
        ("ALWAYS() && !Success()", Status(success: false, failure: true, cancelled: false), true),
        ("failure() || cancelled()", Status(success: false, failure: false, cancelled: true), true),
    ] as [(String, Status, Bool)])
    func statusFunctionsAnswerFromTheJobStatus(source: String, status: Status, value: Bool) throws {
        let expression = try Expression(parsingCondition: source)
        #expect(expression.callsStatusFunction)
        #expect(try expression.evaluate(in: ExpressionContext([:], jobStatus: status)) == .bool(value))
    }

    @Test(arguments: ["success()", "failure()", "cancelled()", "always()"])
    func statusFunctionsAreUnrecognizedOutsideIf(source: String) {
        #expect(throws: ExpressionError.self) { try Expression(parsing: source) }
        do {
            _ = try Expression(parsing: source)
        } catch {
            #expect(error.message.hasPrefix("Unrecognized function: '\(source.dropLast(2))'"))
        }
    }

    @Test func statusFunctionsTakeNoArguments() {
        #expect(throws: ExpressionError.self) { try Expression(parsingCondition: "always(1)") }
        #expect(!((try? Expression(parsingCondition: "github.ref == 'x'"))?.callsStatusFunction ?? true))
    }

    @Test(arguments: [
        ("on: push\nconcurrency: ${{ success() }}\njobs:\n  a: {}\n", "t.yml:2:18: invalid expression in concurrency: Unrecognized function: 'success'. Located at position 1 within expression: success()"),
        ("on: push\njobs:\n  a:\n    strategy: { matrix: { os: [x] } }\n    if: matrix.os == 'x'\n", "t.yml:5:9: Unrecognized named-value: 'matrix' in if; available here: github, inputs, needs, vars"),
        ("on: push\njobs:\n  a:\n    if: always(\n", "t.yml:4:9: invalid expression in if: Unexpected end of expression: '('. Located at position 7 within expression: always("),
        ("on: push\njobs:\n  a:\n    if: [x]\n", "t.yml:4:9: if must be a string or a boolean"),
    ])
    func badConditionsAreRefusedWhenTheWorkflowIsRegistered(source: String, message: String) {
        do {
            _ = try WorkflowDefinition.parse(source, file: "t.yml")
            Issue.record("parsed")
        } catch {
            #expect(error.description == message)
        }
    }

    static func gate(_ condition: String?, group: String? = nil) throws -> WorkflowJobGate {
        try WorkflowJobGate(parts: .init(
            file: "t.yml", condition: condition, group: group,
            needs: [.init(name: "build", keys: ["build (1)", "build (2)"]), .init(name: "test", keys: ["test"])],
            context: #"{"github": {"actor": "dependabot[bot]", "run_attempt": "1"}}"#))
    }

    static func input(_ build: [Conclusion], _ test: Conclusion, failed: Bool = false, cancelled: Bool = false, outputs: [String: String] = [:]) -> JobGateInput {
        JobGateInput(
            needs: build.enumerated().map { .init(key: "build (\($0.offset + 1))", result: $0.element, outputs: outputs) }
                + [.init(key: "test", result: test, outputs: [:])],
            ancestorFailed: failed, ancestorCancelled: cancelled, attempt: 3)
    }

    @Test(arguments: [
        // No if: GitHub's default success().
        (nil, input([.success, .success], .success), JobGateDecision.run(nil)),
        (nil, input([.success, .failure], .skipped, failed: true), .skip(needsFailed: true)),
        // An if: without a status function means success() && (...).
        ("github.actor != 'dependabot[bot]'", input([.success, .success], .success), .skip(needsFailed: false)),
        ("${{ github.actor == 'dependabot[bot]' }}", input([.success, .success], .success), .run(nil)),
        ("github.actor == 'dependabot[bot]'", input([.success, .success], .skipped), .skip(needsFailed: true)),
        // Status functions replace the default.
        ("always()", input([.failure, .success], .skipped, failed: true), .run(nil)),
        ("failure()", input([.success, .success], .skipped, failed: true), .run(nil)),
        ("failure()", input([.success, .success], .skipped), .skip(needsFailed: false)),
        ("cancelled()", input([.success, .success], .cancelled, cancelled: true), .run(nil)),
        // needs.<job>.result of a matrix job's legs together, and the real results.
        ("always() && needs.build.result == 'failure' && needs.test.result == 'skipped'", input([.success, .failure], .skipped, failed: true), .run(nil)),
        ("always() && needs.build.result == 'skipped'", input([.skipped, .skipped], .success), .run(nil)),
        ("needs.build.outputs.go == 'yes'", input([.success, .success], .success, outputs: ["go": "yes"]), .run(nil)),
        ("github.run_attempt == 3", input([.success, .success], .success), .run(nil)),
        ("fromJSON('x')", input([.success, .success], .success), .fail("Error when evaluating 'if': Error parsing fromJson: 'x' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0.")),
    ] as [(String?, JobGateInput, JobGateDecision)])
    func aGateDecidesFromTheNeedsResults(condition: String?, input: JobGateInput, decision: JobGateDecision) throws {
        #expect(try Self.gate(condition).decide(input) == decision)
    }

    @Test func aDeferredGroupSeesNeedsOutputsAndTheAttempt() throws {
        let gate = try Self.gate(nil, group: "deploy-${{ needs.build.outputs.env }}-${{ github.run_attempt }}")
        #expect(gate.defersConcurrency)
        #expect(gate.decide(Self.input([.success, .success], .success, outputs: ["env": "prod"]))
            == .run(ConcurrencySettings(group: "deploy-prod-3")))
        #expect(try Self.gate(nil, group: "${{ needs.build.outputs.missing }}").decide(Self.input([.success], .success))
            == .fail("the concurrency group evaluated to an empty string"))
    }
}
