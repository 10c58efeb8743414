import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What clients that do not read their answers, or give up on them, cost the server's memory.
/// One test at a time: each server loads a 20 MB fixture and measures its own memory.
@Suite(.serialized) struct AnswerMemoryTests {
    /// `SlowReaderTests.largeFixture` (`GET /_mock/state` answers about 20 MB) with the clock
    /// frozen, so the state, and so its answer, stands until a test changes it.
    static let fixture = SlowReaderTests.largeFixture.replacingOccurrences(of: "\nrepositories:", with: "\nfrozen: true\nrepositories:")

    /// A client that asked for the whole state and has taken only the first bytes of the answer.
    struct StalledClient {
        let connection: HTTPConnection
        var received: [UInt8]

        /// Asks for the whole state and waits until its answer is on its way.
        init(_ server: ServerProcess) throws {
            connection = try server.connect(timeoutSeconds: 60)
            try connection.sendRequest("GET", "/_mock/state")
            received = try connection.strayBytes(waitingMilliseconds: 60_000)
            #expect(String(decoding: received.prefix(17), as: UTF8.self) == "HTTP/1.1 200 OK\r\n")
        }

        /// Reads the rest of the answer; its body, once Content-Length bytes of it have arrived.
        mutating func readBody() throws -> [UInt8] {
            let separator = Array("\r\n\r\n".utf8)
            while true {
                if let end = received.indices.first(where: { received[$0...].starts(with: separator) }) {
                    let head = String(decoding: received[..<end], as: UTF8.self)
                    let length = try #require(head.split(separator: "\r\n").first { $0.hasPrefix("Content-Length: ") }
                        .flatMap { Int($0.dropFirst("Content-Length: ".count)) })
                    let bodyStart = end + separator.count
                    if received.count - bodyStart >= length { return Array(received[bodyStart..<(bodyStart + length)]) }
                }
                let more = try connection.strayBytes(waitingMilliseconds: 60_000)
                guard !more.isEmpty else { throw ServerError("the answer stopped after \(received.count) bytes") }
                received += more
            }
        }
    }

    /// The server's memory grown since `baseline`, in MiB.
    static func growth(_ server: ServerProcess, since baseline: Int) throws -> Int {
        (try server.residentKilobytes() - baseline) / 1024
    }

    /// Before: every client held its own copy of the answer (20 clients, 496 MB).
    @Test func clientsThatDoNotReadOneAnswerShareIt() throws {
        try withServer(yaml: Self.fixture, arguments: ["--send-timeout", "600"], startupMilliseconds: 60_000) { server in
            // The first answer is built and kept for the others; what it costs is the baseline.
            let whole = try server.connect(timeoutSeconds: 60).get("/_mock/state")
            #expect(whole.body.count > 20_000_000)
            let baseline = try server.residentKilobytes()
            var stalled = try (0..<20).map { _ in try StalledClient(server) }
            #expect(try Self.growth(server, since: baseline) < 40, "20 clients not reading one 20 MB answer")
            // They are served, not cut off: each still gets the whole answer once it reads.
            for index in 0..<2 { #expect(try stalled[index].readBody() == whole.body) }
        }
    }

    /// Before: 20 clients at a time each held a copy of the answer until they went (a wave,
    /// 400 MB), and glibc kept what they freed.
    @Test func clientsThatAbortMidAnswerFreeTheirShare() throws {
        try withServer(yaml: Self.fixture, arguments: ["--send-timeout", "600"], startupMilliseconds: 60_000) { server in
            _ = try server.connect(timeoutSeconds: 60).get("/_mock/state")
            let baseline = try server.residentKilobytes()
            var largestGrowth = 0
            for _ in 0..<10 {
                let wave = try (0..<20).map { _ in try StalledClient(server) }
                largestGrowth = max(largestGrowth, try Self.growth(server, since: baseline))
                for client in wave { client.connection.abort() }
            }
            #expect(largestGrowth < 40, "200 clients aborting a 20 MB answer, 20 at a time")
            #expect(try server.connect().get("/_mock/health").status == 200)
            #expect(try Self.growth(server, since: baseline) < 40)
        }
    }

    /// Ten clients each holding a different 20 MB answer, then gone: glibc would keep the pages
    /// (RSS stayed 80 MB up); the server hands them back once the answers are released.
    @Test func memoryOfDifferentAnswersGoesBackOnceTheirClientsGo() throws {
        try withServer(yaml: Self.fixture, arguments: ["--send-timeout", "600"], startupMilliseconds: 60_000) { server in
            let control = try server.connect(timeoutSeconds: 60)
            _ = try control.get("/_mock/state")
            let baseline = try server.residentKilobytes()
            var clients: [StalledClient] = []
            for _ in 0..<10 {
                #expect(try control.request("POST", "/_mock/clock/advance", body: Array(#"{"seconds":1}"#.utf8)).status == 200)
                clients.append(try StalledClient(server))
            }
            #expect(try Self.growth(server, since: baseline) > 150, "ten different answers are held")
            for client in clients { client.connection.abort() }
            let deadline = monotonicMilliseconds() + 20_000
            while try Self.growth(server, since: baseline) >= 40, monotonicMilliseconds() < deadline { usleep(100_000) }
            #expect(try Self.growth(server, since: baseline) < 40)
        }
    }

    /// The budget counts each held answer once and forgets an aborted client's share at once: two
    /// different 20 MB answers fit 50 MiB; a third closes the connection stalled longest, and only it.
    @Test func pastTheBudgetTheConnectionStalledLongestIsClosed() throws {
        try withServer(
            yaml: Self.fixture, arguments: ["--send-timeout", "600", "--max-answer-memory", "50"], quiet: false, startupMilliseconds: 60_000
        ) { server in
            // Shares of clients that abort are not counted once they are gone.
            for _ in 0..<5 { try StalledClient(server).connection.abort() }
            let control = try server.connect(timeoutSeconds: 60)
            func changeTheState() throws {
                #expect(try control.request("POST", "/_mock/clock/advance", body: Array(#"{"seconds":1}"#.utf8)).status == 200)
            }
            try changeTheState()
            let oldest = try StalledClient(server).connection
            // Until the socket buffers between them are full, the answer still moves.
            usleep(2_000_000)
            try changeTheState()
            var older = try StalledClient(server)
            #expect(!server.stderr.text.contains("not reading their answers"))
            try changeTheState()
            let newest = try control.get("/_mock/state")
            #expect(newest.status == 200)
            #expect(newest.body.count == Int(newest.header("Content-Length") ?? ""))
            #expect(try oldest.waitForClose(milliseconds: 30_000))
            #expect(server.stderr.waitFor(milliseconds: 5_000) {
                $0.contains("closed 1 connection(s) not reading their answers: answers held for clients would pass 50 MiB (--max-answer-memory)")
            })
            #expect(try older.readBody().count > 20_000_000)
        }
    }
}
