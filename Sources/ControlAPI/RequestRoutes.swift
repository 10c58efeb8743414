import ConcurrencySimulator
import GitHubREST
import JSONOutput
import MockHTTP

/// `GET /_mock/requests` (the request journal, oldest first, with its filters) and
/// `DELETE /_mock/requests` (empty it).
enum RequestRoute {
    case requests

    var allowedMethods: [String] { ["GET", "DELETE"] }
}

extension ControlPlane {
    /// The filters of `GET /_mock/requests`.
    struct RequestQuery {
        var method: String?
        /// Exact, or a prefix ending in `*`.
        var path: String?
        var status: Int?
        var since = 0
        var includeControl = false

        init(_ query: QueryParameters) throws(GitHubError) {
            if let text = query["method"] {
                guard !text.isEmpty else { throw invalid("Requests", "method", "method cannot be empty") }
                method = text.uppercased()
            }
            if let text = query["path"] {
                guard text.hasPrefix("/") else { throw invalid("Requests", "path", "path must start with '/', not '\(text)'") }
                path = text
            }
            if let text = query["status"] {
                guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let value = Int(text), (100...599).contains(value) else {
                    throw invalid("Requests", "status", "status must be an HTTP status from 100 to 599, not '\(text)'")
                }
                status = value
            }
            if let text = query["since"] {
                guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let value = Int(text) else {
                    throw invalid("Requests", "since", "since must be a whole number of at least 0, not '\(text)'")
                }
                since = value
            }
            if let text = query["include_control"] {
                switch text {
                case "true": includeControl = true
                case "false": includeControl = false
                default: throw invalid("Requests", "include_control", "include_control must be true or false, not '\(text)'")
                }
            }
        }

        func matches(_ entry: RequestJournal.Entry) -> Bool {
            if entry.sequenceNumber <= since { return false }
            if entry.isControl && !includeControl { return false }
            if let method, entry.method != method { return false }
            if let status, entry.status != status { return false }
            if let path {
                let sent = entry.path
                if path.hasSuffix("*") { return sent.hasPrefix(path.dropLast()) }
                return sent == path
            }
            return true
        }
    }

    static func respond(_ route: RequestRoute, method: String, query: QueryParameters, context: inout Context) throws(GitHubError) -> (Int, [UInt8]) {
        if method == "DELETE" {
            context.requests.removeAll()
            return (204, [])
        }
        let request = try RequestQuery(query)
        let matched = context.requests.entries.filter(request.matches)
        var json = JSONWriter(reservingCapacity: 64 + matched.count * 400)
        json.beginObject()
        json.field("total_count", matched.count)
        json.key("requests")
        json.beginArray()
        for entry in matched { writeRequest(entry, to: &json) }
        json.endArray()
        json.endObject()
        return (200, json.bytes)
    }

    /// `{"seq", "at", "method", "path", "query", "status", "headers", "body", "duration_us",
    /// "remote_address", "fault"}`; the JSON access log writes the same object per line.
    public static func writeRequest(_ entry: RequestJournal.Entry, to json: inout JSONWriter) {
        json.beginObject()
        json.field("seq", entry.sequenceNumber)
        json.field("at", entry.at.description)
        json.field("method", entry.method)
        json.field("path", entry.path)
        json.key("query")
        json.beginObject()
        for (name, value) in entry.query { json.field(escaping: name, value) }
        json.endObject()
        json.key("status")
        if let status = entry.status { json.int(status) } else { json.null() }
        json.key("headers")
        json.beginObject()
        for (name, value) in entry.headers { json.field(escaping: name, value) }
        json.endObject()
        json.field("body", entry.body)
        json.field("duration_us", entry.durationMicroseconds)
        json.field("remote_address", entry.remoteAddress)
        json.key("fault")
        if let fault = entry.fault {
            json.beginObject()
            json.field("id", fault.id)
            json.field("kind", fault.kind)
            json.field("delay_ms", fault.delayMilliseconds)
            json.endObject()
        } else {
            json.null()
        }
        json.endObject()
    }
}
