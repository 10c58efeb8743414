import MockHTTP
import Testing
@testable import LibeventAdapter

/// How an answer's headers are handed to evhttp: runs of plain lines as one header, which evhttp
/// writes out as the same bytes; what evhttp looks for at the start of an entry; what it reads
/// the value of, or would check, on its own; a `Date` made by the server unless there is one.
@Suite struct OutputHeadersTests {
    static let date = "Mon, 30 Nov 2026 14:11:39 GMT"

    @Test func plainLinesAreJoinedInOrderAndTheDateFollows() {
        let headers = HTTPHeaders([
            ("Content-Type", "application/json"), ("X-GitHub-Media-Type", "github.v3; format=json"), ("ETag", "W/\"1\""),
            ("X-RateLimit-Used", "1"),
        ])
        #expect(OutputHeaders.parts(of: headers, date: Self.date) == [
            .joined(name: "Content-Type", value: Array("application/json\r\nX-GitHub-Media-Type: github.v3; format=json\r\nETag: W/\"1\"\r\nX-RateLimit-Used: 1".utf8)),
            .alone(name: "Date", value: Self.date),
        ])
    }

    @Test func headersEvhttpLooksForBeginAnEntryAndThoseItReadsGoAlone() {
        let headers = HTTPHeaders([
            ("content-TYPE", "application/json"), ("A", "1"), ("B", "2"), ("Connection", "close"), ("C", "3"),
            ("Content-Length", "0"), ("Transfer-Encoding", "chunked"), ("D", "4"), ("date", "x"), ("Proxy-Connection", "y"),
        ])
        #expect(OutputHeaders.parts(of: headers, date: Self.date) == [
            .joined(name: "content-TYPE", value: Array("application/json\r\nA: 1\r\nB: 2".utf8)),
            .alone(name: "Connection", value: "close"),
            .joined(name: "C", value: Array("3".utf8)),
            .joined(name: "Content-Length", value: Array("0".utf8)),
            .joined(name: "Transfer-Encoding", value: Array("chunked\r\nD: 4".utf8)),
            .joined(name: "date", value: Array("x".utf8)),
            .alone(name: "Proxy-Connection", value: "y"),
        ])
    }

    /// A line break or NUL would make a joined header write something else than the headers one
    /// by one: such a header goes to evhttp_add_header, which drops it (or keeps a folded value).
    @Test(arguments: [
        ("X-Folded", "a\r\n b"), ("X-Break", "a\nb"), ("X-Return", "a\rb"), ("X-Nul", "a\u{0}b"), ("Bad\nName", "v"), ("", "v"),
        ("Content-Type", "a\nb"),
    ])
    func anythingButOneLineGoesAlone(name: String, value: String) {
        let headers = HTTPHeaders([("A", "1"), (name, value), ("B", "2")])
        #expect(OutputHeaders.parts(of: headers, date: Self.date) == [
            .joined(name: "A", value: Array("1".utf8)), .alone(name: name, value: value), .joined(name: "B", value: Array("2".utf8)),
            .alone(name: "Date", value: Self.date),
        ])
    }

    @Test func noHeadersOnlyTheDate() {
        #expect(OutputHeaders.parts(of: HTTPHeaders(), date: Self.date) == [.alone(name: "Date", value: Self.date)])
    }
}
