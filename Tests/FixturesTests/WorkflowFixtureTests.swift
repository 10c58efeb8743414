import ConcurrencySimulator
import Foundation
import SourceDocuments
import StateDocuments
import Testing
import Workflows

/// The workflow-based fixtures of `Fixtures/`: each reaches its queues by registering workflow
/// files and replaying `events:` through the simulator's rules. These tests pin the exact state
/// each one ends in, so a change to the rules (or to a fixture) shows up here.
@Suite struct WorkflowFixtureTests {
    /// What one fixture must end in.
    struct Expectation: Sendable, CustomTestStringConvertible {
        let file: String
        let repository: (owner: String, name: String)
        let now: String
        /// Each active group (display name) → its members in queue order:
        /// `"100 in_progress"` for a workflow-level item, `"100/1001 job pending"` or
        /// `"100/1001 reusable_workflow in_progress"` for items tied to a job.
        let queues: [String: [String]]
        /// Each active group → when its holder acquired the lease (`last_acquired_at`).
        let acquired: [String: String]
        /// Runs: id → (status, conclusion, cancellation reason).
        let runs: [Int: Outcome]
        /// Jobs: id → (status, conclusion, cancellation reason).
        var jobs: [Int: Outcome] = [:]
        var testDescription: String { file }
    }

    struct Outcome: Equatable, Sendable, CustomStringConvertible {
        let status: String
        let conclusion: String?
        let reason: String?

        init(_ status: String, _ conclusion: String? = nil, _ reason: String? = nil) {
            self.status = status
            self.conclusion = conclusion
            self.reason = reason
        }

        var description: String { "\(status) \(conclusion ?? "-") \(reason ?? "-")" }
    }

    static func higherPriority(_ group: String) -> String {
        "Canceling since a higher priority waiting request for '\(group)' exists"
    }

    static let cancelledByHand = "The run was canceled by @concurrency-mock."
    static let deadlock =
        "Canceling since a deadlock was detected for concurrency group: 'deploy-production' between a top level workflow and 'Ship to production'"

    static let releaseDeadlock =
        "Canceling since a deadlock was detected for concurrency group: 'Release' between a top level workflow and 'build'"

