import JSONOutput
import SourceDocuments
import Yams

/// One injected fault: which GitHub requests it matches, what it answers instead (or only how
/// long it holds them), how many more times and with what probability.
public struct FaultRule: Sendable, Equatable {
    public enum Response: Sendable, Equatable {
        /// The status with GitHub's body for it.
        case status(Int)
        /// GitHub's 403 for a secondary rate limit, with `Retry-After`.
        case secondaryRateLimit(retryAfter: Int)
        /// The connection is closed without an answer.
        case drop
        /// The normal answer, after the delay.
        case normal
    }

    public var id: Int
    /// Upper case; `nil` matches every method (HEAD counts as GET).
    public var method: String?
    /// The path as sent (still percent-encoded, without the query), exact or a prefix ending in
    /// `*`; `nil` matches every GitHub path.
    public var path: String?
    public var response: Response
    public var delayMilliseconds: Int
    /// Matches left; `nil` for unlimited.
    public var times: Int?
    public var probability: Double

    public func matches(method: String, path: String) -> Bool {
        if let expected = self.method, expected != method { return false }
        guard let pattern = self.path else { return true }
        if pattern.hasSuffix("*") { return path.hasPrefix(pattern.dropLast()) }
        return path == pattern
    }

    /// The keys of a rule's document; `id` only where a whole state is read.
    public static let documentKeys = ["match", "respond", "delay_ms", "times", "probability"]

    /// Reads `{match: {method, path}, respond, delay_ms, times, probability}`; errors name the key at fault.
    public static func parse(_ node: some ReadableNode, id: Int, reader: YAMLReader, allowingID: Bool = false) throws(SourceError) -> FaultRule {
        let fields = try reader.mapping(node, "a fault", allowed: documentKeys + (allowingID ? ["id"] : []))
        var rule = FaultRule(id: id, method: nil, path: nil, response: .normal, delayMilliseconds: 0, times: nil, probability: 1)
        if let match = fields["match"], !reader.isNull(match) {
            let criteria = try reader.mapping(match, "match", allowed: ["method", "path"])
            if let node = criteria["method"], !reader.isNull(node) {
                let method = try reader.nonEmptyString(node, "match.method")
                guard method.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0 & ~0x20) }) else {
                    throw reader.error(at: node, "match.method must be an HTTP method such as GET, not '\(method)'")
                }
                rule.method = method.uppercased()
            }
            if let node = criteria["path"], !reader.isNull(node) {
                let path = try reader.nonEmptyString(node, "match.path")
                guard path.hasPrefix("/"), !path.contains("?"), !path.dropLast().contains("*"),
                      !path.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) else {
                    throw reader.error(at: node, "match.path must start with '/', hold no query, spaces or control characters, and have '*' only at its end, not '\(path)'")
                }
                if path == "/_mock" || path.hasPrefix("/_mock/") || path.hasPrefix("/_mock*") {
                    throw reader.error(at: node, "faults apply to GitHub's paths only, not to '\(path)'")
                }
                rule.path = path
            }
        }
        if let respond = fields["respond"], !reader.isNull(respond) {
            let kinds = try reader.mapping(respond, "respond", allowed: ["status", "secondary_rate_limit", "drop"])
            guard kinds.entries.count == 1 else {
                throw reader.error(at: respond, "respond must hold exactly one of status, secondary_rate_limit, drop")
            }
            if let node = kinds["status"] {
                let status = try integer(node, "respond.status", in: FaultRules.statuses, reader: reader)
                rule.response = .status(status)
            } else if let node = kinds["secondary_rate_limit"] {
                var retryAfter = 60
                if !reader.isNull(node) {
                    let settings = try reader.mapping(node, "respond.secondary_rate_limit", allowed: ["retry_after"])
                    if let seconds = settings["retry_after"] {
                        retryAfter = try integer(seconds, "respond.secondary_rate_limit.retry_after", in: 0...86_400, reader: reader)
                    }
                }
                rule.response = .secondaryRateLimit(retryAfter: retryAfter)
            } else if let node = kinds["drop"] {
                guard try reader.bool(node, "respond.drop") else { throw reader.error(at: node, "respond.drop must be true (leave respond out for the normal answer)") }
                rule.response = .drop
            }
        }
        if let node = fields["delay_ms"] {
            rule.delayMilliseconds = try integer(node, "delay_ms", in: 0...FaultRules.maximumDelayMilliseconds, reader: reader)
        }
        if let node = fields["times"], !reader.isNull(node) {
            rule.times = try integer(node, "times", in: 1...Int(Int32.max), reader: reader)
        }
        if let node = fields["probability"] {
            guard let text = reader.scalarText(node), let value = Double(text), value.isFinite, (0...1).contains(value) else {
                throw reader.error(at: node, "probability must be a number from 0 to 1")
            }
            rule.probability = value
        }
        if allowingID, let node = fields["id"] {
            rule.id = try reader.identifier(node, "id")
        }
        return rule
    }

    private static func integer(_ node: some ReadableNode, _ what: String, in range: ClosedRange<Int>, reader: YAMLReader) throws(SourceError) -> Int {
        guard let text = reader.scalarText(node), text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = Int(text), range.contains(value)
        else { throw reader.error(at: node, "\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound)") }
        return value
    }

    /// `{"id", "match": {"method", "path"}, "respond", "delay_ms", "times", "probability"}`, as `parse` reads it.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", id)
        json.key("match")
        json.beginObject()
        json.field("method", method)
        json.field("path", path)
        json.endObject()
        json.key("respond")
        switch response {
        case .status(let status):
            json.beginObject()
            json.field("status", status)
            json.endObject()
        case .secondaryRateLimit(let retryAfter):
            json.beginObject()
            json.key("secondary_rate_limit")
            json.beginObject()
            json.field("retry_after", retryAfter)
            json.endObject()
            json.endObject()
        case .drop:
            json.beginObject()
            json.field("drop", true)
            json.endObject()
        case .normal:
            json.null()
        }
        json.field("delay_ms", delayMilliseconds)
        json.key("times")
        if let times { json.int(times) } else { json.null() }
        json.key("probability")
        json.double(probability)
        json.endObject()
    }
}

