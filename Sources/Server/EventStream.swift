import ConcurrencySimulator
import ControlAPI
import JSONOutput
import MockHTTP

/// The subscribers of `GET /_mock/events/stream`: each gets the journaled events its filter
/// matches as Server-Sent Events, pushed after every request that journaled any.
struct EventStream {
    /// Bytes a subscriber may leave unread (beyond the backlog it was opened with) before it is
    /// dropped: a subscriber that stops reading never makes the server hold more.
    static let maximumBufferedBytes = 1024 * 1024
    /// A comment line goes to every subscriber this often, so idle streams show they are alive.
    static let heartbeatSeconds = 15.0
    static let heartbeat = Array(": heartbeat\n\n".utf8)

    private var subscribers: [HTTPStreamID: EventFilter] = [:]
    private var nextID = 1
    /// The last event pushed to the subscribers.
    private var pushedThrough = 0

    var count: Int { subscribers.count }

    /// Opens a subscription: the opening carries the kept events after `request.after` that match.
    mutating func open(_ request: ControlPlane.EventStreamRequest, journal: EventJournal, headers: HTTPHeaders) -> HTTPStreamOpening {
        let id = HTTPStreamID(nextID)
        nextID += 1
        // The owner pushed everything journaled before opening: the backlog runs up to
        // `pushedThrough`, later events go out with the next push.
        var body = Array(": concurrency-mock events; oldest kept \(journal.oldestSequenceNumber)\n\n".utf8)
        for entry in journal.entries(after: request.after) where entry.sequenceNumber <= pushedThrough && request.filter.matches(entry.event) {
            Self.append(entry, to: &body)
        }
        subscribers[id] = request.filter
        return HTTPStreamOpening(
            id: id, response: HTTPResponse(status: 200, headers: Self.headers(headers), body: body),
            keepAlive: (Self.heartbeat, Self.heartbeatSeconds), maximumBufferedBytes: Self.maximumBufferedBytes)
    }

    /// The stream's headers after `headers`.
    static func headers(_ headers: HTTPHeaders) -> HTTPHeaders {
        var headers = headers
        headers.add("Content-Type", "text/event-stream; charset=utf-8")
        headers.add("Cache-Control", "no-cache")
        headers.add("X-Accel-Buffering", "no")
        return headers
    }

    mutating func end(_ id: HTTPStreamID) {
        subscribers.removeValue(forKey: id)
    }

    /// Writes the events journaled since the last push to every subscriber they match.
    mutating func push(_ journal: EventJournal, to outlet: HTTPStreamOutlet?) {
        guard journal.nextSequenceNumber - 1 > pushedThrough else { return }
        let fresh = journal.entries(after: pushedThrough)
        pushedThrough = journal.nextSequenceNumber - 1
        guard let outlet, !subscribers.isEmpty else { return }
        let encoded = fresh.map { entry -> [UInt8] in
            var bytes: [UInt8] = []
            Self.append(entry, to: &bytes)
            return bytes
        }
        for (id, filter) in subscribers {
            var bytes: [UInt8] = []
            for (entry, text) in zip(fresh, encoded) where filter.matches(entry.event) { bytes += text }
            // A refused write ends the stream; `streamEnded` removes the subscriber.
            if !bytes.isEmpty { outlet.write(bytes, to: id) }
        }
    }

    /// `id: <seq>`, `event: <type>`, `data: <the JSON of GET /_mock/events>`, a blank line.
    static func append(_ entry: EventJournal.Entry, to bytes: inout [UInt8]) {
        var json = JSONWriter(reservingCapacity: 256)
        ControlPlane.writeEvent(entry, to: &json)
        bytes += Array("id: \(entry.sequenceNumber)\nevent: \(entry.event.type.rawValue)\ndata: ".utf8)
        bytes += json.bytes
        bytes += [0x0A, 0x0A]
    }
}
