import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The `/_mock` control API through the real binary over real HTTP: repositories, workflow
/// files, runs moving through a queue, the clock, export into a second process, reset, and the
/// workflow-based fixtures of `Fixtures/`.
@Suite struct ControlAPIEndToEndTests {
    /// An empty world with a frozen clock, so lease times are reproducible.
    static let minimalFixture = """
        now: "2026-01-15T16:00:00Z"
        frozen: true
        run_id_start: 100
        job_id_start: 1000
        """

    /// A fixed API root, so the answers of two processes (on two ports) can be compared byte for byte.
    static let serverArguments = ["--base-url", "https://api.github.com"]

    static let deploy = """
        name: Deploy
        on: [push, workflow_dispatch]
        concurrency:
          group: deploy-${{ github.ref_name }}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - run: ./deploy.sh
        """

    static let sharedDeploy = """
        name: Shared deploy
        on:
          workflow_call:
            inputs:
              environment: { type: string, required: true }
        concurrency: Deploy-${{ inputs.environment }}
        jobs:
          deploy:
            name: Deploy to ${{ inputs.environment }}
            concurrency: deploy-job-${{ inputs.environment }}
            steps: [{ run: ./deploy }]
        """

    static let release = """
        name: Release
        on: push
        concurrency:
          group: release-${{ github.ref_name }}
          queue: max
        jobs:
          build:
            steps: [{ run: make }]
          ship:
            needs: build
            uses: ./.github/workflows/shared.yml
            with:
              environment: prod
          notify:
            needs: ship
            uses: o/templates/.github/workflows/notify.yml@main
            with:
              channel: releases
        """

    static let notify = """
        name: Notify
        on:
          workflow_call:
            inputs:
              channel: { type: string, default: general }
        concurrency: notify-${{ inputs.channel }}
        jobs:
          post:
            steps: [{ run: ./post }]
        """

    static let matrix = """
        name: CI
        on: [push, pull_request]
        jobs:
          test:
            strategy:
              matrix:
                os: [linux, macos]
                include: [{ os: windows, experimental: true }]
            concurrency: test-${{ matrix.os }}
            steps: [{ run: npm test }]
          report:
            needs: test
            steps: [{ run: ./report }]
        """

    static let branchGroups = """
        on: push
        concurrency: déploiement/${{ github.ref_name }}
        jobs:
          a:
            steps: [{ run: ./go }]
        """

    // MARK: - A client

    /// One keep-alive connection speaking JSON to the mock.
    final class Client {
        let connection: HTTPConnection

        init(_ server: ServerProcess) throws {
            connection = try server.connect()
        }

        @discardableResult
        func send(_ method: String, _ target: String, _ body: String? = nil) throws -> HTTPResponse {
            try connection.request(
                method, target, headers: body == nil ? [] : [("Content-Type", "application/json")], body: Array((body ?? "").utf8))
        }

        func json(_ method: String, _ target: String, _ body: String? = nil) throws -> JSONValue {
            try send(method, target, body).json()
        }

        /// Creates o/r (public) and registers the workflow files, each answered 201.
        func setUp(_ workflows: [(String, String)] = [("deploy.yml", ControlAPIEndToEndTests.deploy)]) throws {
            #expect(try send("PUT", "/_mock/repos/o/r", #"{"visibility":"public"}"#).status == 201)
            for (file, source) in workflows {
                let answer = try send("PUT", "/_mock/repos/o/r/workflows/\(file)", source)
                #expect(answer.status == 201, "\(file): \(answer.bodyText)")
            }
        }

