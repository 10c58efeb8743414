import ConcurrencySimulator
import Testing
import Workflows

@Suite struct WorkflowDefinitionTests {
    @Test func readsConcurrencyInBothForms() throws {
        let workflow = try WorkflowDefinition.parse("""
            name: Deploy
            on:
              push:
              workflow_call:
                inputs:
                  environment: { type: string, default: staging }
                  dry-run: { type: boolean, required: false }
            concurrency: deploy-${{ inputs.environment }}
            jobs:
              build:
                concurrency:
                  group: build-${{ github.ref }}
                  cancel-in-progress: true
              ship:
                needs: [build]
                concurrency:
                  group: ship
                  queue: max
            """, file: "deploy.yml")
        #expect(workflow.name == "Deploy")
        #expect(workflow.events == ["push", "workflow_call"])
        #expect(workflow.isCallable)
        #expect(workflow.callInputs.map(\.name) == ["environment", "dry-run"])
        #expect(workflow.callInputs.first?.defaultValue == .string("staging"))
        #expect(workflow.concurrency?.queue == .single)
        #expect(workflow.jobs.map(\.key) == ["build", "ship"])
        #expect(workflow.jobs[1].needs == ["build"])
        #expect(workflow.jobs[1].concurrency?.queue == .max)
        guard case .literal(true)? = workflow.jobs[0].concurrency?.cancelInProgress else {
            Issue.record("cancel-in-progress should be the literal true")
            return
        }
    }

    @Test func readsUsesTargets() {
        #expect(ReusableWorkflowTarget(parsing: "./.github/workflows/deploy.yml") == .local(file: "deploy.yml"))
        #expect(ReusableWorkflowTarget(parsing: "acme/infra/.github/workflows/deploy.yml@v2") == .remote(owner: "acme", repository: "infra", file: "deploy.yml", ref: "v2"))
        #expect(ReusableWorkflowTarget(parsing: "acme/infra/deploy.yml@v2") == nil)
        #expect(ReusableWorkflowTarget(parsing: "./deploy.yml") == nil)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let yaml: String
        let error: String
        var testDescription: String { error }
    }

    static let invalid: [Invalid] = [
        Invalid(yaml: "on: push\njobs:\n  a: [\n", error: "w.yml:4:1: invalid YAML: while parsing a flow node: did not find expected node content"),
        Invalid(yaml: "on: push\n", error: "w.yml:1:1: a workflow is missing 'jobs'"),
        Invalid(yaml: "on: push\njobs: {}\n", error: "w.yml:2:7: jobs must be a mapping with at least one job"),
        Invalid(yaml: "on: push\nconcurrency:\n  group: x\n  queue: fifo\njobs:\n  a: {}\n", error: "w.yml:4:10: queue must be one of single, max, not 'fifo'"),
        Invalid(yaml: "on: push\nconcurrency:\n  group: x\n  queue: max\n  cancel-in-progress: true\njobs:\n  a: {}\n", error: "w.yml:4:10: queue: max cannot be combined with cancel-in-progress: true"),
        Invalid(yaml: "on: push\njobs:\n  a:\n    needs: b\n", error: "w.yml:3:3: job 'a' needs 'b', which is not a job of this workflow"),
        Invalid(yaml: "on: push\njobs:\n  a:\n    needs: b\n  b:\n    needs: a\n", error: "w.yml:3:3: needs form a cycle: a -> b -> a"),
        Invalid(yaml: "on: push\nconcurrency: deploy-${{ matrix.os }}\njobs:\n  a: {}\n", error: "w.yml:2:14: Unrecognized named-value: 'matrix' in concurrency; available here: github, inputs, vars"),
        Invalid(yaml: "on: push\njobs:\n  a:\n    runs-on: x\n    timeout: 5\n", error: "w.yml:5:5: unknown key 'timeout' in job 'a'; allowed: name, needs, runs-on, steps, concurrency, strategy, uses, with, secrets, if, env, permissions, outputs, timeout-minutes, continue-on-error, container, services, environment, defaults"),
        Invalid(yaml: "on: push\njobs:\n  a:\n    uses: deploy.yml\n", error: "w.yml:4:11: uses must name a reusable workflow as ./.github/workflows/FILE or OWNER/REPO/.github/workflows/FILE@REF, not 'deploy.yml'"),
        Invalid(yaml: "on: push\njobs:\n  1a: {}\n", error: "w.yml:3:3: the job id '1a' is invalid: it must start with a letter or '_' and contain only letters, digits, '-' and '_'"),
        Invalid(yaml: "on: push\nconcurrency:\n  group: x\n  cancel-in-progress: maybe\njobs:\n  a: {}\n", error: "w.yml:4:23: cancel-in-progress must be true, false or an expression"),
    ]

    @Test(arguments: invalid)
    func anInvalidWorkflowIsRefusedWithItsPlace(_ invalid: Invalid) {
        do {
            _ = try WorkflowDefinition.parse(invalid.yaml, file: "w.yml")
            Issue.record("accepted an invalid workflow")
        } catch {
            #expect(error.description == invalid.error)
        }
    }

    @Test func aBadExpressionPointsIntoTheLine() {
        do {
            _ = try WorkflowDefinition.parse("on: push\nconcurrency: deploy-${{ github.ref == }}\njobs:\n  a: {}\n", file: "w.yml")
            Issue.record("accepted an invalid expression")
        } catch {
            #expect(error.line == 2)
            #expect(error.column > 14)
            #expect(error.message.hasPrefix("invalid expression in concurrency: "))
        }
    }
}
