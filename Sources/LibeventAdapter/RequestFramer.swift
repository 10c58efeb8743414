import Glibc
import MockHTTP

/// Follows one connection's bytes as they arrive, a step ahead of evhttp, so that a request can be
/// refused from its head before its body is read, and its phases can be timed.
///
/// evhttp 2.1 offers no hook between a request's head and its body, and it accepts heads that are
/// ambiguous (two different `Content-Length`s: it uses the first) or that it cannot answer
/// correctly (`HTTP/1.999`, which it echoes as `HTTP/1.-25`). The framer finds the same request
/// boundaries evhttp does (lines end in LF or CRLF; a body by `Content-Length` or chunked, and only
/// for the methods evhttp reads a body for) and refuses every head it could disagree with evhttp
/// about, so both always agree on where a request ends.
package struct RequestFramer {
    package struct Refusal: Equatable, Sendable {
        package let status: Int
        package let message: String
        /// What the head said, when it got that far (for the access log).
        package var method: String?
        package var target: String?
        /// Refused in its body: the head had been accepted (and handed to evhttp).
        package var inBody = false
    }

    package enum Event: Equatable, Sendable {
        /// The head is complete and acceptable; evhttp will read the body if `bodyFollows`.
        case head(bodyFollows: Bool)
        /// The body is complete.
        case complete
        case refused(Refusal)
    }

    private enum State {
        case idle
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case trailer
        case refused
    }

    /// The methods evhttp 2.1 reads a body for (`evhttp_method_may_have_body`); for the others it
    /// takes the body's bytes for the next request.
    private static let methodsWithBody: Set<String> = ["POST", "PUT", "PATCH", "GET", "DELETE", "OPTIONS", "CONNECT"]
    /// evhttp refuses a request line shorter than `GET / HTTP/1.0`.
    private static let shortestRequestLine = 14
    /// Bytes of head buffer a connection keeps between requests.
    private static let keptHeadCapacity = 4096
    /// A chunk-size line is a size and perhaps an extension; anything longer is not one.
    private static let longestChunkLine = 1024

    private let maximumHeadBytes: Int
    private var state = State.idle
    /// The current request's head as received, or the current chunk-size or trailer line.
    private var pending: [UInt8] = []
    /// Where the line being received starts in `pending`.
    private var lineStart = 0
    /// The head's complete lines in `pending`, without their line ends.
    private var headLines: [Range<Int>] = []
    private var headBytes = 0
    private var bodyBytes = 0
    private var bodyLimit = 0
    /// Where the head's method and target are in `pending`; made into `method` and `target` only
    /// when something needs them (a body's limit, a refusal).
    private var requestLineParts: (method: Range<Int>, target: Range<Int>)?
    private var method = ""
    private var target = ""
    /// Bytes consumed since the connection opened.
    package private(set) var offset = 0
    /// `offset` of the current request's first byte.
    private(set) var requestStart = 0

    package init(maximumHeadBytes: Int) {
        self.maximumHeadBytes = maximumHeadBytes
    }

    /// How many of the next bytes are body data that need not be looked at.
    var skippable: Int {
        switch state {
        case .fixedBody(let remaining), .chunkData(let remaining): return remaining
        case .refused: return Int.max
        default: return 0
        }
    }

    /// Bytes of a body of known length (`Content-Length`) still to come; 0 outside one.
    var fixedBodyBytesToCome: Int {
        guard case .fixedBody(let remaining) = state else { return 0 }
        return remaining
    }

    /// Passes over as many of the next `available` bytes as are body data that need not be looked
    /// at (`skippable`); answers how many, and the event that ends them, if any.
    mutating func skipBody(upTo available: Int) -> (skipped: Int, event: Event?) {
        let count = min(skippable, available)
        guard count > 0 else { return (0, nil) }
        offset += count
        switch state {
        case .fixedBody(let remaining):
            if remaining == count {
                state = .idle
                return (count, .complete)
            }
            state = .fixedBody(remaining: remaining - count)
        case .chunkData(let remaining):
            state = remaining == count ? .chunkSize : .chunkData(remaining: remaining - count)
        default:
            break
        }
        return (count, nil)
    }

    /// Between two requests: the next byte starts one.
    package var isIdle: Bool {
        if case .idle = state { return true }
        return false
    }

    /// Reads bytes as they arrived, body data passed over and the rest fed, up to the first
    /// event. Answers how many bytes it consumed and the event, if any. A request starts at the
    /// first byte read while `isIdle`, which only the first byte of a call can be.
    package mutating func read(_ bytes: UnsafeRawBufferPointer, bodyLimit: (String, String) -> Int) -> (consumed: Int, event: Event?) {
        var index = 0
        while index < bytes.count {
            let (skipped, ending) = skipBody(upTo: bytes.count - index)
            if skipped > 0 {
                index += skipped
                if let ending { return (index, ending) }
                continue
            }
            let (consumed, event) = feed(UnsafeRawBufferPointer(rebasing: bytes[index...]), bodyLimit: bodyLimit)
            index += consumed
            if let event { return (index, event) }
        }
        return (index, nil)
    }

    /// Reads bytes of a head, a chunk-size line or a trailer (call it while `skippable` is 0), a
    /// line at a time, and stops after the byte that gives an event or that begins body data.
    /// Answers how many bytes it consumed. `bodyLimit` answers the largest body a method and
    /// target may carry.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, bodyLimit limit: (String, String) -> Int) -> (consumed: Int, event: Event?) {
        var index = 0
        while index < bytes.count {
            if case .idle = state {
                state = .head
                requestStart = offset
                headBytes = 0
                method = ""
                target = ""
            }
            let newline = Self.firstIndex(of: UInt8(ascii: "\n"), in: bytes[index...])
            let lineEnd = newline ?? bytes.count
            let arriving = lineEnd - index + (newline == nil ? 0 : 1)
            if let refusal = refusalOfArriving(bytes[index..<lineEnd], count: arriving) {
                offset += arriving
                return (index + arriving, refusal)
            }
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<lineEnd]))
            offset += arriving
            index += arriving
            guard newline != nil else { break }
            if let event = lineCompleted(limit: limit) { return (index, event) }
            if skippable > 0 { break }
        }
        return (index, nil)
    }

    /// Checks `count` more bytes of the line being received (`line`, and its line end if it
    /// came): the limit on the head, trailer or chunk-size line, and NUL bytes in a head.
    private mutating func refusalOfArriving(_ line: Slice<UnsafeRawBufferPointer>, count: Int) -> Event? {
        switch state {
        case .head:
            // Byte by byte, the head's limit is checked before the byte's NUL test.
            let overflow = maximumHeadBytes - headBytes
            // evhttp reads header lines as C strings: a NUL would end a line early for it alone.
            if let nul = Self.firstIndex(of: 0, in: line), nul - line.startIndex < overflow {
                return refuse(400, "The request head contains a NUL byte.")
            }
            headBytes += count
            if headBytes > maximumHeadBytes {
                return refuse(431, "The request line and headers exceed \(maximumHeadBytes) bytes.")
            }
        case .chunkSize where pending.count - lineStart + count > Self.longestChunkLine:
            return refuse(400, "A chunk-size line is longer than \(Self.longestChunkLine) bytes.")
        case .trailer:
            headBytes += count
            if headBytes > maximumHeadBytes {
                return refuse(431, "The trailer exceeds \(maximumHeadBytes) bytes.")
            }
        default:
            break
        }
        return nil
    }

    /// A line ended: in a head, one more line or its end; otherwise a chunk size or a trailer line.
    private mutating func lineCompleted(limit: (String, String) -> Int) -> Event? {
        var end = pending.count
        if end > lineStart, pending[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = lineStart..<end
        switch state {
        case .head:
            lineStart = pending.count
            guard line.isEmpty else {
                headLines.append(line)
                return nil
            }
            return endOfHead(limit: limit)
        case .chunkSize:
            let text = Array(pending[line])
            releaseLines()
            return chunkSizeLine(text)
        case .trailer:
            let isEmpty = line.isEmpty
            let isField = pending[line].contains(UInt8(ascii: ":"))
            releaseLines()
            if isEmpty {
                state = .idle
                return .complete
            }
            return isField ? nil : refuse(400, "A trailer line is not a header field.")
        default:
            return nil
        }
    }

    /// Reads the request line and the header fields of a complete head, collecting the framing
    /// fields; answers a refusal, if any. The head's slices of `pending` end with this call, so
    /// `pending` is released (`releaseLines`) without being copied.
    private mutating func readHead(contentLengths: inout [String], transferEncodings: inout [String]) -> Event? {
        guard var requestLine = headLines.first else { return refuse(400, "The request line is missing.") }
        while requestLine.count > 0, pending[requestLine.upperBound - 1] == UInt8(ascii: " ") { requestLine = requestLine.dropLast() }
        let line = pending[requestLine]
        guard requestLine.count >= Self.shortestRequestLine,
              let firstSpace = line.firstIndex(of: UInt8(ascii: " ")),
              let lastSpace = line.lastIndex(of: UInt8(ascii: " ")), lastSpace > firstSpace + 1
        else {
            return refuse(400, "The request line is not `METHOD TARGET HTTP/1.1`.")
        }
        requestLineParts = (requestLine.lowerBound..<firstSpace, (firstSpace + 1)..<lastSpace)
        let version = line[(lastSpace + 1)...]
        if !Self.isHTTP1(version) {
            let text = String(decoding: version, as: UTF8.self)
            return Self.isVersionNumber(text)
                ? refuse(505, "HTTP version \(text.dropFirst(5)) is not supported; use HTTP/1.1.")
                : refuse(400, "The request line is not `METHOD TARGET HTTP/1.1`.")
        }
        for fieldRange in headLines.dropFirst() {
            let field = pending[fieldRange]
            guard let colon = field.firstIndex(of: UInt8(ascii: ":")), colon > field.startIndex,
                  !field[..<colon].contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            else {
                // Also folded lines: evhttp would glue them to the previous field's value.
                return refuse(400, "A header line is not `Name: value`.")
            }
            // Only the two framing fields are read; the others are evhttp's to take apart.
            let name = field[..<colon]
            if HTTPHeaders.namesMatch(name, "content-length".utf8) {
                contentLengths.append(Self.trimmedLikeEvhttp(field[(colon + 1)...]))
            } else if HTTPHeaders.namesMatch(name, "transfer-encoding".utf8) {
                transferEncodings.append(Self.trimmedLikeEvhttp(field[(colon + 1)...]))
            }
        }
        return nil
    }

    private mutating func endOfHead(limit: (String, String) -> Int) -> Event? {
        var contentLengths: [String] = []
        var transferEncodings: [String] = []
        if let refusal = readHead(contentLengths: &contentLengths, transferEncodings: &transferEncodings) { return refusal }
        if !transferEncodings.isEmpty {
            guard contentLengths.isEmpty else {
                return refuse(400, "The request has both Transfer-Encoding and Content-Length.")
            }
            guard transferEncodings.count == 1, transferEncodings[0].lowercased() == "chunked" else {
                return refuse(501, "Transfer-Encoding \(transferEncodings.joined(separator: ", ")) is not supported; use chunked.")
            }
            nameRequestLineParts()
            guard Self.methodsWithBody.contains(method) else { return refuse(400, "A \(method) request cannot carry a body.") }
            bodyLimit = limit(method, target)
            bodyBytes = 0
            state = .chunkSize
            releaseLines()

            return .head(bodyFollows: true)
        }
        guard let lengthText = contentLengths.first else {
            state = .idle
            releaseLines()

            return .head(bodyFollows: false)
        }
        guard contentLengths.allSatisfy({ $0 == lengthText }) else {
            return refuse(400, "The request has conflicting Content-Length headers (\(contentLengths.joined(separator: ", "))).")
        }
        guard !lengthText.isEmpty, lengthText.utf8.count <= 18,
              lengthText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let length = Int(lengthText)
        else {
            return refuse(400, "Content-Length \(lengthText) is not a number of bytes.")
        }
        guard length > 0 else {
            state = .idle
            releaseLines()

            return .head(bodyFollows: false)
        }
        nameRequestLineParts()
        guard Self.methodsWithBody.contains(method) else { return refuse(400, "A \(method) request cannot carry a body.") }
        bodyLimit = limit(method, target)
        guard length <= bodyLimit else { return refuseTooLarge() }
        state = .fixedBody(remaining: length)
        releaseLines()

        return .head(bodyFollows: true)
    }

    private mutating func chunkSizeLine(_ text: [UInt8]) -> Event? {
        // evhttp skips empty lines where it expects a size (the CRLF after each chunk's data).
        if text.isEmpty { return nil }
        let digits = text.prefix { Self.hexValue($0) != nil }
        let rest = text[digits.endIndex...]
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        // evhttp reads a size with strtoll and accepts only a space after it (no `;extension`).
        guard !digits.isEmpty, rest.isEmpty || rest.first == UInt8(ascii: " "), significant.count <= 15 else {
            return refuse(400, "\(String(decoding: text, as: UTF8.self).debugDescription) is not a chunk size.")
        }
        let size = significant.reduce(0) { $0 * 16 + Self.hexValue($1)! }
        guard size > 0 else {
            headBytes = 0
            state = .trailer
            return nil
        }
        bodyBytes += size
        guard bodyBytes <= bodyLimit else { return refuseTooLarge() }
        state = .chunkData(remaining: size)
        return nil
    }

    private mutating func refuseTooLarge() -> Event {
        refuse(413, "The request body exceeds \(bodyLimit) bytes, the limit for \(method) \(target).")
    }

    /// Lets go of what was read line by line (a head, a chunk-size line, a trailer line) once it is
    /// done with. Room for a usual head is kept from request to request; an unusually large
    /// one's is given back, so an idle connection holds little.
    private mutating func releaseLines() {
        pending.removeAll(keepingCapacity: pending.capacity <= Self.keptHeadCapacity)
        headLines.removeAll(keepingCapacity: headLines.capacity <= Self.keptHeadCapacity / 16)
        requestLineParts = nil
        lineStart = 0
    }

    /// Makes `method` and `target` from the head, which is still in `pending`.
    private mutating func nameRequestLineParts() {
        guard let parts = requestLineParts, method.isEmpty else { return }
        method = String(decoding: pending[parts.method], as: UTF8.self)
        target = String(decoding: pending[parts.target], as: UTF8.self)
    }

    private mutating func refuse(_ status: Int, _ message: String) -> Event {
        nameRequestLineParts()
        let inBody: Bool
        switch state {
        case .idle, .head, .refused: inBody = false
        case .fixedBody, .chunkSize, .chunkData, .trailer: inBody = true
        }
        state = .refused
        return .refused(Refusal(
            status: status, message: message, method: method.isEmpty ? nil : method, target: target.isEmpty ? nil : target,
            inBody: inBody))
    }

    /// `HTTP/1.1` or `HTTP/1.0`.
    private static func isHTTP1(_ version: ArraySlice<UInt8>) -> Bool {
        guard version.count == 8 else { return false }
        let start = version.startIndex
        return version[start..<(start + 7)].elementsEqual(http1Prefix) && (version[start + 7] == UInt8(ascii: "1") || version[start + 7] == UInt8(ascii: "0"))
    }

    private static let http1Prefix = Array("HTTP/1.".utf8)

    /// The first index of `byte` in `bytes` (`memchr`, which reads many bytes at a time).
    private static func firstIndex(of byte: UInt8, in bytes: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard !bytes.isEmpty, let base = bytes.base.baseAddress,
              let found = memchr(base + bytes.startIndex, Int32(byte), bytes.count)
        else { return nil }
        return UnsafeRawPointer(found) - base
    }

    private static func isVersionNumber(_ version: String) -> Bool {
        guard version.hasPrefix("HTTP/") else { return false }
        let parts = version.dropFirst(5).split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }

    /// evhttp drops leading spaces (not tabs) and trailing spaces and tabs from a header value;
    /// trimming the same way keeps `Transfer-Encoding:<TAB>chunked` from meaning chunked here
    /// and nothing to evhttp.
    private static func trimmedLikeEvhttp(_ value: ArraySlice<UInt8>) -> String {
        var value = value
        while value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        while let last = value.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { value = value.dropLast() }
        return String(decoding: value, as: UTF8.self)
    }
}
