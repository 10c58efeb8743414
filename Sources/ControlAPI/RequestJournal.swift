import ConcurrencySimulator
import MockHTTP

/// The last requests the server answered, numbered in order, for `GET /_mock/requests` and the
/// JSON access log. Not part of the state (never exported; a reset keeps it).
///
/// A ring of at most `capacity` entries; recording past it drops the oldest.
public struct RequestJournal: Sendable {
    /// One answered request, as `GET /_mock/requests` writes it. Recording keeps the request's
    /// own values (no copies but a body cut to `maximumBodyBytes`); what is shown of them (path,
    /// query, masked headers, body text) is worked out when it is read.
    public struct Entry: Sendable {
        public var sequenceNumber = 0
        /// Wall-clock time of its arrival.
        public let at: Timestamp
        /// As sent (HEAD stays HEAD).
        public let method: String
        /// The request target as sent.
        public let target: String
        private let rawHeaders: HTTPHeaders
        /// At most `RequestJournal.maximumBodyBytes`.
        private let rawBody: [UInt8]
        /// `nil` when the connection was closed without an answer (a `drop` fault).
        public let status: Int?
        /// Spent answering, a fault's delay included.
        public let durationMicroseconds: Int
        public let remoteAddress: String?
        /// Under `/_mock`.
        public let isControl: Bool
        /// The fault that answered or delayed it.
        public let fault: FaultRecord?

        public init(
            request: HTTPRequest, at: Timestamp, status: Int?, durationMicroseconds: Int, isControl: Bool, fault: FaultRecord?
        ) {
            self.at = at
            self.method = request.method
            self.target = request.target
            self.rawHeaders = request.headers
            self.rawBody = request.body.count > RequestJournal.maximumBodyBytes
                ? Array(request.body.prefix(RequestJournal.maximumBodyBytes)) : request.body
            self.status = status
            self.durationMicroseconds = durationMicroseconds
            self.remoteAddress = request.remoteAddress
            self.isControl = isControl
            self.fault = fault
        }

        /// The path as sent, still percent-encoded, without the query.
        public var path: String { RequestTarget.rawPath(of: target) }

        /// Each parameter once with its last value, decoded; on a control path the board's
        /// `token` is masked as `authorization` is.
        public var query: [(name: String, value: String)] {
            let all = target.contains("?") ? (RequestTarget(target)?.query.all ?? []) : []
            return all.map { isControl && $0.name == "token" ? ($0.name, Self.masked($0.value)) : $0 }
        }

        /// Lowercased names, repeated fields joined with `, `, `authorization` masked.
        public var headers: [(name: String, value: String)] {
            var order: [String] = []
            var values: [String: String] = [:]
            for (name, value) in rawHeaders {
                let lowered = name.lowercased()
                let shown = lowered == "authorization" ? Self.masked(value) : value
                if let earlier = values[lowered] {
                    values[lowered] = earlier + ", " + shown
                } else {
                    order.append(lowered)
                    values[lowered] = shown
                }
            }
            return order.map { ($0, values[$0]!) }
        }

        /// The first `RequestJournal.maximumBodyBytes` of the body as text; `nil` without a body.
        public var body: String? { rawBody.isEmpty ? nil : String(decoding: rawBody, as: UTF8.self) }

        /// The scheme and the last four characters: `Bearer ****ab12`.
        static func masked(_ value: String) -> String {
            let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            let (scheme, secret) = parts.count == 2 ? (String(parts[0]) + " ", parts[1]) : ("", parts.first ?? "")
            let tail = secret.count > 4 ? String(secret.suffix(4)) : ""
            return scheme + "****" + tail
        }
    }

    /// What a fault did to a request.
    public struct FaultRecord: Sendable {
        public let id: Int
        /// `status`, `secondary_rate_limit`, `drop` or `delay`.
        public let kind: String
        public let delayMilliseconds: Int

        public init(id: Int, kind: String, delayMilliseconds: Int) {
            self.id = id
            self.kind = kind
            self.delayMilliseconds = delayMilliseconds
        }
    }

    /// `--request-journal-size`'s default.
    public static let defaultCapacity = 10_000
    /// The most of a request's body an entry keeps.
    public static let maximumBodyBytes = 64 * 1024

    private var ring: SequencedRing<Entry>

    public init(capacity: Int = RequestJournal.defaultCapacity) {
        ring = SequencedRing(capacity: capacity)
    }

    public var capacity: Int { ring.capacity }

    public var count: Int { ring.count }

    /// Numbers and keeps the entry; answers it numbered. Emptying the journal does not reset
    /// the numbers.
    @discardableResult
    public mutating func record(_ entry: Entry) -> Entry {
        var entry = entry
        entry.sequenceNumber = ring.nextSequenceNumber
        ring.append(entry)
        return entry
    }

    public mutating func removeAll() {
        ring.removeAll()
    }

    /// The kept entries, oldest first.
    public var entries: [Entry] {
        ring.elements(after: 0).map(\.element)
    }
}
