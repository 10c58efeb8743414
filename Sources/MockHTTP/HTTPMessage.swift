/// Header fields in arrival order. Names compare case-insensitively (ASCII), as HTTP requires.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The first value of the named field, or `nil`.
    public subscript(name: String) -> String? {
        fields.first { Self.namesMatch($0.name, name) }?.value
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// Makes room for `count` more fields at once, instead of growing the storage field by field.
    public mutating func reserve(_ count: Int) {
        fields.reserveCapacity(fields.count + count)
    }

    /// Replaces every field of that name with one field.
    public mutating func replace(_ name: String, _ value: String) {
        fields.removeAll { Self.namesMatch($0.name, name) }
        fields.append((name, value))
    }

    public mutating func removeAll(named name: String) {
        fields.removeAll { Self.namesMatch($0.name, name) }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    static func namesMatch(_ a: String, _ b: String) -> Bool {
        namesMatch(a.utf8, b.utf8)
    }

    /// Whether two field names, as their bytes, are the same ignoring ASCII case. Inlinable: the
    /// transport compares names of every request and answer with it.
    @inlinable
    public static func namesMatch(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        func lower(_ byte: UInt8) -> UInt8 { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte }
        return a.count == b.count && zip(a, b).allSatisfy { lower($0) == lower($1) }
    }
}

/// A request as the transport received it: nothing decoded, nothing interpreted.
public struct HTTPRequest: Sendable {
    /// The method token, upper case (`GET`, `HEAD`, ...).
    public var method: String
    /// The request target exactly as sent: path and optional query, still percent-encoded.
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The peer's address, when the transport knows it.
    public var remoteAddress: String?

    public init(method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], remoteAddress: String? = nil) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }
}

/// A complete response. The transport adds framing headers (`Content-Length`, `Date`).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The standard reason phrase for the status codes the mock sends.
    public var reasonPhrase: String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 413: return "Payload Too Large"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 451: return "Unavailable For Legal Reasons"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}

/// What a responder asks the transport to do with a request. Transport-neutral: the transport
/// decides how (timers, closing, chunked bodies), the responder only what.
public enum HTTPReply: Sendable {
    /// Send this answer now.
    case answer(HTTPResponse)
    /// Send this answer once `milliseconds` have passed; the transport answers other requests
    /// meanwhile (it never sleeps).
    case delayed(HTTPResponse, milliseconds: Int)
    /// Close the connection without answering, once `milliseconds` have passed.
    case drop(milliseconds: Int)
    /// Start an answer of unknown length: the opening's status, headers and first bytes now, later
    /// bytes through `HTTPStreamOutlet.write` until either side ends it.
    case stream(HTTPStreamOpening)

    /// The answer as a plain response, for callers without a transport (tests): a delayed answer
    /// without its delay, a stream's opening, and for a drop a status 0 without headers or body.
    public var response: HTTPResponse {
        switch self {
        case .answer(let response), .delayed(let response, _): return response
        case .drop: return HTTPResponse(status: 0)
        case .stream(let opening): return opening.response
        }
    }
}

/// Names one open stream between a responder and its transport.
public struct HTTPStreamID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// How a stream starts and what the transport keeps up on its own.
public struct HTTPStreamOpening: Sendable {
    public var id: HTTPStreamID
    /// Status and headers (no `Content-Length`: the body has no known end), and the first bytes.
    public var response: HTTPResponse
    /// Bytes the transport writes every `keepAliveSeconds` (an SSE comment line, say), so that
    /// proxies and clients see the stream alive; `nil` for none.
    public var keepAlive: (bytes: [UInt8], seconds: Double)?
    /// Bytes written but not yet taken by the client beyond which the transport ends the stream
    /// (closing its connection) rather than buffer more for a client that does not read.
    public var maximumBufferedBytes: Int

    public init(id: HTTPStreamID, response: HTTPResponse, keepAlive: (bytes: [UInt8], seconds: Double)?, maximumBufferedBytes: Int) {
        self.id = id
        self.response = response
        self.keepAlive = keepAlive
        self.maximumBufferedBytes = maximumBufferedBytes
    }
}

/// The transport's side of open streams, handed to the responder once (`HTTPResponder.attach`).
/// Called on the event-loop thread only.
public protocol HTTPStreamOutlet: AnyObject {
    /// Appends bytes to an open stream. Answers `false` when the stream is gone (the client left,
    /// or it passed its buffer limit: then the transport ends it, and `streamEnded` follows).
    @discardableResult
    func write(_ bytes: [UInt8], to stream: HTTPStreamID) -> Bool
}

/// Anything that turns a request into a reply. Called on the event-loop thread only, one
/// request at a time, so implementations may keep unsynchronised mutable state.
public protocol HTTPResponder: AnyObject {
    /// What to do with a request: answer it now or later, drop it, or stream to it.
    func reply(to request: HTTPRequest) -> HTTPReply

    /// The largest body a request to `target` with `method` may carry. The transport asks once the
    /// head has arrived and refuses a larger body with 413 before reading it.
    func maximumBodyBytes(method: String, target: String) -> Int

    /// The answer to a request the transport refuses before `reply(to:)` could see it (413, 400,
    /// 431, 501, 505); `message` says why.
    func refusal(status: Int, message: String) -> HTTPResponse

    /// The transport's outlet for streams, handed over once before the first request. The outlet
    /// (the transport, which owns the responder) outlives the responder; the responder holds it
    /// without owning it.
    func attach(_ outlet: HTTPStreamOutlet)

    /// A stream has ended: the client left, or it passed its buffer limit, or the server stops.
    func streamEnded(_ stream: HTTPStreamID)
}

extension HTTPResponder {
    /// The reply as a plain response (see `HTTPReply.response`), for in-process callers.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        reply(to: request).response
    }

    public func attach(_ outlet: HTTPStreamOutlet) {}

    public func streamEnded(_ stream: HTTPStreamID) {}
}

extension Substring {
    /// The text without the spaces and tabs HTTP allows around a header value.
    public var trimmingSpaces: String {
        // On the UTF-8 bytes: spaces and tabs are ASCII, so the cut falls between characters.
        func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, isSpace(utf8[start]) { start = utf8.index(after: start) }
        while start < end, isSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        return String(self[start..<end])
    }
}
