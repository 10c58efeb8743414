import MockHTTP
import Testing
@testable import LibeventAdapter

/// How an answer's headers are handed to evhttp: runs of plain lines as one header, which evhttp
/// writes out as the same bytes; what evhttp reads back, or would check, on its own.
@Suite struct OutputHeadersTests {
    @Test func plainLinesAreJoinedInOrder() {
        let headers = HTTPHeaders([("X-GitHub-Media-Type", "github.v3; format=json"), ("ETag", "W/\"1\""), ("X-RateLimit-Used", "1")])
        #expect(OutputHeaders.parts(of: headers) == [
            .joined(name: "X-GitHub-Media-Type", value: Array("github.v3; format=json\r\nETag: W/\"1\"\r\nX-RateLimit-Used: 1".utf8)),
        ])
    }

    @Test func headersEvhttpReadsBackGoAloneAndSplitTheRuns() {
        let headers = HTTPHeaders([
            ("content-TYPE", "application/json"), ("A", "1"), ("B", "2"), ("Connection", "close"), ("C", "3"),
            ("Content-Length", "0"), ("Transfer-Encoding", "chunked"), ("Date", "x"), ("Proxy-Connection", "y"),
        ])
        #expect(OutputHeaders.parts(of: headers) == [
            .alone(name: "content-TYPE", value: "application/json"),
            .joined(name: "A", value: Array("1\r\nB: 2".utf8)),
            .alone(name: "Connection", value: "close"),
            .joined(name: "C", value: Array("3".utf8)),
            .alone(name: "Content-Length", value: "0"),
            .alone(name: "Transfer-Encoding", value: "chunked"),
            .alone(name: "Date", value: "x"),
            .alone(name: "Proxy-Connection", value: "y"),
        ])
    }

    /// A line break or NUL would make a joined header write something else than the headers one
    /// by one: such a header goes to evhttp_add_header, which drops it (or keeps a folded value).
    @Test(arguments: [("X-Folded", "a\r\n b"), ("X-Break", "a\nb"), ("X-Return", "a\rb"), ("X-Nul", "a\u{0}b"), ("Bad\nName", "v"), ("", "v")])
    func anythingButOneLineGoesAlone(name: String, value: String) {
        let headers = HTTPHeaders([("A", "1"), (name, value), ("B", "2")])
        #expect(OutputHeaders.parts(of: headers) == [
            .joined(name: "A", value: Array("1".utf8)), .alone(name: name, value: value), .joined(name: "B", value: Array("2".utf8)),
        ])
    }

    @Test func noHeadersNoParts() {
        #expect(OutputHeaders.parts(of: HTTPHeaders()) == [])
    }
}
