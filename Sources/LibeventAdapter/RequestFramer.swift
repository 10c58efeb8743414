/// Follows one connection's bytes as they arrive, a step ahead of evhttp, so that a request can be
/// refused from its head before its body is read, and its phases can be timed.
///
/// evhttp 2.1 offers no hook between a request's head and its body, and it accepts heads that are
/// ambiguous (two different `Content-Length`s: it uses the first) or that it cannot answer
/// correctly (`HTTP/1.999`, which it echoes as `HTTP/1.-25`). The framer finds the same request
/// boundaries evhttp does (lines end in LF or CRLF; a body by `Content-Length` or chunked, and only
/// for the methods evhttp reads a body for) and refuses every head it could disagree with evhttp
/// about, so both always agree on where a request ends.
struct RequestFramer {
    struct Refusal: Equatable {
        let status: Int
        let message: String
        /// What the head said, when it got that far (for the access log).
        var method: String?
        var target: String?
        /// Refused in its body: the head had been accepted (and handed to evhttp).
        var inBody = false
    }

    enum Event: Equatable {
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
    /// A chunk-size line is a size and perhaps an extension; anything longer is not one.
    private static let longestChunkLine = 1024

    private let maximumHeadBytes: Int
    private var state = State.idle
    private var line: [UInt8] = []
    private var headLines: [[UInt8]] = []
    private var headBytes = 0
    private var bodyBytes = 0
    private var bodyLimit = 0
    private var method = ""
    private var target = ""
    /// Bytes consumed since the connection opened.
    private(set) var offset = 0
    /// `offset` of the current request's first byte.
    private(set) var requestStart = 0

    init(maximumHeadBytes: Int) {
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

    /// Passes over `count` bytes, at most `skippable`.
    mutating func skip(_ count: Int) -> Event? {
        offset += count
        switch state {
        case .fixedBody(let remaining):
            if remaining == count {
                state = .idle
                return .complete
            }
            state = .fixedBody(remaining: remaining - count)
        case .chunkData(let remaining):
            state = remaining == count ? .chunkSize : .chunkData(remaining: remaining - count)
        default:
            break
        }
        return nil
    }

    /// Between two requests: the next byte starts one.
    var isIdle: Bool {
        if case .idle = state { return true }
        return false
    }

    /// Reads one byte of a head, a chunk-size line or a trailer. `bodyLimit` answers the largest
    /// body a method and target may carry.
    mutating func feed(_ byte: UInt8, bodyLimit limit: (String, String) -> Int) -> Event? {
        if case .idle = state {
            state = .head
            requestStart = offset
            headLines.removeAll()
            line.removeAll()
            headBytes = 0
            method = ""
            target = ""
        }
        offset += 1
        switch state {
        case .head:
            headBytes += 1
            if headBytes > maximumHeadBytes {
                return refuse(431, "The request line and headers exceed \(maximumHeadBytes) bytes.")
            }
            // evhttp reads header lines as C strings: a NUL would end a line early for it alone.
            if byte == 0 { return refuse(400, "The request head contains a NUL byte.") }
        case .chunkSize where line.count >= Self.longestChunkLine:
            return refuse(400, "A chunk-size line is longer than \(Self.longestChunkLine) bytes.")
        case .trailer:
            headBytes += 1
            if headBytes > maximumHeadBytes {
                return refuse(431, "The trailer exceeds \(maximumHeadBytes) bytes.")
            }
        default:
            break
        }
        guard byte == UInt8(ascii: "\n") else {
            line.append(byte)
            return nil
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        let completed = line
        line.removeAll(keepingCapacity: true)
        switch state {
        case .head:
            guard completed.isEmpty else {
                headLines.append(completed)
                return nil
            }
            return endOfHead(limit: limit)
        case .chunkSize:
            return chunkSizeLine(completed)
        case .trailer:
            if completed.isEmpty {
                state = .idle
                return .complete
            }
            guard completed.contains(UInt8(ascii: ":")) else { return refuse(400, "A trailer line is not a header field.") }
            return nil
        default:
            return nil
        }
    }

    private mutating func endOfHead(limit: (String, String) -> Int) -> Event? {
        guard var requestLine = headLines.first else { return refuse(400, "The request line is missing.") }
        while requestLine.last == UInt8(ascii: " ") { requestLine.removeLast() }
        guard requestLine.count >= Self.shortestRequestLine,
              let firstSpace = requestLine.firstIndex(of: UInt8(ascii: " ")),
              let lastSpace = requestLine.lastIndex(of: UInt8(ascii: " ")), lastSpace > firstSpace + 1
        else {
            return refuse(400, "The request line is not `METHOD TARGET HTTP/1.1`.")
        }
        method = String(decoding: requestLine[..<firstSpace], as: UTF8.self)
        target = String(decoding: requestLine[(firstSpace + 1)..<lastSpace], as: UTF8.self)
        let version = String(decoding: requestLine[(lastSpace + 1)...], as: UTF8.self)
        if version != "HTTP/1.1" && version != "HTTP/1.0" {
            return Self.isVersionNumber(version)
                ? refuse(505, "HTTP version \(version.dropFirst(5)) is not supported; use HTTP/1.1.")
                : refuse(400, "The request line is not `METHOD TARGET HTTP/1.1`.")
        }
        var contentLengths: [String] = []
        var transferEncodings: [String] = []
        for field in headLines.dropFirst() {
            guard let colon = field.firstIndex(of: UInt8(ascii: ":")), colon > 0,
                  !field[..<colon].contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            else {
                // Also folded lines: evhttp would glue them to the previous field's value.
                return refuse(400, "A header line is not `Name: value`.")
            }
            let name = String(decoding: field[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: field[(colon + 1)...], as: UTF8.self).trimmedLikeEvhttp()
            if name == "content-length" { contentLengths.append(value) }
            if name == "transfer-encoding" { transferEncodings.append(value) }
        }
        let mayHaveBody = Self.methodsWithBody.contains(method)
        if !transferEncodings.isEmpty {
            guard contentLengths.isEmpty else {
                return refuse(400, "The request has both Transfer-Encoding and Content-Length.")
            }
            guard transferEncodings.count == 1, transferEncodings[0].lowercased() == "chunked" else {
                return refuse(501, "Transfer-Encoding \(transferEncodings.joined(separator: ", ")) is not supported; use chunked.")
            }
            guard mayHaveBody else { return refuse(400, "A \(method) request cannot carry a body.") }
            bodyLimit = limit(method, target)
            bodyBytes = 0
            state = .chunkSize
            return .head(bodyFollows: true)
        }
        guard let lengthText = contentLengths.first else {
            state = .idle
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
            return .head(bodyFollows: false)
        }
        guard mayHaveBody else { return refuse(400, "A \(method) request cannot carry a body.") }
        bodyLimit = limit(method, target)
        guard length <= bodyLimit else { return refuseTooLarge() }
        state = .fixedBody(remaining: length)
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

    private mutating func refuse(_ status: Int, _ message: String) -> Event {
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
}

private extension String {
    /// evhttp drops leading spaces (not tabs) and trailing spaces and tabs from a header value;
    /// trimming the same way keeps `Transfer-Encoding:<TAB>chunked` from meaning chunked here
    /// and nothing to evhttp.
    func trimmedLikeEvhttp() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