/// The fault rules in force, first match first; part of the state (fixtures declare them, the
/// export writes them, a reset brings back the starting ones).
public struct FaultRules: Sendable, Equatable {
    /// Rules held at once (`POST /_mock/faults` answers 422 beyond).
    public static let maximumCount = 100
    /// The longest delay one rule may hold a request for; below the transport's idle timeout.
    public static let maximumDelayMilliseconds = 30_000
    /// The statuses `respond: {status: N}` may give.
    public static let statuses = 400...599

    public private(set) var rules: [FaultRule] = []
    /// The id the next rule gets.
    public private(set) var nextID = 1

    public init() {}

    /// Adds a rule at the end with the next id (or, read from a whole state, with its own).
    public mutating func add(_ rule: FaultRule, keepingID: Bool = false) {
        var rule = rule
        if !keepingID { rule.id = nextID }
        nextID = max(nextID, rule.id + 1)
        rules.append(rule)
    }

    public func contains(id: Int) -> Bool { rules.contains { $0.id == id } }

    @discardableResult
    public mutating func remove(id: Int) -> Bool {
        guard let index = rules.firstIndex(where: { $0.id == id }) else { return false }
        rules.remove(at: index)
        return true
    }

    public mutating func removeAll() { rules.removeAll() }

    /// The first rule matching the request whose probability draw passes (`draw` answers a
    /// number in 0..<1, called only for a rule below certainty); its `times` counts down, and a
    /// spent rule is removed. A rule losing its draw is passed over for the next.
    public mutating func take(method: String, path: String, draw: () -> Double) -> FaultRule? {
        for index in rules.indices where rules[index].matches(method: method, path: path) {
            let rule = rules[index]
            if rule.probability < 1, !(draw() < rule.probability) { continue }
            if let times = rule.times {
                if times <= 1 { rules.remove(at: index) } else { rules[index].times = times - 1 }
            }
            return rule
        }
        return nil
    }

    /// The rules as a JSON array.
    public func write(to json: inout JSONWriter) {
        json.beginArray()
        for rule in rules { rule.write(to: &json) }
        json.endArray()
    }
}
