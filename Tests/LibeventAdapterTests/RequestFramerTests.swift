import Testing
@testable import LibeventAdapter

/// The framer reads a connection's bytes however they are split into reads: the events it gives,
/// and where, depend only on the bytes.
@Suite struct RequestFramerTests {
    struct Observed: Equatable {
        var events: [RequestFramer.Event] = []
        /// The stream offset after each event but a refusal (after which nothing more is read).
        var offsets: [Int] = []
        var bodyLimitsAsked: [String] = []
    }

    /// Reads `bytes` in reads of the given sizes (the last size repeats), as `Connection` does.
    static func frame(_ bytes: [UInt8], readSizes: [Int], maximumHeadBytes: Int = 64 * 1024) -> Observed {
        var framer = RequestFramer(maximumHeadBytes: maximumHeadBytes)
        var observed = Observed()
        var position = 0
        var read = 0
        while position < bytes.count {
            let end = min(bytes.count, position + readSizes[min(read, readSizes.count - 1)])
            read += 1
            var index = position
            while index < end {
                let (consumed, event) = bytes[index..<end].withUnsafeBytes { chunk in
                    framer.read(chunk) { method, target in
                        observed.bodyLimitsAsked.append("\(method) \(target)")
                        return 16
                    }
                }
                index += consumed
                guard let event else { continue }
                observed.events.append(event)
                if case .refused = event { return observed }
                observed.offsets.append(framer.offset)
            }
            position = end
        }
        return observed
    }

    static let conversations: [(String, [RequestFramer.Event])] = [
        ("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.0\nHost: y\n\n",
         [.head(bodyFollows: false), .head(bodyFollows: false)]),
        ("POST /runs HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n",
         [.head(bodyFollows: true), .complete, .head(bodyFollows: false)]),
        ("PUT /x HTTP/1.1\r\ntransfer-ENCODING:  chunked \r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\nTrailer: 1\r\n\r\n",
         [.head(bodyFollows: true), .complete]),
        ("GET / HTTP/1.1\r\nContent-Length: 2\r\nContent-length: 30\r\n\r\n",
         [.refused(.init(status: 400, message: "The request has conflicting Content-Length headers (2, 30).", method: "GET", target: "/"))]),
        ("GET / HTTP/1.999\r\n\r\n",
         [.refused(.init(status: 505, message: "HTTP version 1.999 is not supported; use HTTP/1.1.", method: "GET", target: "/"))]),
        ("GET /\0 HTTP/1.1\r\n\r\n",
         [.refused(.init(status: 400, message: "The request head contains a NUL byte."))]),
        ("POST /big HTTP/1.1\r\nContent-Length: 17\r\n\r\n",
         [.refused(.init(status: 413, message: "The request body exceeds 16 bytes, the limit for POST /big.", method: "POST", target: "/big"))]),
        ("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n1\r\nx\r\n",
         [.head(bodyFollows: true), .refused(.init(status: 413, message: "The request body exceeds 16 bytes, the limit for POST /c.", method: "POST", target: "/c", inBody: true))]),
        ("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
         [.head(bodyFollows: true), .refused(.init(status: 400, message: "\"zz\" is not a chunk size.", method: "POST", target: "/c", inBody: true))]),
        ("GET / HTTP/1.1\r\nContent\rLength: 5\r\n\r\n",
         [.head(bodyFollows: false)]),
        ("GET / HTTP/1.1\r\n folded\r\n\r\n",
         [.refused(.init(status: 400, message: "A header line is not `Name: value`.", method: "GET", target: "/"))]),
    ]

    @Test(arguments: 0..<conversations.count)
    func eventsDoNotDependOnHowBytesAreSplit(_ index: Int) {
        let (text, expected) = Self.conversations[index]
        let bytes = Array(text.utf8)
        let whole = Self.frame(bytes, readSizes: [bytes.count])
        #expect(whole.events == expected)
        for sizes in [[1], [2], [3], [7], [5, 1, 9, 2]] {
            #expect(Self.frame(bytes, readSizes: sizes) == whole, "reads of \(sizes)")
        }
    }

    @Test func theHeadLimitCountsEveryByteOfTheHead() {
        let head = Array("GET / HTTP/1.1\r\nA: b\r\n\r\n".utf8)
        #expect(Self.frame(head, readSizes: [head.count], maximumHeadBytes: head.count).events == [.head(bodyFollows: false)])
        for sizes in [[head.count], [1], [4]] {
            #expect(Self.frame(head, readSizes: sizes, maximumHeadBytes: head.count - 1).events
                == [.refused(.init(status: 431, message: "The request line and headers exceed \(head.count - 1) bytes."))])
        }
        // A NUL past the limit: the limit is what the head passes first.
        let late = Array("GET / HTTP/1.1\r\nA: b\0\r\n\r\n".utf8)
        #expect(Self.frame(late, readSizes: [late.count], maximumHeadBytes: 20).events
            == [.refused(.init(status: 431, message: "The request line and headers exceed 20 bytes."))])
    }

    @Test func chunkSizeLinesHaveALimit() {
        // The limit counts a line's bytes before its LF, a CR included.
        let longLine = String(repeating: "0", count: 1023) + "1"
        let accepted = Array("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\(longLine.dropLast(3))1\r\nx\r\n0\r\n\r\n".utf8)
        #expect(Self.frame(accepted, readSizes: [1]).events == [.head(bodyFollows: true), .complete])
        let refused = Array("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\(longLine)\r\n".utf8)
        for sizes in [[refused.count], [1]] {
            #expect(Self.frame(refused, readSizes: sizes).events.last
                == .refused(.init(status: 400, message: "A chunk-size line is longer than 1024 bytes.", method: "POST", target: "/c", inBody: true)))
        }
    }
}
