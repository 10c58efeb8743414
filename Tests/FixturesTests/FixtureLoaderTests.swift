import ConcurrencySimulator
import Foundation
import StateDocuments
import Testing

let fixturesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

@Suite struct FixtureLoaderTests {
    @Test(arguments: ["docs-example.yml", "monorepo.yml", "reusable-workflows.yml", "matrix-jobs.yml"])
    func everyShippedFixtureLoads(_ name: String) throws {
        let text = try String(contentsOf: fixturesDirectory.appendingPathComponent(name), encoding: .utf8)
        let simulator = try FixtureLoader.load(text, file: name).simulator
        #expect(!simulator.repositories.isEmpty)
    }

    @Test func theMonorepoHasAFewHundredGroups() throws {
        let text = try String(contentsOf: fixturesDirectory.appendingPathComponent("monorepo.yml"), encoding: .utf8)
        let repository = try #require(try FixtureLoader.load(text, file: "monorepo.yml").simulator.repository(owner: "acme", name: "platform"))
        #expect(repository.activeGroupKeys.count == 240)
        #expect(repository.runs.count == 400)
    }

    /// A state of 300 groups has its queues checked on two threads (a group each): the refusal is
    /// still the first one in document order, a repeated name found after the groups were
    /// checked coming before a later group's own fault.
    @Test(arguments: [
        (nil, nil, nil),
        (250, nil, .item(250, "run 9999 is not a run of o/r")),
        (250, 200, .group(200, "concurrency group 'G-10' is declared twice (also as 'g-10'; names are case-insensitive)")),
        (100, 200, .item(100, "run 9999 is not a run of o/r")),
    ] as [(Int?, Int?, QueueRefusal?)])
    func queuesCheckedOnTwoThreadsAreRefusedInDocumentOrder(brokenItem: Int?, repeatedName: Int?, refusal: QueueRefusal?) throws {
        let text = Self.manyGroups(brokenItem: brokenItem, repeatedName: repeatedName)
        guard let refusal else {
            let repository = try #require(try FixtureLoader.load(text, file: "f.json").simulator.repository(owner: "o", name: "r"))
            #expect(repository.activeGroupKeys.count == 300)
            #expect(repository.activeGroup(named: "g-299")?.queue.map(\.run.rawValue) == [300])
            return
        }
        // Every node is on line 1: the column is the offset of the group's or its item's brace, plus 1.
        let groups = try #require(text.range(of: #""concurrency_groups":["#)).upperBound
        var place = groups
        let (group, message, isItem): (Int, String, Bool) = switch refusal {
        case .group(let index, let message): (index, message, false)
        case .item(let index, let message): (index, message, true)
        }
        for _ in 0..<group { place = text.range(of: #"]},{"#, range: text.index(after: place)..<text.endIndex)!.upperBound }
        if group > 0 { place = text.index(before: place) }
        if isItem { place = text.range(of: #"{"run""#, range: place..<text.endIndex)!.lowerBound }
        let column = text.utf8.distance(from: text.startIndex, to: place) + 1
        do {
            _ = try FixtureLoader.load(text, file: "f.json")
            Issue.record("the state loaded")
        } catch {
            #expect(error.description == "f.json:1:\(column): \(message)")
        }
    }

    enum QueueRefusal: Sendable {
        case group(Int, String)
        case item(Int, String)
    }

    /// One line of JSON: 300 runs and 300 groups, each group holding its run's workflow-level
    /// lease; group `brokenItem`'s item names a run that does not exist, group `repeatedName` is
    /// named as group 10 is, in capitals.
    private static func manyGroups(brokenItem: Int?, repeatedName: Int?) -> String {
        let runs = (1...300).map { #"{"id":\#($0),"name":"r","status":"in_progress"}"# }
        let groups = (0..<300).map { index in
            let name = index == repeatedName ? "G-10" : "g-\(index)"
            let run = index == brokenItem ? 9999 : index + 1
            return #"{"name":"\#(name)","queue":[{"run":\#(run),"waiting_since":"2026-01-15T16:00:00Z","acquired_at":"2026-01-15T16:00:00Z"}]}"#
        }
        return #"{"now":"2026-01-15T16:15:00Z","repositories":[{"owner":"o","name":"r","runs":["# + runs.joined(separator: ",")
            + #"],"concurrency_groups":["# + groups.joined(separator: ",") + "]}]}"
    }

    @Test func theDocsExampleHoldsTheDocumentedQueues() throws {
        let simulator = try FixtureLoader.load(EmbeddedFixtures.docsExample, file: "docs-example.yml").simulator
        let repository = try #require(simulator.repository(owner: "octocat", name: "Hello-World"))
        #expect(simulator.now.description == "2026-01-15T16:15:00Z")
        #expect(repository.activeGroupKeys.map(\.folded) == ["ci-build", "deploy-prod"])
        #expect(repository.activeGroup(named: "deploy-prod")?.queue.map(\.run.rawValue) == [30433642, 30433643, 30433644])
        #expect(repository.activeGroup(named: "deploy-prod")?.queue.map(\.kind) == [.workflow, .workflow, .job])
        #expect(repository.activeGroup(named: "ci-build")?.queue.first?.acquiredAt?.description == "2026-01-15T16:13:55Z")
        #expect(repository.jobs[JobID(798245260)]?.run == RunID(30433644))
    }

    @Test func jsonFixturesLoadTheSameWay() throws {
        let json = """
            {"version": 1, "now": "2026-01-15T16:15:00Z",
             "repositories": [{"owner": "o", "name": "r", "visibility": "private",
               "runs": [{"id": 1, "name": "CI", "jobs": [{"id": 10, "name": "call", "uses": "o/r/.github/workflows/x.yml@main", "jobs": [{"id": 11, "name": "inner"}]}]}],
               "concurrency_groups": [{"name": "g", "queue": [{"run": 1, "job": 10, "kind": "reusable_workflow", "waiting_since": "2026-01-15T16:00:00Z", "acquired_at": null}]}]}]}
            """
        let simulator = try FixtureLoader.load(json, file: "state.json").simulator
        let repository = try #require(simulator.repository(owner: "O", name: "R"))
        #expect(repository.visibility == .private)
        #expect(repository.jobs[JobID(11)]?.parent == JobID(10))
        #expect(repository.activeGroup(named: "G")?.queue == [
            QueueItem(run: RunID(1), job: JobID(10), kind: .reusableWorkflow, waitingSince: Timestamp(rfc3339: "2026-01-15T16:00:00Z")!),
        ])
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let text: String
        let error: String
        var testDescription: String { error }
    }

    static let header = "now: \"2026-01-15T16:15:00Z\"\nrepositories:\n  - owner: o\n    name: r\n"

    static let bad: [Bad] = [
        Bad(text: "", error: "f.yml: the document is empty"),
        Bad(text: "now: [\n", error: "f.yml:2:1: invalid YAML: while parsing a flow node: did not find expected node content"),
        Bad(text: "now: \"2026-01-15T16:15:00Z\"\nnow: \"2026-01-15T16:15:00Z\"\n", error: "f.yml:1:1: duplicate key 'now' in a mapping"),
        Bad(text: "- 1\n", error: "f.yml:1:1: the fixture must be a mapping"),
        Bad(text: "repositories: []\n", error: "f.yml:1:1: the fixture is missing 'now'"),
        Bad(text: "now: yesterday\n", error: "f.yml:1:6: now must be an RFC 3339 date-time such as 2026-01-15T16:14:23Z"),
        Bad(text: "version: 2\nnow: \"2026-01-15T16:15:00Z\"\n", error: "f.yml:1:10: fixture format version 2 is not supported; this build reads version 1"),
        Bad(text: "now: \"2026-01-15T16:15:00Z\"\nrepos: []\n", error: "f.yml:2:1: unknown key 'repos' in the fixture; allowed: version, now, frozen, run_id_start, job_id_start, auth, tokens, rate_limits, faults, repositories, events"),
        Bad(text: "now: \"2026-01-15T16:15:00Z\"\nrepositories:\n  - owner: o\n", error: "f.yml:3:5: a repository is missing 'name'"),
        Bad(text: header + "    visibility: internal\n", error: "f.yml:5:17: visibility must be one of public, private, not 'internal'"),
        Bad(text: header + "  - owner: O\n    name: R\n", error: "f.yml:5:5: repository o/r is declared twice"),
        Bad(text: header + "    runs:\n      - { id: 0, name: x }\n", error: "f.yml:6:15: a run's id must be a whole number of at least 1"),
        Bad(text: header + "    runs:\n      - { id: 1, name: x }\n      - { id: 1, name: y }\n", error: "f.yml:7:9: run 1 is declared twice"),
        Bad(text: "now: \"2026-01-15T16:15:00Z\"\nrepositories:\n  - owner: \"o\\0\"\n    name: r\n",
            error: "f.yml:3:12: the repository owner contains U+0000; names cannot hold control characters, line or paragraph separators, or bytes that are not UTF-8"),
        Bad(text: header + "    group_names: [ok, \"a\\tb\"]\n", error: "f.yml:5:23: the concurrency group name contains U+0009; names cannot hold control characters, line or paragraph separators, or bytes that are not UTF-8"),
        Bad(text: "now: \"2026-01-15T16:15:00Z\"\ntokens:\n  - { token: \"t\\x01\", type: classic }\n",
            error: "f.yml:3:14: the token contains U+0001; names cannot hold control characters, line or paragraph separators, or bytes that are not UTF-8"),
        Bad(text: header + "    runs:\n      - { id: 9007199254740992, name: x }\n",
            error: "f.yml:6:15: a run's id must be at most 9007199254740991 (2^53 - 1, beyond which JavaScript clients lose precision)"),
        Bad(text: header + "    runs:\n      - id: 1\n        name: x\n        jobs: [{ id: 9223372036854775808, name: a }]\n",
            error: "f.yml:8:22: a job's id must be at most 9007199254740991 (2^53 - 1, beyond which JavaScript clients lose precision)"),
        Bad(text: "now: \"2026-01-15T16:15:00Z\"\nrun_id_start: 9007199254740992\n",
            error: "f.yml:2:15: run_id_start must be at most 9007199254740991 (2^53 - 1, beyond which JavaScript clients lose precision)"),
        Bad(text: "now: \"2026-01-15T16:15:00Z\"\njob_id_start: 9223372036854775806\n",
            error: "f.yml:2:15: job_id_start must be at most 9007199254740991 (2^53 - 1, beyond which JavaScript clients lose precision)"),
        Bad(text: "now: \"2026-01-15T16:15:00Z\"\nrepositories: " + String(repeating: "[", count: 100_000) + "\n",
            error: "f.yml:2:16: the document nests deeper than 64 levels of mappings and sequences"),
        Bad(text: header + "    runs:\n      - id: 1\n        name: x\n        jobs:\n          - { id: 5, name: a }\n          - { id: 5, name: b }\n",
            error: "f.yml:10:13: job 5 is declared twice"),
        Bad(text: header + "    runs:\n      - id: 1\n        name: x\n        concurrency_groups: [ok, \"\"]\n",
            error: "f.yml:8:34: a concurrency group name cannot be empty"),
        Bad(text: header + "    runs:\n      - { id: 1, name: x, needs: [] }\n", error: "f.yml:6:27: unknown key 'needs' in a run; allowed: id, name, workflow, status, conclusion, cancellation_reason, cancelled_by, concurrency, gate, jobs, concurrency_groups, event, ref, sha, actor, triggering_actor, head_ref, base_ref, run_number, run_attempt, created_at, updated_at, run_started_at, completed_at, previous_attempts"),
        Bad(text: header + "    runs:\n      - { id: 1, name: x }\n    concurrency_groups:\n      - name: g\n        queue:\n          - { run: 1, waiting_since: \"2026-01-15T16:00:00Z\" }\n          - { run: 2, waiting_since: \"2026-01-15T16:01:00Z\" }\n",
            error: "f.yml:11:13: run 2 is not a run of o/r"),
        Bad(text: header + "    runs:\n      - { id: 1, name: x }\n    concurrency_groups:\n      - name: g\n        queue:\n          - { run: 1, kind: matrix, waiting_since: \"2026-01-15T16:00:00Z\" }\n",
            error: "f.yml:10:29: kind must be one of workflow, job, reusable_workflow, not 'matrix'"),
        Bad(text: header + "    runs:\n      - { id: 1, name: x }\n      - { id: 2, name: y }\n    concurrency_groups:\n      - name: g\n        queue:\n          - { run: 1, waiting_since: \"2026-01-15T16:05:00Z\" }\n          - { run: 2, waiting_since: \"2026-01-15T16:01:00Z\" }\n",
            error: "f.yml:12:13: the queue is FIFO: this item started waiting at 2026-01-15T16:01:00Z, before the item ahead of it (2026-01-15T16:05:00Z)"),
        Bad(text: header + "    concurrency_groups:\n      - name: g\n        queue: []\n", error: "f.yml:6:9: concurrency group 'g' has an empty queue; an inactive group is simply left out"),
        Bad(text: header + "    runs:\n      - { id: 1, name: x }\n    concurrency_groups:\n      - { name: g, queue: [{ run: 1, waiting_since: \"2026-01-15T16:00:00Z\" }] }\n      - { name: G, queue: [{ run: 1, waiting_since: \"2026-01-15T16:00:00Z\" }] }\n",
            error: "f.yml:9:9: concurrency group 'G' is declared twice (also as 'g'; names are case-insensitive)"),
        Bad(text: "now: \"2026-01-15T16:15:00Z\"\nrepositories:\n\t- owner: o\n", error: "f.yml:3:1: invalid YAML: while scanning for the next token: found character that cannot start any token"),
    ]

    @Test(arguments: bad)
    func aBadFixtureNamesTheFileLineAndColumn(_ bad: Bad) {
        #expect(throws: (any Error).self) { try FixtureLoader.load(bad.text, file: "f.yml") }
        do {
            _ = try FixtureLoader.load(bad.text, file: "f.yml")
        } catch {
            #expect(error.description == bad.error)
        }
    }
}

/// A repository of many runs is exported on two threads, the later runs and the groups on the
/// second: the parts must join into the one document a single writer makes, runs by id, then
/// the groups, loading back to the same bytes.
@Suite struct LargeExportTests {
    @Test func manyRunsExportInIDOrderAndLoadBackToTheSameBytes() throws {
        let runCount = 5_000
        let waiting = 1...3
        // Listed out of order, so the export has to sort them.
        let runs = (1...runCount).reversed().map { id in
            let outcome = waiting.contains(id) ? "\"status\": \"in_progress\"" : "\"status\": \"completed\", \"conclusion\": \"success\""
            return "{\"id\": \(id), \"name\": \"run \(id)\", \(outcome), \"jobs\": [{\"id\": \(id), \"name\": \"build\", \(outcome)}]}"
        }
        let queue = waiting.map { "{\"run\": \($0), \"job\": \($0), \"waiting_since\": \"2026-01-15T16:1\($0):00Z\"}" }
        let text = """
            {"now": "2026-01-15T16:15:00Z", "repositories": [{"owner": "o", "name": "r", "runs": [\(runs.joined(separator: ", "))],
             "concurrency_groups": [{"name": "deploy", "queue": [\(queue.joined(separator: ", "))]}]}]}
            """
        let exported = StateExporter.export(try FixtureLoader.load(text, file: "many.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(exported)) as? [String: Any])
        let repository = try #require((document["repositories"] as? [[String: Any]])?.first)
        let ids = try #require((repository["runs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int })
        #expect(ids == Array(1...runCount))
        let groups = try #require(repository["concurrency_groups"] as? [[String: Any]])
        #expect(groups.map { $0["name"] as? String } == ["deploy"])
        #expect((groups.first?["queue"] as? [[String: Any]])?.map { $0["run"] as? Int } == [1, 2, 3])
        #expect(StateExporter.export(try FixtureLoader.load(utf8: exported, file: "export.json")) == exported)
    }
}
