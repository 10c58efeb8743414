import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The event stream, the request journal and faults through the real binary over real sockets.
@Suite struct InstrumentsEndToEndTests {
    static let fixture = """
        now: "2026-03-01T09:00:00Z"
        frozen: true
        run_id_start: 500
        job_id_start: 5000
        repositories:
          - { owner: acme, name: shop, visibility: public }
        """

    static let deploy = """
        name: Deploy
        on: push
        concurrency:
          group: deploy-${{ github.ref_name }}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps: [{ run: ./deploy.sh }]
        """

    /// A group named after the branch: long branch names make large `group.*` events.
    static let branchGroup = """
        name: Branch
        on: push
        concurrency: b-${{ github.ref_name }}
        jobs:
          build:
            steps: [{ run: make }]
        """

    static func register(_ connection: HTTPConnection, _ file: String, _ source: String) throws {
        let answer = try connection.request("PUT", "/_mock/repos/acme/shop/workflows/\(file)", body: Array(source.utf8))
        #expect(answer.status == 201, "\(answer.bodyText)")
    }

    static func trigger(_ connection: HTTPConnection, _ file: String = "deploy.yml") throws -> Int {
        let answer = try connection.request("POST", "/_mock/repos/acme/shop/runs", body: Array(#"{"workflow":"\#(file)","ref":"refs/heads/main"}"#.utf8))
        #expect(answer.status == 201, "\(answer.bodyText)")
        return try answer.json()["id"]?.intValue ?? -1
    }

    // MARK: - Event stream

    @Test func aSubscriberSeesATriggersEventsWithin100Milliseconds() throws {
        try withServer(yaml: Self.fixture) { server in
            let control = try server.connect()
            try Self.register(control, "deploy.yml", Self.deploy)
            let stream = try EventStreamClient(port: server.port!, target: "/_mock/events/stream?repository=acme/shop")
            #expect(stream.waitForText(": concurrency-mock events", milliseconds: 5_000))
            let head = stream.head ?? ""
            #expect(head.hasPrefix("HTTP/1.1 200"))
            #expect(head.contains("Content-Type: text/event-stream"))
            #expect(head.contains("Transfer-Encoding: chunked"))
            #expect(stream.events.isEmpty, "without a cursor the stream starts with the next event")
            var worst = 0
            for round in 0..<3 {
                let before = stream.events.count
                let sent = monotonicMilliseconds()
                try control.sendRequest("POST", "/_mock/repos/acme/shop/runs", body: Array(#"{"workflow":"deploy.yml","ref":"refs/heads/r\#(round)"}"#.utf8))
                    // Four events per trigger, the last job.started.
                stream.waitForEvents(before + 4)
                worst = max(worst, monotonicMilliseconds() - sent)
                #expect(stream.events.dropFirst(before).contains { $0.type == "job.started" })
                #expect(try control.receiveResponse(isHead: false).status == 201)
            }
            #expect(worst < 100, "an event took \(worst) ms to reach the subscriber")
            let types = stream.events.prefix(4).map { $0.type ?? "" }
            #expect(types == ["run.created", "group.requested", "group.acquired", "job.started"])
            // Each event's data is the JSON object GET /_mock/events writes.
            let journal = try control.get("/_mock/events").json()["events"]?.arrayValue ?? []
            let streamed = stream.events.map { event -> JSONValue? in try? JSONValue(parsing: event.data) }
            let listed = journal.map { value -> JSONValue? in value }
            #expect(streamed == listed)
            let streamedIDs = stream.events.map(\.id)
            let listedIDs = journal.map { $0["seq"]?.intValue }
            #expect(streamedIDs == listedIDs)
        }
    }

    @Test func aSubscriberResumesWithLastEventIDWithoutGapsOrRepeats() throws {
        try withServer(yaml: Self.fixture) { server in
            let control = try server.connect()
            try Self.register(control, "deploy.yml", Self.deploy)
            var first: EventStreamClient? = try EventStreamClient(port: server.port!, target: "/_mock/events/stream?since=0")
            _ = try Self.trigger(control)
            _ = try Self.trigger(control)
            #expect(first!.waitForEvents(6))
            // The client goes away partway through; more happens while it is gone.
            let received = first!.events.prefix(6)
            let lastID = try #require(received.last?.id)
            first!.close()
            first = nil
            _ = try Self.trigger(control)
            #expect(try control.request("POST", "/_mock/clock/advance", body: Array(#"{"seconds":5}"#.utf8)).status == 200)
            let total = try control.get("/_mock/events").json()["events"]?.arrayValue?.count ?? 0
            let resumed = try EventStreamClient(port: server.port!, target: "/_mock/events/stream", headers: [("Last-Event-ID", String(lastID))])
            #expect(resumed.waitForEvents(total - lastID))
            _ = try Self.trigger(control)
            let after = try control.get("/_mock/events").json()["events"]?.arrayValue?.count ?? 0
            #expect(resumed.waitForEvents(after - lastID))
            let ids = received.compactMap(\.id) + resumed.events.compactMap(\.id)
            #expect(ids == Array(1...after))
        }
    }

    @Test func manySubscribersWithTheirOwnFiltersAndABadStreamRequestIsRefused() throws {
        try withServer(yaml: Self.fixture) { server in
            let control = try server.connect()
            try Self.register(control, "deploy.yml", Self.deploy)
            let all = try (0..<20).map { _ in try EventStreamClient(port: server.port!, target: "/_mock/events/stream") }
            let created = try EventStreamClient(port: server.port!, target: "/_mock/events/stream?type=run.created")
            let other = try EventStreamClient(port: server.port!, target: "/_mock/events/stream?repository=acme/other")
            for client in all + [created, other] { #expect(client.waitForHead()) }
            let run = try Self.trigger(control)
            for client in all {
                client.waitForEvents(4)
                #expect(client.events.count == 4)
            }
            created.waitForEvents(1)
            #expect(created.events.count == 1)
            #expect(created.events.first?.type == "run.created")
            #expect((try? JSONValue(parsing: created.events.first?.data ?? ""))?["run_id"]?.intValue == run)
            other.receive(waitingMilliseconds: 100)
            #expect(other.events.isEmpty)
            // A bad query gets GitHub's error body and opens nothing.
            let refused = try control.get("/_mock/events/stream?type=nope")
            #expect(refused.status == 422)
            #expect(try refused.json()["errors"]?[0]?["field"]?.stringValue == "type")
            let badID = try control.get("/_mock/events/stream", headers: [("Last-Event-ID", "x1")])
            #expect(badID.status == 422)
            #expect(try control.get("/_mock/health").status == 200)
        }
    }

    @Test func aSubscriberThatStopsReadingIsDroppedAndOthersGoOn() throws {
        try withServer(yaml: Self.fixture) { server in
            let control = try server.connect()
            let stalled = try EventStreamClient(port: server.port!, target: "/_mock/events/stream", receiveBuffer: 4096)
            let reader = try EventStreamClient(port: server.port!, target: "/_mock/events/stream?type=run.created")
            #expect(stalled.waitForHead())
            // Three events of 8 KiB per round: far more than the limit (1 MiB) and the kernel's
            // buffers. A reset after each round keeps the state (and debug builds' checks) small.
            let padding = String(repeating: "x", count: 8192)
            var triggered = 0
            for round in 0..<300 {
                if round > 0 { #expect(try control.request("POST", "/_mock/reset").status == 200) }
                try Self.register(control, "branch.yml", Self.branchGroup)
                let run = try control.request("POST", "/_mock/repos/acme/shop/runs", body: Array(#"{"workflow":"branch.yml","ref":"refs/heads/\#(round)-\#(padding)"}"#.utf8))
                #expect(run.status == 201)
                let id = try run.json()["id"]?.intValue ?? 0
                #expect(try control.request("POST", "/_mock/repos/acme/shop/runs/\(id)/complete").status == 200)
                triggered += 1
            }
            reader.waitForEvents(triggered, milliseconds: 5_000)
            #expect(reader.events.count == triggered)
            // The stalled client now reads: it gets what was buffered, then the end of the stream.
            let deadline = monotonicMilliseconds() + 20_000
            while !stalled.closed && monotonicMilliseconds() < deadline { stalled.receive(waitingMilliseconds: 200) }
            #expect(stalled.closed, "the server did not drop a subscriber that stopped reading")
            let journaled = try control.get("/_mock/events?limit=1").json()["total_count"]?.intValue ?? 0
            #expect(stalled.events.count < journaled)
            #expect(try control.get("/_mock/health").status == 200)
        }
    }

    @Test func anIdleStreamGetsAHeartbeatEvery15Seconds() throws {
        try withServer(yaml: Self.fixture) { server in
            let stream = try EventStreamClient(port: server.port!, target: "/_mock/events/stream")
            #expect(stream.waitForHead())
            let opened = monotonicMilliseconds()
            let beat = stream.waitForText(": heartbeat\n\n", milliseconds: 20_000)
            let waited = monotonicMilliseconds() - opened
            #expect(beat)
            #expect(waited > 14_000 && waited < 17_000, "the heartbeat came after \(waited) ms: \(stream.text.debugDescription)")
            #expect(stream.events.isEmpty)
            #expect(!stream.closed)
        }
    }

    @Test func theServerStopsCleanlyWithOpenStreamsAndDelayedAnswers() throws {
        try withServer(yaml: Self.fixture) { server in
            let control = try server.connect()
            #expect(try control.request("POST", "/_mock/faults", body: Array(#"{"delay_ms":10000}"#.utf8)).status == 201)
            let streams = try (0..<3).map { _ in try EventStreamClient(port: server.port!, target: "/_mock/events/stream") }
            for stream in streams { #expect(stream.waitForHead()) }
            let waiting = try server.connect()
            try waiting.sendRequest("GET", "/versions")
            usleep(100_000)
            let started = monotonicMilliseconds()
            #expect(server.stop() == .exited(0), "stderr: \(server.stderr.text)")
            #expect(monotonicMilliseconds() - started < 5_000)
            for stream in streams { #expect(stream.waitForClose(milliseconds: 2_000)) }
        }
    }

    // MARK: - Request journal

    @Test func theRequestJournalShowsARealClientsRequestsWithTheirHeaders() throws {
        try withServer(yaml: Self.fixture) { server in
            let client = try server.connect()
            let answer = try client.get("/repos/acme/shop/actions/concurrency_groups?per_page=5", headers: [
                ("Authorization", "token ghp_0123456789abcdefWXYZ"), ("User-Agent", "octokit-rest.js/21.0.0"),
                ("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28"),
            ])
            #expect(answer.status == 200)
            #expect(try client.request("POST", "/repos/acme/shop/actions/concurrency_groups", body: Array("{\"x\":1}".utf8)).status == 404)
            let journal = try client.get("/_mock/requests").json()
            #expect(journal["total_count"]?.intValue == 2)
            let first = try #require(journal["requests"]?[0])
            #expect(first["method"]?.stringValue == "GET")
            #expect(first["path"]?.stringValue == "/repos/acme/shop/actions/concurrency_groups")
            #expect(first["query"] == .object(["per_page": .string("5")]))
            #expect(first["status"]?.intValue == 200)
            #expect(first["headers"] == .object([
                "host": .string("127.0.0.1:\(server.port!)"), "authorization": .string("token ****WXYZ"),
                "user-agent": .string("octokit-rest.js/21.0.0"), "accept": .string("application/vnd.github+json"),
                "x-github-api-version": .string("2022-11-28"),
            ]))
            #expect(first["body"] == .null)
            #expect(first["remote_address"]?.stringValue == "127.0.0.1")
            #expect((first["duration_us"]?.intValue ?? -1) >= 0)
            #expect(first["at"]?.stringValue?.hasSuffix("Z") == true)
            let second = try #require(journal["requests"]?[1])
            #expect(second["body"]?.stringValue == "{\"x\":1}")
            #expect(second["status"]?.intValue == 404)
            #expect(try client.get("/_mock/requests?include_control=true").json()["total_count"]?.intValue == 3)
            #expect(try client.request("DELETE", "/_mock/requests").status == 204)
            #expect(try client.get("/_mock/requests").json()["total_count"]?.intValue == 0)
        }
    }

    @Test func journalsStayWithinTheirBoundsUnderLoad() throws {
        try withServer(yaml: Self.fixture, arguments: ["--request-journal-size", "50", "--event-journal-size", "40"]) { server in
            let control = try server.connect()
            try Self.register(control, "deploy.yml", Self.deploy)
            let clients = try (0..<4).map { _ in try server.connect() }
            for index in 0..<100 {
                for client in clients { #expect(try client.get("/versions").status == 200) }
                if index % 10 == 0 { _ = try Self.trigger(control) }
            }
            let requests = try control.get("/_mock/requests?include_control=true").json()
            #expect(requests["total_count"]?.intValue == 50)
            let seqs = requests["requests"]?.arrayValue?.compactMap { $0["seq"]?.intValue } ?? []
            #expect(seqs == Array((seqs.first ?? 0)..<((seqs.first ?? 0) + 50)))
            #expect((seqs.first ?? 0) > 350)
            let events = try control.get("/_mock/events").json()
            #expect(events["total_count"]?.intValue == 40)
            let oldest = events["oldest_seq"]?.intValue ?? 0
            #expect(events["events"]?[0]?["seq"]?.intValue == oldest)
            #expect(oldest > 1)
        }
    }

    @Test func theJSONAccessLogWritesTheJournalsFields() throws {
        try withServer(yaml: Self.fixture, arguments: ["--log-format", "json"], quiet: false) { server in
            let client = try server.connect()
            #expect(try client.get("/versions", headers: [("Authorization", "Bearer abcdefgh")]).status == 200)
            #expect(server.stderr.waitFor(milliseconds: 2_000) { $0.contains("\"path\":\"/versions\"") })
            let line = try #require(server.stderr.text.split(separator: "\n").first { $0.contains("\"path\":\"/versions\"") })
            let entry = try JSONValue(parsing: String(line))
            #expect(entry.keys == ["seq", "at", "method", "path", "query", "status", "headers", "body", "duration_us", "remote_address", "fault"])
            #expect(entry["headers"]?["authorization"]?.stringValue == "Bearer ****efgh")
            #expect(entry["status"]?.intValue == 200)
            // What the transport refuses itself is logged as JSON too.
            let refused = try server.connect()
            try refused.sendRequest("POST", "/versions", body: Array(repeating: UInt8(ascii: "x"), count: 20_000))
            #expect(try refused.receiveResponse(isHead: false).status == 413)
            #expect(server.stderr.waitFor(milliseconds: 2_000) { $0.contains("\"refused\":true") })
            let refusal = try #require(server.stderr.text.split(separator: "\n").first { $0.contains("\"refused\":true") })
            let logged = try JSONValue(parsing: String(refusal))
            #expect(logged["status"]?.intValue == 413)
            #expect(logged["path"]?.stringValue == "/versions")
        }
    }

    // MARK: - Faults

    @Test func badInputToTheNewRoutesGetsGitHubsErrorBodyAndChangesNothing() throws {
        try withServer(yaml: Self.fixture) { server in
            let client = try server.connect()
            #expect(try client.request("POST", "/_mock/faults", body: Array(#"{"respond":{"status":502},"times":3}"#.utf8)).status == 201)
            let faults = try client.get("/_mock/faults").bodyText
            let cases: [(String, String, String, Int)] = [
                ("POST", "/_mock/faults", #"{"respond":{"status":200}}"#, 422),
                ("POST", "/_mock/faults", #"{"delay_ms":-1}"#, 422),
                ("POST", "/_mock/faults", #"{"match":{"path":"/_mock/state"}}"#, 422),
                ("POST", "/_mock/faults", #"{"colour":"red"}"#, 422),
                ("POST", "/_mock/faults", "[", 422),
                ("DELETE", "/_mock/faults/2", "", 404),
                ("DELETE", "/_mock/faults/0", "", 404),
                ("PUT", "/_mock/faults", "{}", 405),
                ("PUT", "/_mock/faults/1", "{}", 405),
                ("GET", "/_mock/requests?since=x", "", 422),
                ("GET", "/_mock/requests?include_control=1", "", 422),
                ("PUT", "/_mock/requests", "{}", 405),
                ("GET", "/_mock/events/stream?run_id=0", "", 422),
                ("POST", "/_mock/events/stream", "", 405),
            ]
            for (method, target, body, status) in cases {
                let answer = try client.request(method, target, body: Array(body.utf8))
                #expect(answer.status == status, "\(method) \(target) \(body): \(answer.bodyText)")
                let error = try answer.json()
                #expect(error["message"]?.stringValue != nil, "\(method) \(target)")
                #expect(error["documentation_url"]?.stringValue == "README.md#control-api", "\(method) \(target)")
                #expect(error["status"]?.stringValue == String(status), "\(method) \(target)")
                if status == 422 { #expect(error["errors"]?[0]?["field"] != nil, "\(method) \(target)") }
                if status == 405 { #expect(answer.header("Allow") != nil) }
            }
            #expect(try client.get("/_mock/faults").bodyText == faults)
            #expect(try client.get("/_mock/requests").json()["total_count"]?.intValue == 0)
        }
    }

    @Test func eachFaultKindAnswersAsDescribed() throws {
        try withServer(yaml: Self.fixture) { server in
            let control = try server.connect()
            let groups = "/repos/acme/shop/actions/concurrency_groups"
            func add(_ body: String) throws {
                let answer = try control.request("POST", "/_mock/faults", body: Array(body.utf8))
                #expect(answer.status == 201, "\(answer.bodyText)")
            }
            try add(#"{"match":{"method":"GET","path":"/repos/acme/shop/actions/concurrency_groups*"},"respond":{"status":502},"times":1}"#)
            let client = try server.connect()
            let bad = try client.get(groups)
            #expect(bad.status == 502)
            #expect(bad.bodyText == #"{"message":"Server Error","documentation_url":"https://docs.github.com/rest","status":"502"}"#)
            #expect(bad.header("Content-Type") == "application/json; charset=utf-8")
            #expect(try client.get(groups).status == 200, "times: 1 applies once")

            try add(#"{"respond":{"secondary_rate_limit":{"retry_after":60}},"times":1}"#)
            let limited = try client.get(groups)
            #expect(limited.status == 403)
            #expect(limited.header("Retry-After") == "60")
            #expect(limited.bodyText.contains("You have exceeded a secondary rate limit. Please wait a few minutes before you try again."))

            try add(#"{"respond":{"drop":true},"times":1}"#)
            let dropped = try server.connect()
            try dropped.sendRequest("GET", groups)
            #expect(try dropped.waitForClose(milliseconds: 2_000))
            #expect(try dropped.strayBytes(waitingMilliseconds: 0).isEmpty, "a drop answers nothing")

            try add(#"{"respond":{"status":503},"probability":0.0}"#)
            #expect(try client.get(groups).status == 200, "a rule that never draws never applies")

            let journal = try control.get("/_mock/requests").json()["requests"]?.arrayValue ?? []
            #expect(journal.map { $0["status"] } == [.number(502), .number(200), .number(403), .null, .number(200)])
            #expect(journal.map { $0["fault"]?["kind"]?.stringValue } == ["status", nil, "secondary_rate_limit", "drop", nil])
            #expect(try control.get("/_mock/health").status == 200, "faults never touch /_mock")
        }
    }

    @Test func aDelayedRequestDoesNotHoldUpAConcurrentOne() throws {
        try withServer(yaml: Self.fixture) { server in
            let control = try server.connect()
            let answer = try control.request("POST", "/_mock/faults", body: Array(#"{"match":{"path":"/repos/acme/shop/*"},"delay_ms":800}"#.utf8))
            #expect(answer.status == 201)
            let slow = try server.connect()
            let started = monotonicMilliseconds()
            try slow.sendRequest("GET", "/repos/acme/shop/actions/concurrency_groups")
            usleep(50_000)
            let fast = try server.connect()
            #expect(try fast.get("/versions").status == 200)
            #expect(try control.get("/_mock/health").status == 200)
            let fastDone = monotonicMilliseconds() - started
            #expect(fastDone < 600, "a concurrent request waited \(fastDone) ms behind a delayed one")
            let delayed = try slow.receiveResponse(isHead: false)
            let slowDone = monotonicMilliseconds() - started
            #expect(delayed.status == 200)
            #expect(slowDone >= 790, "the delayed answer came after \(slowDone) ms")
            // The connection carries on after a delayed answer.
            #expect(try slow.get("/versions").status == 200)
            let journal = try control.get("/_mock/requests?path=/repos/acme/shop/*").json()["requests"]?[0]
            #expect((journal?["duration_us"]?.intValue ?? 0) >= 800_000)
            #expect(journal?["fault"]?["kind"]?.stringValue == "delay")
        }
    }

    @Test func aClientThatLeavesDuringADelayCostsNothing() throws {
        try withServer(yaml: Self.fixture) { server in
            let control = try server.connect()
            #expect(try control.request("POST", "/_mock/faults", body: Array(#"{"delay_ms":300}"#.utf8)).status == 201)
            for _ in 0..<10 {
                let leaving = try server.connect()
                try leaving.sendRequest("GET", "/versions")
                leaving.close()
            }
            usleep(500_000)
            #expect(try control.request("DELETE", "/_mock/faults").status == 204)
            #expect(try control.get("/versions").status == 200)
        }
    }

    @Test func fixtureFaultsApplyFromTheStartAndTheExportKeepsThem() throws {
        let yaml = Self.fixture + "\nfaults:\n  - { match: { method: GET, path: /versions }, respond: { status: 500 }, times: 2 }\n"
        try withServer(yaml: yaml) { server in
            let client = try server.connect()
            #expect(try client.get("/versions").status == 500)
            let state = try client.get("/_mock/state").json()
            #expect(state["faults"]?[0]?["times"]?.intValue == 1)
            #expect(state["requests"] == nil)
            #expect(try client.get("/versions").status == 500)
            #expect(try client.get("/versions").status == 200)
        }
    }
}
