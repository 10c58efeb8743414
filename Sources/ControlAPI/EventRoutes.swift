import ConcurrencySimulator
import GitHubREST
import JSONOutput
import MockHTTP
import StateDocuments

/// `GET /_mock/events`: the event journal, oldest first, with its filters; `GET
/// /_mock/events/stream`: the same events as Server-Sent Events (the owner keeps the stream).
enum EventRoute {
    case events, stream

    var allowedMethods: [String] { ["GET"] }
}

extension ControlPlane {
    /// The filters and the `since` cursor of an events request, shared with the event stream.
    public struct EventQuery: Sendable {
        public var filter = EventFilter()
        /// Events numbered after this one.
        public var since: Int?
        public var limit: Int?

        /// Reads `since`, `repository`, `group`, `run_id`, `type` and `limit`; 422 naming the one at fault.
        public init(_ query: QueryParameters) throws(GitHubError) {
            func number(_ name: String, minimum: Int) throws(GitHubError) -> Int? {
                guard let text = query[name] else { return nil }
                guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let value = Int(text), value >= minimum else {
                    throw invalid("Events", name, "\(name) must be a whole number of at least \(minimum), not '\(text)'")
                }
                return value
            }
            since = try number("since", minimum: 0)
            limit = try number("limit", minimum: 1)
            if let run = try number("run_id", minimum: 1) { filter.run = RunID(run) }
            if let text = query["repository"] {
                guard let key = RepositoryKey(parsing: text) else {
                    throw invalid("Events", "repository", "repository must be OWNER/NAME, not '\(text)'")
                }
                filter.repository = key
            }
            if let text = query["group"] {
                guard !text.isEmpty else { throw invalid("Events", "group", "group cannot be empty") }
                filter.group = GroupKey(text)
            }
            if let text = query["type"] {
                guard let type = SimulationEvent.EventType(rawValue: text) else {
                    let types = SimulationEvent.EventType.allCases.map(\.rawValue).joined(separator: ", ")
                    throw invalid("Events", "type", "type must be one of \(types), not '\(text)'")
                }
                filter.type = type
            }
        }
    }

    /// A stream to open: its filter, and the number of the last event its reader has (it gets
    /// the kept events after it first, then each new one).
    public struct EventStreamRequest: Sendable {
        public var filter: EventFilter
        public var after: Int
    }

    static func respond(_ route: EventRoute, query: QueryParameters, headers: HTTPHeaders, context: inout Context) throws(GitHubError) -> (Int, [UInt8]) {
        let request = try EventQuery(query)
        if case .stream = route {
            guard request.limit == nil else { throw invalid("Events", "limit", "limit does not apply to the event stream") }
            var after = context.journal.nextSequenceNumber - 1
            if let text = headers["Last-Event-ID"].map({ Substring($0).trimmingSpaces }) {
                guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let value = Int(text) else {
                    throw invalid("Events", "Last-Event-ID", "Last-Event-ID must be the id of an event (a whole number), not '\(text)'")
                }
                after = value
            } else if let since = request.since {
                after = since
            }
            context.openedStream = EventStreamRequest(filter: request.filter, after: after)
            return (200, [])
        }
        let matched = context.journal.entries(after: request.since ?? 0).filter { request.filter.matches($0.event) }
        var json = JSONWriter(reservingCapacity: 64 + min(matched.count, request.limit ?? matched.count) * 200)
        json.beginObject()
        json.field("total_count", matched.count)
        json.field("oldest_seq", context.journal.oldestSequenceNumber)
        json.key("events")
        json.beginArray()
        for entry in matched.prefix(request.limit ?? matched.count) { writeEvent(entry, to: &json) }
        json.endArray()
        json.endObject()
        return (200, json.bytes)
    }

    /// `{"seq", "at", "type", "repository", "run_id", "job_id", "group", "kind", "conclusion",
    /// "cause"}`; what does not apply is `null`.
    public static func writeEvent(_ entry: EventJournal.Entry, to json: inout JSONWriter) {
        let event = entry.event
        json.beginObject()
        json.field("seq", entry.sequenceNumber)
        json.field("at", event.at.description)
        json.field("type", event.type.rawValue)
        json.field("repository", event.repository)
        json.key("run_id")
        if let run = event.run { json.int(run.rawValue) } else { json.null() }
        json.key("job_id")
        if let job = event.job { json.int(job.rawValue) } else { json.null() }
        json.field("group", event.group)
        json.field("kind", event.leaseKind?.rawValue)
        json.field("conclusion", event.conclusion?.rawValue)
        json.key("cause")
        CancellationCause.write(event.cause, to: &json)
        json.endObject()
    }
}