        /// Triggers a run of o/r; answers its id.
        @discardableResult
        func trigger(_ workflow: String = "deploy.yml", ref: String = "refs/heads/main", event: String = "push") throws -> Int {
            let answer = try send("POST", "/_mock/repos/o/r/runs", #"{"workflow":"\#(workflow)","ref":"\#(ref)","event":"\#(event)"}"#)
            #expect(answer.status == 201, "\(answer.bodyText)")
            return try answer.json()["id"]?.intValue ?? -1
        }

        /// The group's members as the get-group endpoint shows them, `"100 in_progress"` or
        /// `"100/1002 pending"`; `[]` when the group is not active (404).
        func queue(_ group: String, repository: String = "o/r") throws -> [String] {
            let answer = try send("GET", "/repos/\(repository)/actions/concurrency_groups/\(percentEncodeSegment(group))")
            if answer.status == 404 { return [] }
            #expect(answer.status == 200, "\(answer.bodyText)")
            let body = try answer.json()
            let members = body["group_members"]?.arrayValue ?? []
            #expect(body["total_count"]?.intValue == members.count)
            return members.map { member in
                let job = member["job_id"]?.intValue.map { "/\($0)" } ?? ""
                return "\(member["run_id"]?.intValue ?? 0)\(job) \(member["status"]?.stringValue ?? "?")"
            }
        }

        /// `last_acquired_at` of each active group, from the list endpoint.
        func lastAcquired(repository: String = "o/r") throws -> [String: String] {
            let list = try json("GET", "/repos/\(repository)/actions/concurrency_groups?per_page=100")
            var result: [String: String] = [:]
            for group in list["concurrency_groups"]?.arrayValue ?? [] {
                result[group["group_name"]?.stringValue ?? ""] = group["last_acquired_at"]?.stringValue ?? "null"
            }
            return result
        }

        func run(_ id: Int) throws -> JSONValue { try json("GET", "/_mock/repos/o/r/runs/\(id)") }

        func clock() throws -> String { try json("GET", "/_mock/clock")["now"]?.stringValue ?? "?" }
    }

    // MARK: - Tests

    @Test func healthAnswersOK() throws {
        try withServer(yaml: Self.minimalFixture) { server in
            let answer = try Client(server).send("GET", "/_mock/health")
            #expect(answer.status == 200)
            #expect(answer.bodyText == #"{"status":"ok"}"#)
            #expect(answer.header("Content-Type") == "application/json; charset=utf-8")
        }
    }

    /// Invalid workflow files, each with the line and column GitHub's validation would point at.
    static let invalidWorkflows: [(source: String, line: Int, column: Int, message: String)] = [
        ("name: Deploy\non: push\nconcurrency:\n  group: deploy\n  queue: fifo\njobs:\n  a:\n    steps: [{ run: x }]\n",
         5, 10, "deploy.yml:5:10: queue must be one of single, max, not 'fifo'"),
        ("name: Deploy\non: push\nconcurrency:\n  group: deploy-${{ matrix.os }}\njobs:\n  a:\n    steps: [{ run: x }]\n",
         4, 10, "deploy.yml:4:10: Unrecognized named-value: 'matrix' in concurrency.group; available here: github, inputs, vars"),
        ("name: Deploy\non: push\nconcurrency:\n  group: \"deploy-${{ github.ref_name == }}\"\njobs:\n  a:\n    steps: [{ run: x }]\n",
         4, 38, "deploy.yml:4:38: invalid expression in concurrency.group: Unexpected end of expression: '=='. Located at position 17 within expression: github.ref_name =="),
        ("name: Deploy\non: push\nconcurrency:\n  group: [deploy\njobs:\n  a:\n    steps: [{ run: x }]\n",
         5, 5, "deploy.yml:5:5: invalid YAML: while parsing a flow sequence: did not find expected ',' or ']'"),
        ("name: Deploy\non: push\njobs:\n  a:\n    needs: b\n    steps: [{ run: x }]\n  b:\n    needs: a\n    steps: [{ run: x }]\n",
         4, 3, "deploy.yml:4:3: needs form a cycle: a -> b -> a"),
    ]

