import ConcurrencySimulator
import Foundation
import MockHTTP
import Server
import Testing

/// Random sequences of operations, from fixed seeds, through `MockServer.respond` as a client
/// would send them: triggers of workflows that between them reach every queue rule, job
/// completions (success and failure), run completions and cancellations, re-runs (all jobs or
/// the failed ones, each giving the jobs it starts new ids), clock moves, and export → import. After every step the simulator's invariants hold (debug builds also check
/// them inside every operation) and export → import → export gives the same bytes; every few
/// steps the three GitHub endpoints must agree with each other.
@Suite struct ModelBasedTests {
    static let steps = 1_000
    /// How often the endpoints are compared: each comparison reads every group and run page.
    static let agreementInterval = 25
    /// Small, so the sequences exercise retention too and the run pages to compare stay few.
    static let retainedCompletedRuns = 40

    /// `queue: single` (by ref), `queue: max` (which a burst fills to its refusal),
    /// cancel-in-progress, job-level groups with `needs`, a `uses:` job with a group of its own
    /// calling a workflow whose group is a reusable-workflow lease, and a deadlock. Jobs share the
    /// groups `shared` and `deploy` across workflows, so the rules meet in one queue.
    static let workflows: [(file: String, yaml: String)] = [
        ("single.yml", "on: push\nconcurrency: single-${{ github.ref_name }}\njobs:\n  build: {}\n  test: { needs: build }\n"),
        ("max.yml", "on: push\nconcurrency: { group: max, queue: max }\njobs:\n  build: {}\n"),
        ("cancel.yml", "on: push\nconcurrency: { group: 'cancel-${{ github.ref_name }}', cancel-in-progress: true }\njobs:\n  build: {}\n"),
        ("jobs.yml", "on: push\njobs:\n  build: { concurrency: shared }\n  deploy: { needs: build, concurrency: { group: deploy, queue: max } }\n"),
        ("called.yml", "on:\n  workflow_call:\n    inputs:\n      target: { type: string, required: true }\nconcurrency: called-${{ inputs.target }}\njobs:\n  work: { concurrency: shared }\n"),
        ("caller.yml", "on: push\njobs:\n  call:\n    concurrency: caller\n    uses: ./.github/workflows/called.yml\n    with: { target: '${{ github.ref_name }}' }\n"),
        ("deadlock.yml", "on: push\nconcurrency: locked\njobs:\n  inner: { concurrency: locked }\n"),
    ]
    static let refs = ["refs/heads/main", "refs/heads/dev"]

    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomOperationsKeepTheInvariantsAndTheEndpointsInAgreement(seed: UInt64) throws {
        let driver = try Driver(retainedCompletedRuns: Self.retainedCompletedRuns)
        for workflow in Self.workflows { driver.workflow(workflow.file, workflow.yaml) }
        var random = SeededGenerator(seed: seed)
        var reasons: Set<String> = []
        for step in 1...Self.steps {
            let operation = randomStep(&random, driver)
            let violations = driver.server.simulator.invariantViolations()
            try #require(violations == [], "seed \(seed), step \(step) (\(operation)): \(violations)")
            reasons.formUnion(cancellationReasons(driver))
            if step % Self.agreementInterval == 0 {
                try checkAgreement(driver, context: "seed \(seed), step \(step) (\(operation))")
            }
        }
        // The rules the sequence must have reached, by the annotations they leave.
        for reason in ["higher priority waiting request", "already holds 100 pending", "deadlock was detected", "canceled by @concurrency-mock", "skipped"] {
            #expect(reasons.contains { $0.contains(reason) }, "seed \(seed) never produced '\(reason)'")
        }
    }