    static let expectations: [Expectation] = [
        Expectation(
            file: "queue-single.yml", repository: ("acme", "web"), now: "2026-01-15T16:02:30Z",
            queues: [
                "deploy-main": ["100 in_progress", "102 pending"],
                "deploy-release/2026.1": ["103 in_progress"],
            ],
            acquired: ["deploy-main": "2026-01-15T16:00:00Z", "deploy-release/2026.1": "2026-01-15T16:02:00Z"],
            runs: [
                100: Outcome("in_progress"),
                101: Outcome("completed", "cancelled", higherPriority("deploy-main")),
                102: Outcome("pending"),
                103: Outcome("in_progress"),
            ],
            jobs: [
                1000: Outcome("completed", "success"), 1001: Outcome("in_progress"),
                1002: Outcome("completed", "cancelled", higherPriority("deploy-main")),
                1003: Outcome("completed", "cancelled", higherPriority("deploy-main")),
                1004: Outcome("queued"), 1005: Outcome("queued"),
                1006: Outcome("in_progress"), 1007: Outcome("queued"),
            ]),
        Expectation(
            file: "queue-max.yml", repository: ("acme", "api"), now: "2026-02-01T16:05:00Z",
            queues: ["db-migrations-production": ["101 in_progress", "102 pending", "104 pending"]],
            acquired: ["db-migrations-production": "2026-02-01T16:05:00Z"],
            runs: [
                100: Outcome("completed", "success"),
                101: Outcome("in_progress"),
                102: Outcome("pending"),
                103: Outcome("completed", "cancelled", cancelledByHand),
                104: Outcome("pending"),
            ],
            jobs: [
                1000: Outcome("completed", "success"), 1001: Outcome("in_progress"), 1002: Outcome("queued"),
                1003: Outcome("completed", "cancelled", cancelledByHand), 1004: Outcome("queued"),
            ]),
        Expectation(
            file: "cancel-in-progress.yml", repository: ("acme", "site"), now: "2026-03-10T10:03:00Z",
            queues: [
                "ci-feature/login": ["103 in_progress"],
                "ci-main": ["100 in_progress", "101 pending"],
            ],
            acquired: ["ci-feature/login": "2026-03-10T10:03:00Z", "ci-main": "2026-03-10T10:00:00Z"],
            runs: [
                100: Outcome("in_progress"),
                101: Outcome("pending"),
                102: Outcome("completed", "cancelled", higherPriority("ci-feature/login")),
                103: Outcome("in_progress"),
            ],
            jobs: [
                1004: Outcome("completed", "cancelled", higherPriority("ci-feature/login")),
                1005: Outcome("completed", "cancelled", higherPriority("ci-feature/login")),
                1006: Outcome("in_progress"), 1007: Outcome("in_progress"),
            ]),
        Expectation(
            file: "reusable-workflows-live.yml", repository: ("acme", "shop"), now: "2026-03-02T10:04:00Z",
            queues: [
                "deploy-staging": ["102/1015 reusable_workflow in_progress"],
                "notify-releases": ["100/1005 reusable_workflow in_progress", "101/1012 reusable_workflow pending"],
            ],
            acquired: ["deploy-staging": "2026-03-02T10:04:00Z", "notify-releases": "2026-03-02T10:03:00Z"],
            runs: [100: Outcome("in_progress"), 101: Outcome("in_progress"), 102: Outcome("in_progress")],
            jobs: [
                1003: Outcome("completed", "success"), 1004: Outcome("completed", "success"),
                1005: Outcome("in_progress"), 1006: Outcome("in_progress"),
                1010: Outcome("completed", "success"), 1012: Outcome("pending"), 1013: Outcome("queued"),
                1015: Outcome("in_progress"), 1016: Outcome("in_progress"), 1017: Outcome("queued"),
            ]),
        Expectation(
            file: "deadlock.yml", repository: ("acme", "shop"), now: "2026-04-01T09:03:00Z",
            queues: ["deploy-production": ["102 in_progress"]],
            acquired: ["deploy-production": "2026-04-01T09:03:00Z"],
            runs: [
                100: Outcome("completed", "success"),
                101: Outcome("completed", "cancelled", deadlock),
                102: Outcome("in_progress"),
            ],
            jobs: [
                1000: Outcome("completed", "success"),
                1001: Outcome("completed", "cancelled", deadlock),
                1002: Outcome("completed", "cancelled", deadlock),
                1003: Outcome("in_progress"),
            ]),
        Expectation(
            file: "pull-request-groups.yml", repository: ("acme", "web"), now: "2026-06-01T09:04:00Z",
            queues: [
                "CI-7": ["102 in_progress"],
                "CI-8": ["101 in_progress"],
                "CI-refs/heads/main": ["103 in_progress", "104 pending"],
            ],
            acquired: ["CI-7": "2026-06-01T09:02:00Z", "CI-8": "2026-06-01T09:01:00Z", "CI-refs/heads/main": "2026-06-01T09:03:00Z"],
            runs: [
                100: Outcome("completed", "cancelled", higherPriority("CI-7")),
                101: Outcome("in_progress"), 102: Outcome("in_progress"), 103: Outcome("in_progress"), 104: Outcome("pending"),
            ],
            jobs: [
                1000: Outcome("completed", "cancelled", higherPriority("CI-7")),
                1001: Outcome("in_progress"), 1002: Outcome("in_progress"), 1003: Outcome("in_progress"), 1004: Outcome("queued"),
            ]),
        Expectation(
            file: "reusable-workflow-name-deadlock.yml", repository: ("acme", "tools"), now: "2026-06-02T09:00:00Z",
            queues: [:], acquired: [:],
            runs: [100: Outcome("completed", "cancelled", releaseDeadlock)],
            jobs: [1000: Outcome("completed", "cancelled", releaseDeadlock), 1001: Outcome("completed", "cancelled", releaseDeadlock)]),
        Expectation(
            file: "bot-push-cancels-review.yml", repository: ("acme", "site"), now: "2026-06-03T09:02:00Z",
            queues: ["review-main": ["102 in_progress"]],
            acquired: ["review-main": "2026-06-03T09:02:00Z"],
            runs: [
                100: Outcome("completed", "cancelled", higherPriority("review-main")),
                101: Outcome("completed", "skipped"), 102: Outcome("in_progress"),
            ],
            jobs: [
                1000: Outcome("completed", "cancelled", higherPriority("review-main")),
                1001: Outcome("completed", "skipped"), 1002: Outcome("in_progress"),
            ]),
        Expectation(
            file: "bot-push-skips-job-group.yml", repository: ("acme", "site"), now: "2026-06-03T10:01:00Z",
            queues: ["review-main": ["100/1000 job in_progress"]],
            acquired: ["review-main": "2026-06-03T10:00:00Z"],
            runs: [100: Outcome("in_progress"), 101: Outcome("completed", "skipped")],
            jobs: [1000: Outcome("in_progress"), 1001: Outcome("completed", "skipped")]),
        Expectation(
            file: "group-from-job-output.yml", repository: ("acme", "shop"), now: "2026-06-04T09:03:00Z",
            queues: [
                "deploy-production": ["100/1001 job in_progress", "101/1003 job pending"],
                "deploy-staging": ["103/1007 job in_progress"],
            ],
            acquired: ["deploy-production": "2026-06-04T09:00:00Z", "deploy-staging": "2026-06-04T09:03:00Z"],
            runs: [100: Outcome("in_progress"), 101: Outcome("in_progress"), 102: Outcome("in_progress"), 103: Outcome("in_progress")],
            jobs: [
                1000: Outcome("completed", "success"), 1001: Outcome("in_progress"),
                1002: Outcome("completed", "success"), 1003: Outcome("pending"),
                1004: Outcome("in_progress"), 1005: Outcome("queued"),
                1006: Outcome("completed", "success"), 1007: Outcome("in_progress"),
            ]),
        Expectation(
            file: "matrix-live.yml", repository: ("acme", "mobile"), now: "2026-05-20T12:02:00Z",
            queues: [
                "test-macos-latest": ["101/1009 job in_progress", "101/1010 job pending"],
                "test-ubuntu-latest": ["101/1007 job in_progress", "101/1008 job pending", "101/1012 job pending"],
                "test-windows-latest": ["101/1011 job in_progress"],
            ],
            acquired: [
                "test-macos-latest": "2026-05-20T12:02:00Z", "test-ubuntu-latest": "2026-05-20T12:02:00Z",
                "test-windows-latest": "2026-05-20T12:02:00Z",
            ],
            runs: [100: Outcome("completed", "failure"), 101: Outcome("in_progress")],
            jobs: [
                1000: Outcome("completed", "success"), 1001: Outcome("completed", "success"),
                1002: Outcome("completed", "failure"), 1003: Outcome("completed", "success"),
                1004: Outcome("completed", "success"), 1005: Outcome("completed", "success"),
                1006: Outcome("completed", "skipped"),
                1007: Outcome("in_progress"), 1008: Outcome("pending"), 1009: Outcome("in_progress"),
                1010: Outcome("pending"), 1011: Outcome("in_progress"), 1012: Outcome("pending"), 1013: Outcome("queued"),
            ]),
    ]