    @Test func repositoriesAndWorkflowFilesAreRegistered() throws {
        try withServer(yaml: Self.minimalFixture, arguments: Self.serverArguments) { server in
            let client = try Client(server)
            #expect(try client.send("GET", "/repos/o/r/actions/concurrency_groups").status == 404)
            let created = try client.send("PUT", "/_mock/repos/o/r", #"{"visibility":"public"}"#)
            #expect(created.status == 201)
            #expect(created.bodyText == #"{"owner":"o","name":"r","visibility":"public"}"#)
            #expect(try client.send("PUT", "/_mock/repos/o/r", #"{"visibility":"public"}"#).status == 200)
            #expect(try client.send("GET", "/repos/o/r/actions/concurrency_groups").bodyText == #"{"total_count":0,"concurrency_groups":[]}"#)

            for invalid in Self.invalidWorkflows {
                let answer = try client.send("PUT", "/_mock/repos/o/r/workflows/deploy.yml", invalid.source)
                #expect(answer.status == 422, "\(invalid.message)")
                let error = try answer.json()["errors"]?[0]
                #expect(error?["line"] == .number(Double(invalid.line)), "\(answer.bodyText)")
                #expect(error?["column"] == .number(Double(invalid.column)), "\(answer.bodyText)")
                #expect(error?["message"]?.stringValue == invalid.message)
                #expect(error?["resource"]?.stringValue == "Workflow")
                #expect(try answer.json()["message"]?.stringValue == "Validation Failed")
            }
            #expect(try client.send("GET", "/_mock/repos/o/r/workflows/deploy.yml").status == 404, "nothing was registered")
            #expect(try client.send("POST", "/_mock/repos/o/r/runs", #"{"workflow":"deploy.yml"}"#).status == 422)

            let registered = try client.send("PUT", "/_mock/repos/o/r/workflows/deploy.yml", Self.deploy)
            #expect(registered.status == 201)
            let document = try registered.json()
            #expect(document["file"] == .string("deploy.yml"))
            #expect(document["name"] == .string("Deploy"))
            #expect(document["events"] == .array([.string("push"), .string("workflow_dispatch")]))
            #expect(document["jobs"] == .array([.string("deploy")]))
            #expect(document["source"] == .string(Self.deploy))
            #expect(try client.send("PUT", "/_mock/repos/o/r/workflows/deploy.yml", Self.deploy).status == 200)
            #expect(try client.send("GET", "/_mock/repos/o/r/workflows/deploy.yml").bodyText == registered.bodyText)

            #expect(try client.send("PUT", "/_mock/repos/nobody/r/workflows/deploy.yml", Self.deploy).status == 404)
            let wrongMethod = try client.send("DELETE", "/_mock/state")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "GET, PUT")
        }
    }

