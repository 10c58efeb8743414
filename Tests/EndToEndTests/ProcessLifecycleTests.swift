import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The command line: the listening line, the access log, signals, refused fixtures and options.
@Suite struct ProcessLifecycleTests {
    @Test func accessLogHasOneLinePerRequest() throws {
        let server = try ServerProcess(arguments: ["--host", "127.0.0.1", "--port", "0"])
        defer { server.stop() }
        let port = try server.waitUntilListening()
        let connection = try server.connect()
        let requests: [(String, String, Int)] = [
            ("GET", "/repos/octocat/Hello-World/actions/concurrency_groups?per_page=1", 200),
            ("HEAD", "/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod", 200),
            ("GET", "/repos/octocat/Hello-World/actions/concurrency_groups/no%20such", 404),
            ("GET", "/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups?per_page=0", 422),
            ("DELETE", "/repos/octocat/Hello-World/actions/concurrency_groups", 404),
        ]
        for (index, (method, target, status)) in requests.enumerated() {
            #expect(try connection.request(method, target).status == status)
            // The line is written once the answer is sent; wait for it (bounded).
            let logged = server.stderr.waitFor(milliseconds: 5_000) { $0.split(separator: "\n").count > index }
            #expect(logged, "no access-log line for \(method) \(target)")
        }
        #expect(server.stop(signal: SIGTERM) == .exited(0))

        #expect(server.stdout.text == "listening on http://127.0.0.1:\(port)\n")
        let lines = server.stderr.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.last == "", "stderr does not end with a newline")
        let entries = lines.dropLast()
        try #require(entries.count == requests.count, "stderr: \(server.stderr.text)")
        for (line, (method, target, status)) in zip(entries, requests) {
            let accessLogLine = #/(?<method>[A-Z]+) (?<target>\S+) (?<status>\d{3}) (?<micros>\d+)us/#
            let match = try #require(line.wholeMatch(of: accessLogLine), "not an access-log line: \(line.debugDescription)")
            #expect(match.method == method)
            #expect(match.target == target)
            #expect(Int(match.status) == status)
            #expect(Int(match.micros).map { $0 >= 0 && $0 < 5_000_000 } == true, "\(line)")
        }
    }

    /// Lines are written in batches (not one write(2) per request on the loop), and every one of
    /// them is out before the server exits.
    @Test func everyAccessLogLineIsWrittenBeforeTheServerExits() throws {
        let server = try ServerProcess(arguments: ["--port", "0"])
        defer { server.stop(signal: SIGKILL) }
        try server.waitUntilListening()
        let connection = try server.connect()
        for _ in 0..<50 { #expect(try connection.get("/repos/octocat/Hello-World/actions/concurrency_groups").status == 200) }
        #expect(server.stop(signal: SIGTERM) == .exited(0))
        server.stderr.waitForEnd(milliseconds: 2_000)
        let lines = server.stderr.text.split(separator: "\n")
        #expect(lines.count == 50)
        #expect(lines.allSatisfy { $0.hasPrefix("GET /repos/octocat/Hello-World/actions/concurrency_groups 200 ") })
    }

    @Test func quietWritesNoAccessLog() throws {
        let server = try ServerProcess(arguments: ["--port", "0", "--quiet"])
        defer { server.stop() }
        try server.waitUntilListening()
        let connection = try server.connect()
        for _ in 0..<3 { _ = try connection.get("/repos/octocat/Hello-World/actions/concurrency_groups") }
        _ = try connection.get("/nowhere")
        #expect(server.stop() == .exited(0))
        #expect(server.stderr.text == "")
        #expect(server.stdout.text.split(separator: "\n").count == 1)
    }

    @Test(arguments: [SIGINT, SIGTERM], [false, true])
    func signalsStopTheServerCleanly(signal: Int32, keepConnectionOpen: Bool) throws {
        let server = try ServerProcess(arguments: ["--port", "0"])
        defer { server.stop(signal: SIGKILL) }
        try server.waitUntilListening()
        // One answered request proves the event loop (and its signal handling) is running; see
        // signalRightAfterTheListeningLine for the time before that.
        var connection: HTTPConnection? = try server.connect()
        #expect(try connection?.get("/repos/octocat/Hello-World/actions/concurrency_groups").status == 200)
        if !keepConnectionOpen {
            connection?.close()
            connection = nil
        }
        let started = monotonicMilliseconds()
        kill(server.pid, signal)
        let outcome = server.waitForExit(milliseconds: 10_000)
        #expect(outcome == .exited(0), "after signal \(signal): \(outcome.map(\.description) ?? "still running after 10 s")")
        #expect(monotonicMilliseconds() - started < 5_000)
        if let connection {
            // An idle keep-alive connection does not hold the server up, and is closed with it.
            #expect(try connection.waitForClose(milliseconds: 2_000), "the connection outlived the server")
        }
        server.stdout.waitForEnd(milliseconds: 2_000)
        server.stderr.waitForEnd(milliseconds: 2_000)
        #expect(server.stdout.text.split(separator: "\n").count == 1)
        #expect(server.stderr.text.split(separator: "\n").count == 1, "\(server.stderr.text)")  // the one access-log line
    }

    /// The listening line promises a running server, but it is printed before the SIGINT/SIGTERM
    /// handlers are installed (`ConcurrencyMock.run()` prints, then `EventHTTPServer.run()`
    /// sets up the signal events). A signal sent as soon as the line is read can land in between
    /// and kill the process with the default action (killed by signal, not exit status 0).
    @Test(arguments: [SIGTERM, SIGINT])
    func signalRightAfterTheListeningLine(signal: Int32) throws {
        var outcomes: [ExitOutcome] = []
        for _ in 0..<25 {
            let server = try ServerProcess(arguments: ["--port", "0", "--quiet"])
            defer { server.stop(signal: SIGKILL) }
            let listening = server.stdout.waitFor(milliseconds: 15_000, pollMicroseconds: 0) { $0.contains("\n") }
            try #require(listening, "no listening line: \(server.stderr.text)")
            kill(server.pid, signal)
            outcomes.append(server.waitForExit(milliseconds: 10_000) ?? ExitOutcome(reason: .signalled, code: -1))
        }
        let unclean = outcomes.filter { $0 != .exited(0) }
        #expect(unclean.isEmpty, "\(unclean.count) of \(outcomes.count) servers did not exit cleanly: \(unclean)")
    }

    /// `posix_spawn` passes on the parent thread's signal mask, and Foundation's `Process.run()`
    /// called from a Swift concurrency or Dispatch thread (as in any Swift test) starts the
    /// server with SIGINT and SIGTERM blocked. The server never unblocks them, so it ignores both
    /// and has to be killed. (The other tests launch it from a thread with an empty mask.)
    @Test(arguments: [SIGINT, SIGTERM])
    func signalsStopTheServerEvenWhenInheritedBlocked(signal: Int32) throws {
        let server = try ServerProcess(arguments: ["--port", "0", "--quiet"], blockedSignals: [SIGINT, SIGTERM])
        defer { server.stop(signal: SIGKILL) }
        try server.waitUntilListening()
        #expect(try server.connect().get("/repos/octocat/Hello-World/actions/concurrency_groups").status == 200)
        kill(server.pid, signal)
        let outcome = server.waitForExit(milliseconds: 3_000)
        #expect(outcome == .exited(0), "after signal \(signal): \(outcome.map(\.description) ?? "still running after 3 s")")
    }

    struct BadFixture: CustomTestStringConvertible, Sendable {
        let name: String
        let yaml: String
        /// What follows `<path>:` on stderr.
        let expected: String
        var testDescription: String { name }
    }

    static let badFixtures = [
        BadFixture(
            name: "unknown key at line 3",
            yaml: "version: 1\nnow: \"2026-01-15T16:15:00Z\"\ncolour: blue\n",
            expected: "3:1: unknown key 'colour' in the fixture; allowed: version, now, frozen, run_id_start, job_id_start, auth, tokens, rate_limits, faults, repositories, events"),
        BadFixture(
            name: "queue item of an unknown run",
            yaml: """
                version: 1
                now: "2026-01-15T16:15:00Z"
                repositories:
                  - owner: o
                    name: r
                    runs:
                      - { id: 1, name: CI }
                    concurrency_groups:
                      - name: g
                        queue:
                          - { run: 1, waiting_since: "2026-01-15T16:00:00Z" }
                          - { run: 2, waiting_since: "2026-01-15T16:01:00Z" }

                """,
            expected: "12:13: run 2 is not a run of o/r"),
        BadFixture(
            name: "group declared twice in another case",
            yaml: """
                version: 1
                now: "2026-01-15T16:15:00Z"
                repositories:
                  - owner: o
                    name: r
                    runs:
                      - { id: 1, name: CI }
                    concurrency_groups:
                      - name: Prod
                        queue: [ { run: 1, waiting_since: "2026-01-15T16:00:00Z" } ]
                      - name: PROD
                        queue: [ { run: 1, waiting_since: "2026-01-15T16:00:00Z" } ]

                """,
            expected: "11:9: concurrency group 'PROD' is declared twice (also as 'Prod'; names are case-insensitive)"),
        BadFixture(
            name: "unterminated flow sequence",
            yaml: "version: 1\nnow: \"2026-01-15T16:15:00Z\"\nrepositories: [\n  { owner: o, name: r }\n",
            expected: "5:1: invalid YAML: "),
    ]

    /// A bad fixture: non-zero exit, `file:line:column: message` on stderr, no listening line.
    @Test(arguments: badFixtures)
    func badFixtureIsRefused(fixture: BadFixture) throws {
        try withTemporaryFile(named: "bad fixture.yml", contents: fixture.yaml) { path in
            let server = try ServerProcess(arguments: ["--port", "0", "--fixture", path])
            defer { server.stop(signal: SIGKILL) }
            let outcome = try #require(server.waitForExit(milliseconds: 10_000), "a bad fixture did not stop the server")
            #expect(outcome.reason == .exited && outcome.code != 0, "\(outcome)")
            server.stdout.waitForEnd(milliseconds: 2_000)
            server.stderr.waitForEnd(milliseconds: 2_000)
            #expect(server.stdout.text == "")
            let stderr = server.stderr.text
            #expect(stderr.contains("\(path):\(fixture.expected)"), "stderr: \(stderr)")
        }
    }

    /// A fixture from a pipe, whose size the system does not know, longer than one read chunk.
    @Test func fixtureIsReadFromAPipe() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("concurrency-mock-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipe = directory.appendingPathComponent("fixture.yml").path
        #expect(mkfifo(pipe, 0o600) == 0)
        let padding = String(repeating: "# padding to make the fixture longer than one 64 KiB read\n", count: 4_000)
        let fixture = padding + """
            now: 2026-01-15T16:15:00Z
            repositories:
              - owner: piped
                name: fixture
                runs:
                  - { id: 7, name: CI }
                concurrency_groups:
                  - name: from-the-pipe
                    queue: [ { run: 7, waiting_since: "2026-01-15T16:00:00Z" } ]
            """
        let writer = Thread {
            guard let file = fopen(pipe, "w") else { return }
            fputs(fixture, file)
            fclose(file)
        }
        writer.start()
        try withServer(fixture: pipe) { server in
            let answer = try server.connect().get("/repos/piped/fixture/actions/concurrency_groups")
            #expect(answer.status == 200)
            #expect(answer.bodyText.hasPrefix(#"{"total_count":1,"concurrency_groups":[{"group_name":"from-the-pipe","#), "\(answer.bodyText)")
        }
    }

    @Test func missingFixtureFileIsRefused() throws {
        let path = "/nonexistent-\(UUID().uuidString)/fixture.yml"
        let server = try ServerProcess(arguments: ["--port", "0", "--fixture", path])
        defer { server.stop(signal: SIGKILL) }
        let outcome = try #require(server.waitForExit(milliseconds: 10_000))
        #expect(outcome.reason == .exited && outcome.code != 0)
        server.stderr.waitForEnd(milliseconds: 2_000)
        #expect(server.stdout.text == "")
        #expect(server.stderr.text.contains(path))
    }

    @Test(arguments: [
        (["--port", "65536"], "--port"),
        (["--port=-1"], "--port"),
        (["--port", "99999999999999999999"], "--port"),
        (["--port", "http"], "--port"),
        (["--port", "0", "--base-url", "ftp://example.com"], "--base-url"),
        (["--port", "0", "--html-base-url", "github.com"], "--html-base-url"),
        (["--port", "0", "--no-such-option"], "--no-such-option"),
        (["--port", "0", "--allow-host", "mock.test:8080"], "--allow-host takes a host name or address without a port, not 'mock.test:8080'"),
        (["--port", "0", "--allow-host", ""], "--allow-host"),
        (["--port", "0", "--control-token", "two words"], "--control-token must be printable ASCII without spaces"),
        (["--port", "0", "--request-journal-size", "0"], "--request-journal-size must be from 1 to 1000000"),
        (["--port", "0", "--seed", "-1"], "--seed"),
        (["--port", "0", "--log-format", "xml"], "--log-format"),
        (["--port", "0", "--retain-completed", "0"], "--retain-completed must be at least 1, not 0"),
        (["--port", "0", "--max-body-memory", "2000000"], "--max-body-memory must be from 0 to 1048576 MiB, not 2000000"),
    ])
    func badOptionsAreRefused(arguments: [String], mentioned: String) throws {
        let server = try ServerProcess(arguments: arguments)
        defer { server.stop(signal: SIGKILL) }
        let outcome = try #require(server.waitForExit(milliseconds: 10_000), "\(arguments) did not stop the server")
        #expect(outcome.reason == .exited && outcome.code != 0, "\(arguments): \(outcome)")
        server.stdout.waitForEnd(milliseconds: 2_000)
        server.stderr.waitForEnd(milliseconds: 2_000)
        #expect(server.stdout.text == "", "\(arguments)")
        #expect(server.stderr.text.contains(mentioned), "\(arguments): \(server.stderr.text)")
    }

    /// Port 65535 is in range (the edge is accepted, not refused by validation).
    @Test func highestPortIsAccepted() throws {
        let server = try ServerProcess(arguments: ["--port", "65535", "--quiet"])
        defer { server.stop(signal: SIGKILL) }
        let listened = server.stdout.waitFor(milliseconds: 10_000) { $0.contains("\n") }
        if listened {
            #expect(server.stdout.text == "listening on http://127.0.0.1:65535\n")
            #expect(try HTTPConnection(port: 65535).get("/repos/octocat/Hello-World/actions/concurrency_groups").status == 200)
            #expect(server.stop() == .exited(0))
        } else {
            // Someone else holds 65535: then the refusal is about binding, not about the range.
            let outcome = server.waitForExit(milliseconds: 10_000)
            #expect(outcome != nil && outcome != .exited(0))
            #expect(server.stderr.text.contains("cannot listen on 127.0.0.1:65535"), "\(server.stderr.text)")
        }
    }

    @Test func portInUseIsRefused() throws {
        try withServer { first in
            let port = try #require(first.port)
            let second = try ServerProcess(arguments: ["--port", String(port)])
            defer { second.stop(signal: SIGKILL) }
            let outcome = try #require(second.waitForExit(milliseconds: 10_000), "a second server bound a port in use")
            #expect(outcome.reason == .exited && outcome.code != 0)
            second.stderr.waitForEnd(milliseconds: 2_000)
            #expect(second.stdout.text == "")
            #expect(second.stderr.text.contains("cannot listen on 127.0.0.1:\(port)"), "\(second.stderr.text)")
            // The first one is unaffected.
            #expect(try first.connect().get("/repos/octocat/Hello-World/actions/concurrency_groups").status == 200)
        }
    }

    /// Many connections at once, each answered; the listening line is printed only once.
    @Test func concurrentConnections() throws {
        try withServer { server in
            let connections = try (0..<20).map { _ in try server.connect() }
            for round in 0..<3 {
                for (index, connection) in connections.enumerated() {
                    try connection.sendRequest("GET", "/repos/octocat/Hello-World/actions/concurrency_groups?r=\(round)&c=\(index)")
                }
                for connection in connections {
                    let response = try connection.receiveResponse(isHead: false)
                    #expect(response.status == 200)
                    #expect(try response.json()["total_count"] == .number(2))
                }
            }
            #expect(server.stdout.text.split(separator: "\n").count == 1)
        }
    }
}