    /// One random operation; answers what it was, for failure messages.
    private func randomStep(_ random: inout SeededGenerator, _ driver: Driver) -> String {
        let simulator = driver.server.simulator
        let repository = simulator.repository(owner: "acme", name: "app")!
        let roll = random.next(below: 100)
        switch roll {
        case 0..<35:
            let workflow = ["single.yml", "max.yml", "max.yml", "cancel.yml", "jobs.yml", "caller.yml", "deadlock.yml"][random.next(below: 7)]
            let ref = Self.refs[random.next(below: Self.refs.count)]
            trigger(driver, workflow, ref)
            return "trigger \(workflow) on \(ref)"
        case 35..<37:
            // A burst fills `queue: max` past its 100 pending requests, to its refusal.
            for _ in 0..<40 { trigger(driver, "max.yml", "refs/heads/main") }
            return "40 triggers of max.yml"
        case 37..<72:
            let running = repository.jobs.values.filter { $0.status == .inProgress && !$0.callsReusableWorkflow }.map(\.id).sorted()
            guard !running.isEmpty else { return "nothing to complete" }
            let job = running[random.next(below: running.count)]
            let conclusion = random.next(below: 5) == 0 ? "failure" : "success"
            let answer = driver.send("POST", "/_mock/repos/acme/app/jobs/\(job)/complete", #"{"conclusion":"\#(conclusion)"}"#)
            #expect(answer.status == 200, "complete job \(job): \(answer.text)")
            return "complete job \(job) with \(conclusion)"
        case 72..<77, 77..<85:
            let open = repository.runs.values.filter { $0.status != .completed }.map(\.id).sorted()
            guard !open.isEmpty else { return "no open run" }
            let run = open[random.next(below: open.count)]
            let action = roll < 77 ? "complete" : "cancel"
            let answer = driver.send("POST", "/_mock/repos/acme/app/runs/\(run)/\(action)")
            #expect(answer.status == 200, "\(action) run \(run): \(answer.text)")
            return "\(action) run \(run)"
        case 85..<89:
            // A re-run of a completed run: all its jobs, or its failed ones (422 without any).
            let completed = repository.runs.values.filter { $0.status == .completed }.map(\.id).sorted()
            guard !completed.isEmpty else { return "no completed run" }
            let run = completed[random.next(below: completed.count)]
            let failedOnly = random.next(below: 2) == 0
            let hasFailed = repository.runs[run]!.jobs.compactMap { repository.jobs[$0] }.contains {
                !$0.callsReusableWorkflow && ($0.conclusion == .failure || $0.conclusion == .cancelled)
            }
            let answer = driver.send("POST", "/_mock/repos/acme/app/runs/\(run)/rerun", #"{"failed_only":\#(failedOnly)}"#)
            #expect(answer.status == (failedOnly && !hasFailed ? 422 : 200), "re-run run \(run): \(answer.text)")
            return "re-run \(failedOnly ? "the failed jobs of " : "")run \(run)"
        case 89..<95:
            let seconds = 1 + random.next(below: 120)
            #expect(driver.send("POST", "/_mock/clock/advance", #"{"seconds":\#(seconds)}"#).status == 200)
            return "advance the clock by \(seconds) s"
        default:
            let exported = driver.send("GET", "/_mock/state").text
            let imported = driver.send("PUT", "/_mock/state", exported)
            #expect(imported.status == 200, "import: \(imported.text)")
            #expect(driver.send("GET", "/_mock/state").text == exported, "export → import → export changed the document")
            return "export and import"
        }
    }

    private func trigger(_ driver: Driver, _ workflow: String, _ ref: String) {
        let answer = driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"\#(workflow)","ref":"\#(ref)"}"#)
        #expect(answer.status == 201, "trigger \(workflow): \(answer.text)")
    }

    /// The annotations of every cancelled run and job, and `skipped` once a job was skipped
    /// because a job it needs failed (which leaves no annotation).
    private func cancellationReasons(_ driver: Driver) -> [String] {
        let repository = driver.server.simulator.repository(owner: "acme", name: "app")!
        let skipped = repository.jobs.values.contains { $0.conclusion == .skipped } ? ["skipped"] : []
        return repository.runs.values.compactMap(\.cancelledBy?.message) + repository.jobs.values.compactMap(\.cancelledBy?.message) + skipped
    }

    /// A member of a queue as the endpoints show it.
    private struct Member: Hashable, CustomStringConvertible {
        let group: String
        let run: Int
        let job: Int?
        let position: Int
        let status: String
        var description: String { "\(group)#\(position): run \(run) job \(job.map(String.init) ?? "-") \(status)" }
    }

    /// The list endpoint's groups (all pages), each group's members by the get-group endpoint,
    /// and every run's page must describe the same queues, with the same totals.
    private func checkAgreement(_ driver: Driver, context: String) throws {
        var listed: [String] = []
        var target: String? = "/repos/acme/app/actions/concurrency_groups?per_page=7"
        while let next = target {
            let page = driver.send("GET", next)
            try #require(page.status == 200, "\(context): \(page.text)")
            try #require(page.json["total_count"] as? Int != nil)
            listed += page.groupNames
            target = page.links["next"]
        }
        let active = driver.server.simulator.repository(owner: "acme", name: "app")!.activeGroupKeys.count
        #expect(listed.count == active, "\(context): the list pages show \(listed.count) groups of \(active)")
        #expect(Set(listed).count == listed.count, "\(context): a group is listed twice: \(listed)")

        var fromGroups: Set<Member> = []
        for name in listed {
            let group = driver.send("GET", "/repos/acme/app/actions/concurrency_groups/\(URLEncoding.percentEncodeSegment(name))")
            try #require(group.status == 200, "\(context): \(group.text)")
            let members = group.json["group_members"] as? [[String: Any]] ?? []
            #expect(group.json["total_count"] as? Int == members.count, "\(context): \(name)'s total_count")
            #expect(!members.isEmpty, "\(context): the active group \(name) has no members")
            for (position, member) in members.enumerated() {
                fromGroups.insert(Member(
                    group: name, run: member["run_id"] as? Int ?? -1, job: member["job_id"] as? Int, position: position,
                    status: member["status"] as? String ?? ""))
            }
        }

        var fromRuns: Set<Member> = []
        let runs = driver.server.simulator.repository(owner: "acme", name: "app")!.runs.keys.map(\.rawValue).sorted()
        for run in runs {
            let page = driver.send("GET", "/repos/acme/app/actions/runs/\(run)/concurrency_groups?per_page=100")
            try #require(page.status == 200, "\(context): run \(run): \(page.text)")
            let groups = page.json["concurrency_groups"] as? [[String: Any]] ?? []
            #expect(page.json["total_count"] as? Int == groups.count, "\(context): run \(run)'s total_count")
            for group in groups {
                let name = group["group_name"] as? String ?? ""
                for member in group["group_members"] as? [[String: Any]] ?? [] {
                    #expect(member["run_id"] as? Int == run, "\(context): run \(run)'s page shows another run in \(name)")
                    fromRuns.insert(Member(
                        group: name, run: run, job: member["job_id"] as? Int, position: member["position"] as? Int ?? -1,
                        status: member["status"] as? String ?? ""))
                }
            }
        }
        #expect(fromGroups == fromRuns, "\(context): only in the groups: \(fromGroups.subtracting(fromRuns).sorted { $0.description < $1.description }); only on the run pages: \(fromRuns.subtracting(fromGroups).sorted { $0.description < $1.description })")
    }
}

/// The server's seeded generator, so each seed replays the same steps.
extension SeededGenerator {
    /// A number in `0..<bound`.
    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