    static func load(_ file: String) throws -> MockState {
        let text = try String(contentsOf: fixturesDirectory.appendingPathComponent(file), encoding: .utf8)
        return try FixtureLoader.load(text, file: file)
    }

    /// The active groups of a repository in the format of `Expectation.queues`.
    static func queues(of repository: Repository) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for key in repository.activeGroupKeys {
            let group = repository.group(key)!
            result[group.name] = group.queue.enumerated().map { position, item in
                let status = position == 0 ? "in_progress" : "pending"
                guard let job = item.job else { return "\(item.run) \(status)" }
                return "\(item.run)/\(job) \(item.kind.rawValue) \(status)"
            }
        }
        return result
    }

    @Test(arguments: expectations)
    func theFixtureEndsInTheDocumentedState(_ expected: Expectation) throws {
        let state = try Self.load(expected.file)
        #expect(state.clockFrozen, "reproducible answers need a frozen clock")
        #expect(state.simulator.now.description == expected.now)
        let repository = try #require(state.simulator.repository(owner: expected.repository.owner, name: expected.repository.name))
        #expect(Self.queues(of: repository) == expected.queues)
        var acquired: [String: String] = [:]
        for group in repository.activeGroups { acquired[group.name] = group.queue.first?.acquiredAt?.description ?? "null" }
        #expect(acquired == expected.acquired)
        for (id, outcome) in expected.runs.sorted(by: { $0.key < $1.key }) {
            let run = try #require(repository.runs[RunID(id)], "run \(id)")
            #expect(Outcome(run.status.rawValue, run.conclusion?.rawValue, run.cancellationReason) == outcome, "run \(id)")
        }
        for (id, outcome) in expected.jobs.sorted(by: { $0.key < $1.key }) {
            let job = try #require(repository.jobs[JobID(id)], "job \(id)")
            #expect(Outcome(job.status.rawValue, job.conclusion?.rawValue, job.cancellationReason) == outcome, "job \(id)")
        }
        #expect(repository.runs.keys.map(\.rawValue).sorted() == expected.runs.keys.sorted(), "no other runs")
    }

    /// Whoever holds a lease is running and whoever waits is pending: the run for a
    /// workflow-level item, the job for the others.
    @Test(arguments: expectations)
    func queueItemsAgreeWithTheirOwnersStatus(_ expected: Expectation) throws {
        let state = try Self.load(expected.file)
        let repository = try #require(state.simulator.repository(owner: expected.repository.owner, name: expected.repository.name))
        for group in repository.activeGroups {
            for (position, item) in group.queue.enumerated() {
                let owner = item.job.map { repository.jobs[$0]?.status } ?? repository.runs[item.run]?.status
                #expect(owner == (position == 0 ? .inProgress : .pending), "\(group.name) position \(position)")
                #expect(position == 0 || item.acquiredAt == nil)
                if position > 0 { #expect(item.waitingSince >= group.queue[position - 1].waitingSince, "FIFO in \(group.name)") }
            }
        }
    }

    /// The workflow files stay registered, so a live client can keep triggering runs; ids go on
    /// from the fixture's.
    @Test(arguments: expectations)
    func theWorkflowsStayRegisteredAndIdsContinue(_ expected: Expectation) throws {
        var state = try Self.load(expected.file)
        let key = RepositoryKey(owner: expected.repository.owner, name: expected.repository.name)
        #expect(state.simulator.nextRunID.rawValue == (expected.runs.keys.max() ?? 0) + 1)
        #expect(!state.workflows.all.filter { $0.repository == key }.isEmpty)
        let highestJob = state.simulator.highestJobID
        let triggerable = try #require(state.workflows.all.first { entry in
            entry.repository == key && !entry.workflow.isCallable
        }).workflow
        let run = try state.trigger(
            TriggerEvent(workflow: triggerable.file, event: triggerable.events.first { $0 != "workflow_call" } ?? "push"), in: key)
        #expect(run == state.simulator.nextRunID.previous)
        #expect(state.simulator.repositories[key]!.runs[run]!.jobs.first?.rawValue == highestJob + 1)
    }

    /// The state each fixture reaches exports and loads back unchanged.
    @Test(arguments: expectations)
    func theReachedStateExportsAndLoadsBack(_ expected: Expectation) throws {
        let state = try Self.load(expected.file)
        let exported = StateExporter.export(state)
        let reloaded = try FixtureLoader.load(String(decoding: exported, as: UTF8.self), file: "export.json")
        #expect(StateExporter.export(reloaded) == exported)
        let repository = try #require(reloaded.simulator.repository(owner: expected.repository.owner, name: expected.repository.name))
        #expect(Self.queues(of: repository) == expected.queues)
    }

    @Test func theOtherRepositoryOfTheReusableFixtureHoldsOnlyTheCalledWorkflow() throws {
        let state = try Self.load("reusable-workflows-live.yml")
        let templates = try #require(state.simulator.repository(owner: "acme", name: "ci-templates"))
        #expect(templates.runs.isEmpty && templates.activeGroupKeys.isEmpty, "the groups belong to the caller's repository")
        #expect(state.workflows.workflow("notify.yml", in: templates.key)?.isCallable == true)
        let shop = try #require(state.simulator.repository(owner: "acme", name: "shop"))
        let notify = try #require(shop.jobs[JobID(1005)])
        #expect(notify.key == "notify")
        #expect(notify.callsReusableWorkflow)
        #expect(notify.calledWorkflowConcurrency == ConcurrencySettings(group: "notify-releases"))
        #expect(shop.jobs[JobID(1006)]?.name == "notify / Post to releases")
        #expect(shop.jobs[JobID(1006)]?.parent == JobID(1005))
        #expect(shop.runs[RunID(100)]?.name == "Release v2.3.0")
        #expect(shop.runs[RunID(100)].map { shop.configuredGroups(of: $0).map(\.folded) } == ["deploy-production", "deploy-staging", "notify-releases"])
    }

    /// Which groups each run lists and each job shows: a job-level group only once its job became
    /// ready (and never for a skipped job); a workflow-level group from the run's creation.
    @Test(arguments: [
        ("bot-push-cancels-review.yml", "acme", "site", [100: ["review-main"], 101: ["review-main"], 102: ["review-main"]], [Int: String?]()),
        ("bot-push-skips-job-group.yml", "acme", "site", [100: ["review-main"], 101: []], [1000: "review-main", 1001: nil]),
        ("group-from-job-output.yml", "acme", "shop",
         [100: ["deploy-production"], 101: ["deploy-production"], 102: [], 103: ["deploy-staging"]],
         [1001: "deploy-production", 1003: "deploy-production", 1005: nil, 1007: "deploy-staging"]),
    ] as [(String, String, String, [Int: [String]], [Int: String?])])
    func groupsAreKnownOnlyOnceEvaluated(file: String, owner: String, name: String, runs: [Int: [String]], jobs: [Int: String?]) throws {
        let state = try Self.load(file)
        let repository = try #require(state.simulator.repository(owner: owner, name: name))
        for (id, groups) in runs {
            #expect(repository.runs[RunID(id)].map { Array(repository.configuredGroupNames(of: $0)) } == groups, "run \(id)")
        }
        for (id, group) in jobs {
            #expect(repository.jobs[JobID(id)]?.concurrency?.group == group, "job \(id)")
        }
    }

    @Test func matrixLegsAreExpandedWithIncludeAndExclude() throws {
        let state = try Self.load("matrix-live.yml")
        let repository = try #require(state.simulator.repository(owner: "acme", name: "mobile"))
        #expect(repository.visibility == .private)
        let run = try #require(repository.runs[RunID(100)])
        #expect(run.jobs.compactMap { repository.jobs[$0]?.name } == [
            "test (ubuntu-latest, 20)", "test (ubuntu-latest, 22, true)", "test (macos-latest, 20)",
            "test (macos-latest, 22)", "test (windows-latest, 22)", "test (ubuntu-latest, 24)", "report",
        ])
        #expect(run.jobs.compactMap { repository.jobs[$0]?.concurrency?.group } == [
            "test-ubuntu-latest", "test-ubuntu-latest", "test-macos-latest", "test-macos-latest",
            "test-windows-latest", "test-ubuntu-latest",
        ])
        #expect(run.jobs.compactMap { repository.jobs[$0]?.concurrency?.queue }.allSatisfy { $0 == .max })
        #expect(repository.jobs[JobID(1006)]?.needs == (1000...1005).map(JobID.init))
    }

    @Test func expressionsDecideTheGroupsAndCancelInProgress() throws {
        let state = try Self.load("cancel-in-progress.yml")
        let repository = try #require(state.simulator.repository(owner: "acme", name: "site"))
        #expect(repository.runs[RunID(101)]?.concurrency == ConcurrencySettings(group: "ci-main", cancelInProgress: false))
        #expect(repository.runs[RunID(103)]?.concurrency == ConcurrencySettings(group: "ci-feature/login", cancelInProgress: true))
        let single = try Self.load("queue-single.yml")
        let web = try #require(single.simulator.repository(owner: "acme", name: "web"))
        #expect((100...103).compactMap { web.runs[RunID($0)]?.name } == [
            "Deploy main (alice)", "Deploy main (bob)", "Deploy main (carol)", "Deploy release/2026.1 (dave)",
        ])
        let max = try Self.load("queue-max.yml")
        let api = try #require(max.simulator.repository(owner: "acme", name: "api"))
        #expect(api.runs[RunID(100)]?.concurrency == ConcurrencySettings(group: "db-migrations-production", queue: .max))
    }

    /// GitHub fills the `inputs` context of a `workflow_dispatch` run with the declared defaults
    /// of the inputs the dispatch leaves out, and refuses a `choice` value outside `options`.
    @Test func aDispatchGetsTheDeclaredInputDefaults() throws {
        var state = try Self.load("queue-max.yml")
        let key = RepositoryKey(owner: "acme", name: "api")
        let run = try state.trigger(TriggerEvent(workflow: "migrate.yml", event: "workflow_dispatch"), in: key)
        let record = try #require(state.simulator.repositories[key]?.runs[run])
        #expect(record.concurrency?.group == "db-migrations-production")
        #expect(record.name == "Migrate production to \(String(repeating: "0", count: 40))")
        let outside = TriggerEvent(workflow: "migrate.yml", event: "workflow_dispatch", inputs: [("environment", .string("qa"))])
        #expect(throws: SourceError.self) { try state.trigger(outside, in: key) }
    }
}

extension RunID {
    var previous: RunID { RunID(rawValue - 1) }
}
