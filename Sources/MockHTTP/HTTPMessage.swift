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
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { Self.lower($0) == Self.lower($1) }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
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
        case 409: return "Conflict"
        case 413: return "Payload Too Large"
        case 422: return "Unprocessable Entity"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}

/// Anything that turns a request into a response. Called on the event-loop thread only, one
/// request at a time, so implementations may keep unsynchronised mutable state.
public protocol HTTPResponder: AnyObject {
    func respond(to request: HTTPRequest) -> HTTPResponse

    /// The largest body a request to `target` with `method` may carry. The transport asks once the
    /// head has arrived and refuses a larger body with 413 before reading it.
    func maximumBodyBytes(method: String, target: String) -> Int

    /// The answer to a request the transport refuses before `respond(to:)` could see it (413, 400,
    /// 431, 501, 505); `message` says why.
    func refusal(status: Int, message: String) -> HTTPResponse
}

extension Substring {
    /// The text without the spaces and tabs HTTP allows around a header value.
    public var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
