import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The transport's own answers: GitHub's JSON error body, `Connection: close`, exact status.
func expectRefusal(_ response: HTTPResponse, status: Int, reason: String, message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.reason == reason, sourceLocation: sourceLocation)
    #expect(response.header("Content-Type") == "application/json; charset=utf-8", sourceLocation: sourceLocation)
    #expect(response.header("Connection") == "close", sourceLocation: sourceLocation)
    #expect(try response.json() == .object([
        "message": .string(message),
        "documentation_url": .string("https://docs.github.com/rest"),
        "status": .string(String(status)),
    ]), sourceLocation: sourceLocation)
}

/// Bodies larger than their route accepts are refused from the head, before they are read.
@Suite struct RequestBodyLimitTests {
    /// The head alone is answered: the server does not wait for (or read) the 50 MB.
    @Test func oversizedBodyIsRefusedFromItsHead() throws {
        try withServer { server in
            let connection = try server.connect()
            let started = monotonicMilliseconds()
            try connection.sendRaw("PUT /_mock/repos/a/b HTTP/1.1\r\nHost: localhost\r\nContent-Length: 50000000\r\n\r\n")
            let response = try connection.receiveResponse(isHead: false)
            #expect(monotonicMilliseconds() - started < 2_000)
            try expectRefusal(response, status: 413, reason: "Payload Too Large",
                              message: "The request body exceeds 1048576 bytes, the limit for PUT /_mock/repos/a/b.")
            #expect(try connection.waitForClose(milliseconds: 5_000))
            // Nothing was changed, and the server goes on answering.
            #expect(try server.connect().get("/_mock/health").status == 200)
        }
    }

    /// A client that sends the whole 50 MB anyway gets the 413 at once, and the server does not
    /// keep what it discards.
    @Test func fiftyMegabyteUploadIsRefusedQuicklyWithoutBeingBuffered() throws {
        try withServer { server in
            let before = try server.residentKilobytes()
            let connection = try server.connect()
            let started = monotonicMilliseconds()
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
            try connection.sendRaw("PUT /_mock/repos/a/b HTTP/1.1\r\nHost: localhost\r\nContent-Length: 52428800\r\n\r\n")
            for _ in 0..<50 {
                do { try connection.sendRaw(chunk) } catch { break }  // the server may stop reading first
            }
            let response = try connection.receiveResponse(isHead: false)
            #expect(monotonicMilliseconds() - started < 5_000)
            try expectRefusal(response, status: 413, reason: "Payload Too Large",
                              message: "The request body exceeds 1048576 bytes, the limit for PUT /_mock/repos/a/b.")
            let grown = try server.residentKilobytes() - before
            #expect(grown < 8 * 1024, "the server grew by \(grown) KiB while discarding a 50 MiB body")
            #expect(try server.connect().get("/_mock/health").status == 200)
        }
    }

    /// Each route's limit, from `RequestBodyLimits`: one byte more is refused, naming it.
    @Test(arguments: [
        ("PUT", "/_mock/state", 512 * 1024 * 1024),
        ("PUT", "/_mock/repos/a/b/workflows/ci.yml", 1024 * 1024),
        ("POST", "/_mock/repos/a/b/runs", 1024 * 1024),
        ("PUT", "/_mock/clock", 1024 * 1024),
        ("GET", "/repos/octocat/Hello-World/actions/concurrency_groups", 16 * 1024),
    ])
    func eachRouteHasItsLimit(method: String, target: String, limit: Int) throws {
        try withServer { server in
            let connection = try server.connect()
            try connection.sendRaw("\(method) \(target) HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(limit + 1)\r\n\r\n")
            try expectRefusal(try connection.receiveResponse(isHead: false), status: 413, reason: "Payload Too Large",
                              message: "The request body exceeds \(limit) bytes, the limit for \(method) \(target).")
        }
    }

    /// `PUT /_mock/state` takes more than the small limit: a 2 MiB body is read and judged (422).
    @Test func stateTakesLargeDocuments() throws {
        try withServer { server in
            let body = Array("[".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 2 << 20)
            let response = try server.connect().request("PUT", "/_mock/state", body: body)
            #expect(response.status == 422)
        }
    }