    /// queue: single step by step, the queue read back through GitHub's endpoint after each step.
    @Test func runsMoveThroughAQueueSingleGroup() throws {
        try withServer(yaml: Self.minimalFixture, arguments: Self.serverArguments) { server in
            let client = try Client(server)
            try client.setUp()
            #expect(try client.queue("deploy-main") == [])

            let first = try client.send("POST", "/_mock/repos/o/r/runs", #"{"workflow":"deploy.yml","ref":"refs/heads/main","event":"push","inputs":{},"vars":{}}"#)
            #expect(first.status == 201)
            #expect(first.bodyText == #"{"id":100,"name":"Deploy","workflow":"deploy.yml","status":"in_progress","conclusion":null,"cancellation_reason":null,"cancelled_by":null,"concurrency_groups":["deploy-main"],"jobs":[{"id":1000,"key":"deploy","name":"deploy","status":"in_progress","conclusion":null,"parent_id":null,"concurrency_group":null,"workflow_concurrency_group":null,"cancellation_reason":null,"cancelled_by":null}]}"#)
            #expect(try client.queue("deploy-main") == ["100 in_progress"])
            #expect(try client.lastAcquired() == ["deploy-main": "2026-01-15T16:00:00Z"])

            #expect(try client.send("PUT", "/_mock/clock", #"{"now":"2026-01-15T16:01:00Z","frozen":true}"#).bodyText
                    == #"{"now":"2026-01-15T16:01:00Z","frozen":true}"#)
            #expect(try client.trigger() == 101)
            #expect(try client.run(101)["status"] == .string("pending"))
            #expect(try client.run(101)["jobs"]?[0]?["status"] == .string("queued"))
            #expect(try client.queue("deploy-main") == ["100 in_progress", "101 pending"])

            // A third run takes the single waiting place; the one waiting there is cancelled.
            #expect(try client.trigger() == 102)
            #expect(try client.queue("deploy-main") == ["100 in_progress", "102 pending"])
            let displaced = try client.run(101)
            #expect(displaced["status"] == .string("completed"))
            #expect(displaced["conclusion"] == .string("cancelled"))
            #expect(displaced["cancellation_reason"] == .string("Canceling since a higher priority waiting request for 'deploy-main' exists"))
            #expect(displaced["jobs"]?[0]?["conclusion"] == .string("cancelled"))

            // Another branch is another group.
            #expect(try client.trigger(ref: "refs/heads/release/1.x") == 103)
            #expect(try client.queue("deploy-release/1.x") == ["103 in_progress"])
            #expect(try client.queue("deploy-main") == ["100 in_progress", "102 pending"])

            // The holder finishes: the waiting run acquires the lease at the clock's time.
            #expect(try client.send("POST", "/_mock/clock/advance", #"{"seconds":90}"#).bodyText
                    == #"{"now":"2026-01-15T16:02:30Z","frozen":true}"#)
            #expect(try client.clock() == "2026-01-15T16:02:30Z")
            let completed = try client.send("POST", "/_mock/repos/o/r/jobs/1000/complete", #"{"conclusion":"success"}"#)
            #expect(completed.status == 200)
            #expect(try completed.json()["status"] == .string("completed"))
            #expect(try completed.json()["conclusion"] == .string("success"))
            #expect(try client.queue("deploy-main") == ["102 in_progress"])
            #expect(try client.lastAcquired()["deploy-main"] == client.clock())
            #expect(try client.run(102)["status"] == .string("in_progress"))
            #expect(try client.run(102)["jobs"]?[0]?["status"] == .string("in_progress"))
            #expect(try client.send("POST", "/_mock/repos/o/r/jobs/1001/complete").status == 422, "a cancelled job does not complete")
            #expect(try client.send("POST", "/_mock/repos/o/r/jobs/1000/complete").status == 422, "nor does a completed one")

            // Cancelling the holder releases the group, which becomes inactive.
            let cancelled = try client.send("POST", "/_mock/repos/o/r/runs/102/cancel")
            #expect(cancelled.status == 200)
            #expect(try cancelled.json()["cancellation_reason"] == .string("The run was canceled by @concurrency-mock."))
            #expect(try client.queue("deploy-main") == [])
            #expect(try client.lastAcquired() == ["deploy-release/1.x": "2026-01-15T16:01:00Z"])
            #expect(try client.send("GET", "/repos/o/r/actions/runs/102/concurrency_groups").bodyText
                    == #"{"total_count":1,"concurrency_groups":[{"group_name":"deploy-main","group_url":"https://api.github.com/repos/o/r/actions/concurrency_groups/deploy-main","group_members":[]}]}"#)
            #expect(try client.send("POST", "/_mock/repos/o/r/runs/102/cancel").status == 422, "already completed")
            #expect(try client.send("GET", "/_mock/repos/o/r/runs/999").status == 404)
        }
    }

    /// What an integration test does: trigger a run behind another and poll the run document
    /// until it starts, while something else finishes the run ahead of it.
    @Test func aClientWatchesItsRunGoFromPendingToInProgress() throws {
        try withServer(yaml: Self.minimalFixture, arguments: Self.serverArguments) { server in
            let client = try Client(server)
            try client.setUp()
            #expect(try client.trigger() == 100)
            let mine = try client.trigger()
            #expect(try client.json("GET", "/repos/o/r/actions/concurrency_groups/deploy-main?ahead_of_run=\(mine)")["total_count"] == .number(2))

            let finisher = BackgroundRequest(
                port: try #require(server.port), method: "POST", target: "/_mock/repos/o/r/jobs/1000/complete",
                body: #"{"conclusion":"success"}"#, delayMilliseconds: 200)
            var seen: [String] = []
            let deadline = monotonicMilliseconds() + 10_000
            while monotonicMilliseconds() < deadline {
                let status = try client.run(mine)["status"]?.stringValue ?? "?"
                if seen.last != status { seen.append(status) }
                if status != "pending" { break }
                usleep(10_000)
            }
            #expect(finisher.wait() == 200)
            #expect(seen == ["pending", "in_progress"])
            #expect(try client.json("GET", "/repos/o/r/actions/concurrency_groups/deploy-main?ahead_of_run=\(mine)")["total_count"] == .number(1))
            #expect(try client.queue("deploy-main") == ["\(mine) in_progress"])
        }
    }

    /// Builds a state with every kind of item (workflow, job, reusable-workflow leases across two
    /// repositories, matrix legs, a group name with '/' and non-ASCII letters), exports it, loads
    /// the export into a second process (PUT) and a third (--fixture), and compares the answers.
    @Test func theExportReproducesIdenticalAnswersInAnotherProcess() throws {
        try withServer(yaml: Self.minimalFixture, arguments: Self.serverArguments) { server in
            let client = try Client(server)
            #expect(try client.send("PUT", "/_mock/repos/o/templates", "{}").status == 201)
            #expect(try client.send("PUT", "/_mock/repos/o/templates/workflows/notify.yml", Self.notify).status == 201)
            try client.setUp([
                ("deploy.yml", Self.deploy), ("shared.yml", Self.sharedDeploy), ("release.yml", Self.release),
                ("ci.yml", Self.matrix), ("branches.yml", Self.branchGroups),
            ])
            #expect(try client.trigger("release.yml") == 100)  // jobs 1000 build, 1001 ship, 1002 ship/deploy, 1003 notify, 1004 notify/post
            #expect(try client.trigger("release.yml") == 101)  // jobs 1005..1009, waits on release-main
            #expect(try client.trigger("ci.yml") == 102)  // legs 1010..1012, report 1013
            #expect(try client.trigger("ci.yml", ref: "refs/pull/1/merge", event: "pull_request") == 103)  // 1014..1017
            #expect(try client.send("POST", "/_mock/clock/advance", #"{"seconds":30}"#).status == 200)
            #expect(try client.send("POST", "/_mock/repos/o/r/jobs/1000/complete").status == 200)
            #expect(try client.send("POST", "/_mock/repos/o/r/jobs/1010/complete", #"{"conclusion":"failure"}"#).status == 200)
            #expect(try client.trigger("branches.yml", ref: "refs/heads/feature/é") == 104)
            #expect(try client.trigger("deploy.yml") == 105)
            #expect(try client.trigger("deploy.yml") == 106)
            #expect(try client.send("POST", "/_mock/clock/advance", #"{"seconds":30}"#).status == 200)
            #expect(try client.send("POST", "/_mock/repos/o/r/jobs/1002/complete").status == 200)
            #expect(try client.send("POST", "/_mock/repos/o/r/runs/106/cancel").status == 200)

            #expect(try client.queue("Deploy-prod") == [])
            #expect(try client.queue("notify-releases") == ["100/1003 in_progress"])
            #expect(try client.queue("release-main") == ["100 in_progress", "101 pending"])
            #expect(try client.queue("test-linux") == ["103/1014 in_progress"])
            #expect(try client.queue("test-macos") == ["102/1011 in_progress", "103/1015 pending"])
            #expect(try client.queue("déploiement/feature/é") == ["104 in_progress"])

            let exported = try client.send("GET", "/_mock/state")
            #expect(exported.status == 200)
            let targets = try Self.comparisonTargets(client)
            #expect(targets.count > 40)

            try withServer(yaml: Self.minimalFixture, arguments: Self.serverArguments) { second in
                let other = try Client(second)
                #expect(try other.send("GET", "/repos/o/r/actions/concurrency_groups").status == 404, "a fresh process")
                let put = try other.send("PUT", "/_mock/state", exported.bodyText)
                #expect(put.status == 200, "\(put.bodyText)")
                #expect(put.body == exported.body)
                try Self.expectIdenticalAnswers(client, other, targets, exported: exported.bodyText)
            }
            try withTemporaryFile(named: "export.json", contents: exported.bodyText) { path in
                try withServer(fixture: path, arguments: Self.serverArguments) { third in
                    try Self.expectIdenticalAnswers(client, try Client(third), targets, exported: exported.bodyText)
                }
            }
        }
    }

    /// Every GET whose answer a reload must reproduce: both lists (whole and paged), every
    /// active group (whole and up to each member), each run's groups and run document, and the
    /// export itself.
    static func comparisonTargets(_ client: Client) throws -> [String] {
        var targets = [
            "/repos/o/r/actions/concurrency_groups", "/repos/o/r/actions/concurrency_groups?per_page=2",
            "/_mock/state", "/_mock/clock", "/_mock/repos/o/r/workflows/release.yml",
        ]
        var next: String? = "/repos/o/r/actions/concurrency_groups?per_page=1"
        while let target = next {
            targets.append(target)
            let page = try client.send("GET", target)
            next = parseLinkHeader(page.header("Link"))["next"].flatMap { requestTarget(of: $0, onBase: "https://api.github.com") }
        }
        let list = try client.json("GET", "/repos/o/r/actions/concurrency_groups?per_page=100")
        for group in list["concurrency_groups"]?.arrayValue ?? [] {
            let target = "/repos/o/r/actions/concurrency_groups/\(percentEncodeSegment(group["group_name"]?.stringValue ?? ""))"
            targets.append(target)
            for member in try client.json("GET", target)["group_members"]?.arrayValue ?? [] {
                if let job = member["job_id"]?.intValue {
                    targets.append("\(target)?ahead_of_job=\(job)")
                } else {
                    targets.append("\(target)?ahead_of_run=\(member["run_id"]?.intValue ?? 0)")
                }
            }
        }
        for run in 100...106 {
            targets += [
                "/repos/o/r/actions/runs/\(run)/concurrency_groups",
                "/repos/o/r/actions/runs/\(run)/concurrency_groups?per_page=1",
                "/_mock/repos/o/r/runs/\(run)",
            ]
        }
        return targets
    }

    static func expectIdenticalAnswers(_ original: Client, _ reloaded: Client, _ targets: [String], exported: String) throws {
        for target in targets {
            let expected = try original.send("GET", target)
            let actual = try reloaded.send("GET", target)
            #expect(actual.status == expected.status, "\(target)")
            #expect(actual.header("Link") == expected.header("Link"), "\(target)")
            #expect(actual.body == expected.body, "\(target): \(actual.bodyText) != \(expected.bodyText)")
        }
        // Both go on with the same ids and the same queues.
        #expect(try reloaded.send("POST", "/_mock/repos/o/r/runs", #"{"workflow":"deploy.yml"}"#).body
                == original.send("POST", "/_mock/repos/o/r/runs", #"{"workflow":"deploy.yml"}"#).body)
        let finished = try reloaded.send("POST", "/_mock/repos/o/r/jobs/1004/complete")
        #expect(finished.status == 200)
        #expect(try finished.body == original.send("POST", "/_mock/repos/o/r/jobs/1004/complete").body)
        #expect(try reloaded.queue("release-main") == ["101 in_progress"])
        #expect(try reloaded.send("GET", "/_mock/state").body == original.send("GET", "/_mock/state").body)
        // The original goes back to the exported state for the next comparison.
        #expect(try original.send("PUT", "/_mock/state", exported).status == 200)
    }

    @Test func resetRestoresTheStartingState() throws {
        try withServer(yaml: Self.minimalFixture, arguments: Self.serverArguments) { server in
            let client = try Client(server)
            let start = try client.send("GET", "/_mock/state")
            let startDocument = try start.json()
            #expect(startDocument["now"] == .string("2026-01-15T16:00:00Z"))
            #expect(startDocument["run_id_start"] == .number(100))
            #expect(startDocument["job_id_start"] == .number(1000))
            #expect(startDocument["repositories"] == .array([]))
            try client.setUp()
            try client.trigger()
            try client.trigger()
            #expect(try client.send("POST", "/_mock/clock/advance", #"{"seconds":600}"#).status == 200)
            #expect(try client.send("POST", "/_mock/repos/o/r/jobs/1000/complete").status == 200)
            let elsewhere = #"{"now":"2027-01-01T00:00:00Z","frozen":false,"repositories":[{"owner":"x","name":"y"}]}"#
            #expect(try client.send("PUT", "/_mock/state", elsewhere).status == 200)
            #expect(try client.send("GET", "/repos/x/y/actions/concurrency_groups").status == 200)

            let reset = try client.send("POST", "/_mock/reset")
            #expect(reset.status == 200)
            #expect(reset.bodyText == #"{"status":"reset"}"#)
            #expect(try client.send("GET", "/_mock/state").body == start.body)
            #expect(try client.send("GET", "/_mock/clock").bodyText == #"{"now":"2026-01-15T16:00:00Z","frozen":true}"#)
            #expect(try client.send("GET", "/repos/x/y/actions/concurrency_groups").status == 404)
            #expect(try client.send("GET", "/repos/o/r/actions/concurrency_groups").status == 404)
            try client.setUp()
            #expect(try client.trigger() == 100, "ids start over")
            #expect(try client.lastAcquired() == ["deploy-main": "2026-01-15T16:00:00Z"])
        }
    }

    static let workflowFixtures: [(file: String, repository: String, queues: [String: [String]])] = [
        ("queue-single.yml", "acme/web", [
            "deploy-main": ["100 in_progress", "102 pending"], "deploy-release/2026.1": ["103 in_progress"],
        ]),
        ("queue-max.yml", "acme/api", ["db-migrations-production": ["101 in_progress", "102 pending", "104 pending"]]),
        ("cancel-in-progress.yml", "acme/site", ["ci-feature/login": ["103 in_progress"], "ci-main": ["100 in_progress", "101 pending"]]),
        ("reusable-workflows-live.yml", "acme/shop", [
            "deploy-staging": ["102/1015 in_progress"], "notify-releases": ["100/1005 in_progress", "101/1012 pending"],
        ]),
        ("deadlock.yml", "acme/shop", ["deploy-production": ["102 in_progress"]]),
        ("matrix-live.yml", "acme/mobile", [
            "test-macos-latest": ["101/1009 in_progress", "101/1010 pending"],
            "test-ubuntu-latest": ["101/1007 in_progress", "101/1008 pending", "101/1012 pending"],
            "test-windows-latest": ["101/1011 in_progress"],
        ]),
    ]

    static let fixturesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The binary serves each workflow-based fixture's queues (private repositories need a token).
    @Test(arguments: workflowFixtures.map(\.file))
    func theBinaryServesEachWorkflowFixture(_ file: String) throws {
        let expected = try #require(Self.workflowFixtures.first { $0.file == file })
        try withServer(fixture: Self.fixturesDirectory.appendingPathComponent(file).path) { server in
            let connection = try server.connect()
            let headers = [("Authorization", "Bearer test")]
            let list = try connection.get("/repos/\(expected.repository)/actions/concurrency_groups", headers: headers).json()
            let names = list["concurrency_groups"]?.arrayValue?.compactMap { $0["group_name"]?.stringValue } ?? []
            #expect(names == expected.queues.keys.sorted(by: groupNameOrder))
            for (group, members) in expected.queues {
                let answer = try connection.get(
                    "/repos/\(expected.repository)/actions/concurrency_groups/\(percentEncodeSegment(group))", headers: headers).json()
                let shown = answer["group_members"]?.arrayValue?.map { member in
                    "\(member["run_id"]?.intValue ?? 0)\(member["job_id"]?.intValue.map { "/\($0)" } ?? "") \(member["status"]?.stringValue ?? "?")"
                }
                #expect(shown == members, "\(group)")
            }
            #expect(try connection.get("/_mock/clock").bodyText.hasSuffix(#","frozen":true}"#))
        }
    }

    /// A fixture's replayed state is live: the next event continues from it, and reset goes
    /// back to the replayed state, not to an empty one.
    @Test func aWorkflowFixtureGoesOnLiveAndResetsToItsReplayedState() throws {
        try withServer(fixture: Self.fixturesDirectory.appendingPathComponent("queue-single.yml").path) { server in
            let client = try Client(server)
            let group = "/repos/acme/web/actions/concurrency_groups/deploy-main"
            let before = try client.send("GET", group)
            #expect(try client.queue("deploy-main", repository: "acme/web") == ["100 in_progress", "102 pending"])
            #expect(try before.json()["group_members"]?[1]?["run_name"] == .string("Deploy main (carol)"))
            #expect(try client.clock() == "2026-01-15T16:02:30Z")
            #expect(try client.send("POST", "/_mock/clock/advance", #"{"seconds":30}"#).status == 200)
            #expect(try client.send("POST", "/_mock/repos/acme/web/jobs/1001/complete").status == 200)
            #expect(try client.queue("deploy-main", repository: "acme/web") == ["102 in_progress"])
            #expect(try client.lastAcquired(repository: "acme/web")["deploy-main"] == "2026-01-15T16:03:00Z")
            let next = try client.send("POST", "/_mock/repos/acme/web/runs", #"{"workflow":"deploy.yml","actor":"erin"}"#)
            #expect(try next.json()["id"] == .number(104))
            #expect(try next.json()["name"] == .string("Deploy main (erin)"))
            #expect(try next.json()["jobs"]?[0]?["id"] == .number(1008))
            #expect(try client.queue("deploy-main", repository: "acme/web") == ["102 in_progress", "104 pending"])
            #expect(try client.send("POST", "/_mock/reset").status == 200)
            #expect(try client.send("GET", group).body == before.body)
        }
    }

    /// HEAD is accepted wherever GET is, and must answer like GET without a body.
    @Test func headOnTheWorkflowDocumentAnswersLikeGet() throws {
        try withServer(yaml: Self.minimalFixture, arguments: Self.serverArguments) { server in
            let client = try Client(server)
            try client.setUp()
            let get = try client.send("GET", "/_mock/repos/o/r/workflows/deploy.yml")
            #expect(get.status == 200)
            let head = try client.send("HEAD", "/_mock/repos/o/r/workflows/deploy.yml")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == get.header("Content-Length"))
            for target in ["/_mock/health", "/_mock/clock", "/_mock/state", "/_mock/repos/o/r/runs/999"] {
                let expected = try client.send("GET", target)
                let answer = try client.send("HEAD", target)
                #expect(answer.status == expected.status, "\(target)")
                #expect(answer.header("Content-Length") == expected.header("Content-Length"), "\(target)")
            }
            #expect(try client.send("GET", "/_mock/repos/o/r/workflows/deploy.yml").body == get.body, "HEAD changed nothing")
        }
    }

    /// Editors on Windows save UTF-8 with a byte-order mark; YAML allows one at the start of a
    /// stream, and GitHub runs such workflow files.
    @Test func aWorkflowFileWithAByteOrderMarkRegisters() throws {
        try withServer(yaml: Self.minimalFixture, arguments: Self.serverArguments) { server in
            let client = try Client(server)
            try client.setUp([])
            let answer = try client.connection.request(
                "PUT", "/_mock/repos/o/r/workflows/deploy.yml", body: [0xEF, 0xBB, 0xBF] + Array(Self.deploy.utf8))
            let run = try client.send("POST", "/_mock/repos/o/r/runs", #"{"workflow":"deploy.yml"}"#)
            #expect(answer.status == 201, "\(answer.bodyText)")
            #expect(run.status == 201, "\(run.bodyText)")
        }
    }

    /// The clock may be moved forward without limit, but every time the mock writes must stay
    /// RFC 3339 (four-digit years), or GitHub clients fail to parse `last_acquired_at` and the
    /// exported state no longer loads.
    @Test func theClockStaysWithinRFC3339() throws {
        try withServer(yaml: Self.minimalFixture, arguments: Self.serverArguments) { server in
            let client = try Client(server)
            try client.setUp()
            #expect(try client.send("PUT", "/_mock/clock", #"{"now":"9999-12-31T23:59:59Z"}"#).status == 200)
            let advanced = try client.send("POST", "/_mock/clock/advance", #"{"seconds":1}"#)
            try client.trigger()
            let exported = try client.send("GET", "/_mock/state")
            let reloaded = try client.send("PUT", "/_mock/state", exported.bodyText)
            let acquired = try client.lastAcquired()["deploy-main"]
            #expect(advanced.status == 422, "\(advanced.bodyText)")
            #expect(acquired?.count == 20, "RFC 3339 with a four-digit year: \(acquired ?? "null")")
            #expect(reloaded.status == 200, "\(reloaded.bodyText)")
        }
    }
}

/// One request sent from another thread on its own connection after a delay, as a second
/// client (a CI runner finishing a job) would.
final class BackgroundRequest: Sendable {
    private let status = Mutex<Int?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(port: Int, method: String, target: String, body: String, delayMilliseconds: UInt32) {
        let thread = Thread { [self] in
            usleep(delayMilliseconds * 1000)
            let answer = try? HTTPConnection(port: port).request(
                method, target, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
            status.withLock { $0 = answer?.status ?? -1 }
            done.signal()
        }
        thread.start()
    }

    /// Waits (bounded) for the answer; its status, or `nil` on timeout.
    func wait(seconds: Int = 15) -> Int? {
        guard done.wait(timeout: .now() + .seconds(seconds)) == .success else { return nil }
        return status.withLock { $0 }
    }
}
