import ConcurrencySimulator
import SourceDocuments
import StateDocuments
import Testing
import Workflows

/// `github.event`: GitHub's payload for the event, built from the trigger, with the trigger's own
/// payload deep-merged over it.
@Suite struct EventPayloadTests {
    let app = RepositoryKey(owner: "acme", name: "app")

    /// The most common group on GitHub, and a cancel-in-progress that depends on the event.
    static let ci = """
        name: CI
        on: [push, pull_request, pull_request_target, merge_group, release, workflow_dispatch, schedule, issue_comment, deployment]
        concurrency:
          group: ${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}
          cancel-in-progress: ${{ github.event_name == 'pull_request' }}
        jobs:
          review:
            concurrency:
              group: review-${{ github.event.pull_request.number }}-${{ github.head_ref }}-${{ github.base_ref }}
            runs-on: ubuntu-latest
            steps: [{ run: echo }]
        """

    func plan(_ trigger: TriggerEvent, source: String = EventPayloadTests.ci) throws -> RunPlan {
        var simulator = Simulator(now: Timestamp(rfc3339: "2026-01-15T16:00:00Z")!)
        try simulator.addRepository(owner: "acme", name: "app", visibility: .public)
        var state = MockState(simulator: simulator)
        try state.registerWorkflow(source, file: trigger.workflow, in: app)
        return try RunPlanner(registry: state.workflows, simulator: state.simulator).plan(trigger, in: app)
    }

    @Test func aPullRequestsNumberComesFromItsMergeRef() throws {
        let plan = try plan(TriggerEvent(
            workflow: "ci.yml", ref: "refs/pull/7/merge", event: "pull_request", headRef: "feature", baseRef: "main"))
        #expect(plan.concurrency == ConcurrencySettings(group: "CI-7", cancelInProgress: true))
        #expect(plan.jobs.first?.concurrencyWhenReady(in: plan)?.group == "review-7-feature-main")
    }

    @Test func aPushFallsBackToTheRefAndHasNoPullRequest() throws {
        let plan = try plan(TriggerEvent(workflow: "ci.yml", ref: "refs/heads/main", event: "push"))
        #expect(plan.concurrency == ConcurrencySettings(group: "CI-refs/heads/main", cancelInProgress: false))
        #expect(plan.jobs.first?.concurrencyWhenReady(in: plan)?.group == "review---")
    }

    @Test func aGivenPayloadIsMergedOverTheBuiltOneAndDecidesHeadAndBase() throws {
        let plan = try plan(TriggerEvent(
            workflow: "ci.yml", ref: "refs/pull/7/merge", event: "pull_request_target", headRef: "ignored",
            payload: ["pull_request": ["number": 42, "head": ["ref": "fix-42"], "base": ["ref": "release"]]]))
        #expect(plan.concurrency == ConcurrencySettings(group: "CI-42", cancelInProgress: false))
        #expect(plan.jobs.first?.concurrencyWhenReady(in: plan)?.group == "review-42-fix-42-release")
    }

    @Test(arguments: [
        ("push", "${{ github.event.ref }} ${{ github.event.after }} ${{ github.event.head_commit.id }} ${{ github.event.before }}",
         "refs/heads/main abc abc 0000000000000000000000000000000000000000"),
        ("push", "${{ github.event.repository.full_name }} ${{ github.event.repository.owner.login }} ${{ github.event.sender.login }}",
         "acme/app acme mona"),
        ("pull_request", "${{ github.event.action }} ${{ github.event.pull_request.head.sha }}", "synchronize abc"),
        ("workflow_dispatch", "${{ github.event.inputs.target }} ${{ github.event.ref }}", "prod refs/heads/main"),
        ("merge_group", "${{ github.event.action }} ${{ github.event.merge_group.head_sha }}", "checks_requested abc"),
        ("release", "${{ github.event.action }} ${{ github.event.release.tag_name }}", "published main"),
        ("issue_comment", "${{ github.event.action }} ${{ github.event.issue.number }}", "created 1"),
        ("deployment", "${{ github.event.deployment.id == null }} ${{ github.event.sender.login }}", "true mona"),
    ])
    func eachEventHasGitHubsPayload(event: String, group: String, expected: String) throws {
        let source = """
            on: [\(event)]
            concurrency:
              group: '\(group)'
            jobs:
              go: {}
            """
        let plan = try plan(
            TriggerEvent(workflow: "w.yml", ref: "refs/heads/main", event: event, actor: "mona", sha: "abc",
                         payload: event == "workflow_dispatch" ? ["inputs": ["target": "prod"]] : nil),
            source: source)
        #expect(plan.concurrency?.group == expected)
    }
}