    /// A large body arrives whole however it is cut, and the request sent right behind it is read
    /// as the next one, not swallowed with the body: read ahead of libevent straight into place
    /// (1 MiB a read, 8 MiB a pass of the loop), and with `--max-body-memory 0` (or once that
    /// budget is taken) by libevent alone.
    @Test(arguments: [[], ["--max-body-memory", "0"]])
    func aLargeBodyAndTheRequestBehindItAreReadWhole(arguments: [String]) throws {
        try withServer(arguments: arguments) { server in
            let connection = try server.connect()
            let state = try connection.get("/_mock/state").body
            // The same state after 20 MiB of spaces, which JSON allows between tokens.
            let body = Array("{".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 20 << 20) + state.dropFirst()
            let head = "PUT /_mock/state HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
            // Half of it, a pause (the server reads what came and waits), then the rest and a request.
            let half = body.count / 2
            try connection.sendRaw(Array(head.utf8) + body[..<half])
            usleep(100_000)
            try connection.sendRaw(Array(body[half...]) + Array("GET /_mock/health HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
            let replaced = try connection.receiveResponse(isHead: false)
            #expect(replaced.status == 200)
            #expect(replaced.body == state)
            let health = try connection.receiveResponse(isHead: false)
            #expect(health.status == 200)
            #expect(String(decoding: health.body, as: UTF8.self) == #"{"status":"ok"}"#)
        }
    }

    /// Two large bodies sent back to back, before the first is answered: the first is assembled
    /// as it arrives (one at a time), the second read by libevent alone; both arrive whole.
    @Test func twoLargeBodiesInARowArriveWhole() throws {
        try withServer { server in
            let connection = try server.connect()
            let state = try connection.get("/_mock/state").body
            func put(spaces: Int) -> [UInt8] {
                let body = Array("{".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: spaces) + state.dropFirst()
                return Array("PUT /_mock/state HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
            }
            try connection.sendRaw(put(spaces: 3 << 20) + put(spaces: 2 << 20))
            for _ in 0..<2 {
                let replaced = try connection.receiveResponse(isHead: false)
                #expect(replaced.status == 200)
                #expect(replaced.body == state)
            }
        }
    }

    /// A chunked body is counted as it arrives and refused once it passes the limit.
    @Test func chunkedBodyIsRefusedOncePastTheLimit() throws {
        try withServer { server in
            let connection = try server.connect()
            try connection.sendRaw("PUT /_mock/clock HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
            let piece = Array("10000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 0x10000) + Array("\r\n".utf8)
            // 17 pieces of 64 KiB: the 17th passes 1 MiB.
            for _ in 0..<17 { try connection.sendRaw(piece) }
            try expectRefusal(try connection.receiveResponse(isHead: false), status: 413, reason: "Payload Too Large",
                              message: "The request body exceeds 1048576 bytes, the limit for PUT /_mock/clock.")
        }
    }
}

/// Heads evhttp would misread, or answer with a broken status line, are refused first.
@Suite struct HTTPStrictnessTests {
    @Test(arguments: [("HTTP/1.999", "1.999"), ("HTTP/2.0", "2.0"), ("HTTP/0.5", "0.5"), ("HTTP/1.2", "1.2")])
    func unknownVersionsGet505(version: String, number: String) throws {
        try withServer { server in
            let connection = try server.connect()
            try connection.sendRaw("GET /_mock/health \(version)\r\nHost: localhost\r\n\r\n")
            // The client refuses any status line that does not start with HTTP/1.
            try expectRefusal(try connection.receiveResponse(isHead: false), status: 505, reason: "HTTP Version Not Supported",
                              message: "HTTP version \(number) is not supported; use HTTP/1.1.")
        }
    }

    @Test(arguments: ["HTTP/x", "HTTP/1", "http/1.1", "HTTP/1.1.1"])
    func malformedVersionsGet400(version: String) throws {
        try withServer { server in
            let connection = try server.connect()
            try connection.sendRaw("GET /_mock/health \(version)\r\nHost: localhost\r\n\r\n")
            try expectRefusal(try connection.receiveResponse(isHead: false), status: 400, reason: "Bad Request",
                              message: "The request line is not `METHOD TARGET HTTP/1.1`.")
        }
    }

    @Test func conflictingContentLengthsGet400() throws {
        try withServer { server in
            let connection = try server.connect()
            try connection.sendRaw("PUT /_mock/clock HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 30\r\n\r\n{}")
            try expectRefusal(try connection.receiveResponse(isHead: false), status: 400, reason: "Bad Request",
                              message: "The request has conflicting Content-Length headers (2, 30).")
            #expect(try connection.waitForClose(milliseconds: 5_000))
        }
    }

    /// The same length twice is one length.
    @Test func repeatedEqualContentLengthIsAccepted() throws {
        try withServer { server in
            let response = try server.connect().request(
                "POST", "/_mock/clock/advance", headers: [("Content-Length", "14")], body: Array(#"{"seconds":60}"#.utf8))
            #expect(response.status == 200)
        }
    }

    @Test(arguments: ["zz", "-5", "0x10", "+5", "1;name=value", "1000000000000000"])
    func invalidChunkSizesGet400(size: String) throws {
        try withServer { server in
            let connection = try server.connect()
            try connection.sendRaw("PUT /_mock/clock HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\n")
            try expectRefusal(try connection.receiveResponse(isHead: false), status: 400, reason: "Bad Request",
                              message: "\(size.debugDescription) is not a chunk size.")
        }
    }

    @Test func transferEncodingWithContentLengthGets400() throws {
        try withServer { server in
            let connection = try server.connect()
            try connection.sendRaw("PUT /_mock/clock HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            try expectRefusal(try connection.receiveResponse(isHead: false), status: 400, reason: "Bad Request",
                              message: "The request has both Transfer-Encoding and Content-Length.")
        }
    }

    /// Only `chunked`, spelled as evhttp reads it, frames a body; anything else would be read
    /// differently by evhttp.
    @Test(arguments: ["gzip, chunked", "\tchunked", "identity"])
    func otherTransferEncodingsGet501(encoding: String) throws {
        try withServer { server in
            let connection = try server.connect()
            try connection.sendRaw("PUT /_mock/clock HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: \(encoding)\r\n\r\n0\r\n\r\n")
            try expectRefusal(try connection.receiveResponse(isHead: false), status: 501, reason: "Not Implemented",
                              message: "Transfer-Encoding \(encoding) is not supported; use chunked.")
        }
    }

    @Test func nulInTheHeadGets400() throws {
        try withServer { server in
            let connection = try server.connect()
            try connection.sendRaw("PUT /_mock/clock HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\u{0}x\r\n\r\n0\r\n\r\n")
            try expectRefusal(try connection.receiveResponse(isHead: false), status: 400, reason: "Bad Request",
                              message: "The request head contains a NUL byte.")
        }
    }

    /// A head over 64 KiB is refused with 431 (evhttp alone answered 400 with an HTML page).
    @Test func oversizedHeadGets431() throws {
        try withServer { server in
            let connection = try server.connect()
            try connection.sendRaw("GET /_mock/health HTTP/1.1\r\nHost: localhost\r\nX-Big: \(String(repeating: "a", count: 70_000))\r\n\r\n")
            try expectRefusal(try connection.receiveResponse(isHead: false), status: 431, reason: "Request Header Fields Too Large",
                              message: "The request line and headers exceed 65536 bytes.")
        }
    }

    /// A valid chunked body still reaches the responder whole.
    @Test func validChunkedBodyIsServed() throws {
        try withServer { server in
            let connection = try server.connect()
            try connection.sendRaw("POST /_mock/clock/advance HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"sec\r\n9\r\nonds\":60}\r\n0\r\n\r\n")
            let response = try connection.receiveResponse(isHead: false)
            #expect(response.status == 200)
            #expect(try connection.get("/_mock/health").status == 200)
        }
    }

    /// A refused request behind a valid one in the same packet: the first is answered, then the
    /// refusal, in order.
    @Test func refusalWaitsForTheAnswerBeforeIt() throws {
        try withServer { server in
            let connection = try server.connect()
            try connection.sendRaw(
                "GET /_mock/health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /_mock/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
            let first = try connection.receiveResponse(isHead: false)
            #expect(first.status == 200)
            #expect(first.bodyText == #"{"status":"ok"}"#)
            try expectRefusal(try connection.receiveResponse(isHead: false), status: 400, reason: "Bad Request",
                              message: "The request has conflicting Content-Length headers (1, 2).")
        }
    }
}

/// Requests that take too long to arrive are cut off at a deadline counted from their first byte.
@Suite struct SlowRequestTests {
    /// One byte every 300 ms keeps the idle timeout from ever firing; the header deadline does not
    /// care.
    @Test func trickledHeadIsClosedAtTheHeaderDeadline() throws {
        try withServer(arguments: ["--header-timeout", "1"]) { server in
            let connection = try server.connect()
            let elapsed = try Self.trickleUntilClosed(
                connection, "GET /_mock/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
                pauseMilliseconds: 300)
            #expect(elapsed >= 900 && elapsed < 2_500, "closed after \(elapsed) ms")
            #expect(try connection.strayBytes(waitingMilliseconds: 0).isEmpty, "a request that never arrived got an answer")
        }
    }

    @Test func trickledBodyIsClosedAtTheBodyDeadline() throws {
        try withServer(arguments: ["--header-timeout", "1", "--body-timeout", "2"]) { server in
            let connection = try server.connect()
            let started = monotonicMilliseconds()
            try connection.sendRaw("PUT /_mock/clock HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n")
            var closedAt: Int?
            for _ in 0..<100 {
                do { try connection.sendRaw(" ") } catch {
                    closedAt = monotonicMilliseconds()
                    break
                }
                if try connection.waitForClose(milliseconds: 300) {
                    closedAt = monotonicMilliseconds()
                    break
                }
            }
            let elapsed = try #require(closedAt, "the server never closed the trickling connection") - started
            #expect(elapsed >= 1_900 && elapsed < 3_500, "closed after \(elapsed) ms")
        }
    }

    /// The header deadline starts with a request's first byte, so a keep-alive connection may
    /// idle between requests for longer.
    @Test func idleKeepAliveOutlivesTheHeaderDeadline() throws {
        try withServer(arguments: ["--header-timeout", "1"]) { server in
            let connection = try server.connect()
            #expect(try connection.get("/_mock/health").status == 200)
            usleep(1_500_000)
            #expect(try connection.get("/_mock/health").status == 200)
            #expect(connection.requestCount == 2)
        }
    }

    /// Each request's head gets the whole deadline from its own first byte, however late in the
    /// previous request's deadline it starts.
    @Test func trickleAfterAnAnswerGetsItsOwnHeaderDeadline() throws {
        try withServer(arguments: ["--header-timeout", "2"]) { server in
            let connection = try server.connect()
            #expect(try connection.get("/_mock/health").status == 200)
            usleep(1_200_000)
            let elapsed = try Self.trickleUntilClosed(
                connection, "GET /_mock/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
                pauseMilliseconds: 150)
            #expect(elapsed >= 1_900 && elapsed < 3_500, "closed after \(elapsed) ms")
        }
    }

    /// Sends `text` a byte at a time with a pause after each until the server closes the
    /// connection; answers the milliseconds from the first byte until then.
    static func trickleUntilClosed(_ connection: HTTPConnection, _ text: String, pauseMilliseconds: Int) throws -> Int {
        let started = monotonicMilliseconds()
        for byte in Array(text.utf8) {
            do { try connection.sendRaw([byte]) } catch { return monotonicMilliseconds() - started }
            if try connection.waitForClose(milliseconds: pauseMilliseconds) { return monotonicMilliseconds() - started }
        }
        Issue.record("the server never closed the trickling connection")
        return monotonicMilliseconds() - started
    }
}
