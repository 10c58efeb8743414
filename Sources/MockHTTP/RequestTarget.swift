/// A request target split into decoded path segments and query parameters.
///
/// Parsed from the target's UTF-8 bytes in one pass: segments and query pieces without a `%`
/// (nearly all of them) are validated and copied without going through a decoder.
public struct RequestTarget: Sendable {
    /// Path segments, each percent-decoded on its own, so `%2F` stays inside its segment.
    public let segments: [String]
    public let query: QueryParameters

    /// The path of a target as sent (still percent-encoded), without scheme and authority (of an
    /// absolute-form target), query or fragment.
    public static func rawPath(of target: String) -> String {
        var path = Substring(target)
        if !path.hasPrefix("/"), let schemeEnd = path.firstRange(of: "://") {
            path = path[schemeEnd.upperBound...].drop { $0 != "/" }
        }
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        return String(path)
    }

    /// `nil` when the path or query holds a malformed escape or invalid UTF-8.
    public init?(_ target: String) {
        var target = target
        guard let parsed = target.withUTF8({ Self.parse($0) }) else { return nil }
        (segments, query) = parsed
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> ([String], QueryParameters)? {
        var start = 0
        var end = bytes.count
        if bytes.first != UInt8(ascii: "/") {
            // Absolute-form (`GET http://host/path`): keep only the path and query.
            guard let schemeEnd = firstIndex(of: Array("://".utf8), in: bytes) else { return nil }
            start = bytes[(schemeEnd + 3)...].firstIndex(of: UInt8(ascii: "/")) ?? end
            if start == end { return ([""], QueryParameters(pairs: [])) }
        }
        if let hash = bytes[start..<end].firstIndex(of: UInt8(ascii: "#")) { end = hash }
        let question = bytes[start..<end].firstIndex(of: UInt8(ascii: "?"))
        let pathEnd = question ?? end
        var segments: [String] = []
        var segmentStart = start + 1
        for index in (start + 1)...pathEnd where index == pathEnd || bytes[index] == UInt8(ascii: "/") {
            guard let segment = decoded(bytes[segmentStart..<index], plusIsSpace: false) else { return nil }
            segments.append(segment)
            segmentStart = index + 1
        }
        // One trailing slash is tolerated, as GitHub's router does.
        if segments.count > 1, segments.last?.isEmpty == true { segments.removeLast() }
        var pairs: [QueryParameters.Pair] = []
        if let question {
            var pieceStart = question + 1
            for index in (question + 1)...end where index == end || bytes[index] == UInt8(ascii: "&") {
                defer { pieceStart = index + 1 }
                // Empty pieces (`a=1&&b=2`) are skipped; a key without `=` has an empty value.
                guard index > pieceStart else { continue }
                let piece = bytes[pieceStart..<index]
                let equals = piece.firstIndex(of: UInt8(ascii: "=")) ?? index
                guard let key = decoded(bytes[pieceStart..<equals], plusIsSpace: true),
                      let value = decoded(bytes[min(equals + 1, index)..<index], plusIsSpace: true)
                else { return nil }
                pairs.append(QueryParameters.Pair(key: key, value: value, raw: String(decoding: piece, as: UTF8.self)))
            }
        }
        return (segments, QueryParameters(pairs: pairs))
    }

    private static func decoded(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, plusIsSpace: Bool) -> String? {
        let needsDecoding = bytes.contains { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }
        if needsDecoding { return URLEncoding.percentDecode(bytes, plusIsSpace: plusIsSpace) }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func firstIndex(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { start in
            needle.indices.allSatisfy { bytes[start + $0] == needle[$0] }
        }
    }
}

/// Decoded query parameters that also remember their raw spelling, so Link URLs can carry a
/// request's other parameters exactly as they came.
public struct QueryParameters: Sendable {
    struct Pair: Sendable {
        let key: String
        let value: String
        /// `key=value` as sent, still percent-encoded.
        let raw: String
    }

    private let pairs: [Pair]

    init(pairs: [Pair]) {
        self.pairs = pairs
    }

    /// The last value given for `key`, as Rails-style servers read repeated parameters.
    public subscript(key: String) -> String? {
        pairs.last { $0.key == key }?.value
    }

    /// Every parameter once, in the order first given, with its last value (as the subscript reads it).
    public var all: [(name: String, value: String)] {
        var order: [String] = []
        var values: [String: String] = [:]
        for pair in pairs {
            if values.updateValue(pair.value, forKey: pair.key) == nil { order.append(pair.key) }
        }
        return order.map { ($0, values[$0]!) }
    }

    /// The raw `key=value` pieces whose key is not in `excluded`, in request order.
    public func rawPieces(excluding excluded: Set<String>) -> [String] {
        pairs.filter { !excluded.contains($0.key) }.map(\.raw)
    }
}
