import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A client that asks for a large answer and does not read it.
@Suite struct SlowReaderTests {
    /// 500 runs with 40 KB names: `GET /_mock/state` answers about 20 MB.
    static let largeFixture: String = {
        let name = String(repeating: "n", count: 40_000)
        var yaml = "version: 1\nnow: \"2026-01-15T16:15:00Z\"\nrepositories:\n  - owner: o\n    name: r\n    visibility: public\n    runs:\n"
        for index in 1...500 {
            yaml += "      - { id: \(index), name: \(name), jobs: [{ id: \(index), name: build }] }\n"
        }
        return yaml
    }()

    @Test func clientsThatDoNotReadAreCutOffAndDoNotStallOthers() throws {
        // libevent measures the send timeout in wall time, so it must exceed the time to build
        // the other clients' answers (a debug build on a busy machine takes seconds per answer).
        try withServer(yaml: Self.largeFixture, arguments: ["--send-timeout", "4"]) { server in
            // One stalled client. Building its 20 MB answer holds the loop (seconds in a debug build
            // on a busy machine); once the answer is on its way, everyone else is answered at once.
            let stalled = try (0..<1).map { _ in try server.connect() }
            for connection in stalled { try connection.sendRequest("GET", "/_mock/state") }
            let firstBytes = try stalled.map { try $0.strayBytes(waitingMilliseconds: 30_000) }
            let started = monotonicMilliseconds()
            #expect(try server.connect().get("/_mock/health").status == 200)
            #expect(monotonicMilliseconds() - started < 2_000)
            // Past the send timeout the stalled connections are closed: what the kernel had already
            // taken still arrives, the rest of the answer never does.
            usleep(6_000_000)
            for (connection, first) in zip(stalled, firstBytes) {
                #expect(try connection.waitForClose(milliseconds: 5_000))
                let received = first + (try connection.strayBytes(waitingMilliseconds: 0))
                let head = String(decoding: received.prefix(512), as: UTF8.self)
                #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("Content-Length: ") }
                    .flatMap { Int($0.dropFirst("Content-Length: ".count)) }
                let total = try #require(length)
                #expect(total > 20_000_000)
                #expect(received.count < total, "a client that stopped reading got the whole answer")
            }
            #expect(try server.connect().get("/_mock/health").status == 200)
        }
    }

    /// A refused request pipelined behind a large answer waits for it, however slowly the client
    /// reads it, and then arrives in order.
    @Test func refusalBehindASlowAnswerWaitsForIt() throws {
        try withServer(yaml: Self.largeFixture) { server in
            let connection = try server.connect(timeoutSeconds: 30)
            try connection.sendRaw(
                "GET /_mock/state HTTP/1.1\r\nHost: localhost\r\n\r\nGET /_mock/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
            // Longer than the 2 s a refused connection lingers.
            usleep(3_000_000)
            let state = try connection.receiveResponse(isHead: false)
            #expect(state.status == 200)
            #expect(state.body.count > 20_000_000)
            #expect(state.body.count == Int(state.header("Content-Length") ?? ""))
            try expectRefusal(try connection.receiveResponse(isHead: false), status: 400, reason: "Bad Request",
                              message: "The request has conflicting Content-Length headers (1, 2).")
        }
    }
}
