/// RFC 3986 percent-encoding of everything but unreserved characters: what a client does to put
/// an arbitrary string into one path segment.
func percentEncodeSegment(_ text: String) -> String {
    var output = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"):
            output.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = Array("0123456789ABCDEF")
            output += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 0x0F)])"
        }
    }
    return output
}

/// A YAML double-quoted scalar (JSON string syntax, which YAML accepts).
func yamlQuoted(_ text: String) -> String {
    var output = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": output += "\\\""
        case "\\": output += "\\\\"
        case "\n": output += "\\n"
        case "\t": output += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
    }
    return output + "\""
}

/// The mock's documented collation: byte order of the UTF-8 of the lowercased name.
func groupNameOrder(_ a: String, _ b: String) -> Bool {
    Array(a.lowercased().utf8).lexicographicallyPrecedes(Array(b.lowercased().utf8))
}

/// The `<url>; rel="name"` entries of a Link header, by relation.
func parseLinkHeader(_ value: String?) -> [String: String] {
    guard let value else { return [:] }
    var links: [String: String] = [:]
    var rest = Substring(value)
    while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
        let url = String(rest[rest.index(after: open)..<close])
        let afterURL = rest[rest.index(after: close)...]
        let end = afterURL.firstIndex(of: "<") ?? afterURL.endIndex
        let parameters = afterURL[..<end]
        if let relRange = parameters.range(of: "rel=\"") {
            let relStart = relRange.upperBound
            if let relEnd = parameters[relStart...].firstIndex(of: "\"") {
                links[String(parameters[relStart..<relEnd])] = url
            }
        }
        rest = afterURL[end...]
    }
    return links
}

/// The raw (still encoded) value of a query parameter in a URL or target.
func queryValue(_ name: String, in url: String) -> String? {
    guard let question = url.firstIndex(of: "?") else { return nil }
    for piece in url[url.index(after: question)...].split(separator: "&") {
        let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
    }
    return nil
}

/// The request target (path and query) of an absolute URL on `base`, or `nil` when the URL is
/// not on that base.
func requestTarget(of url: String, onBase base: String) -> String? {
    guard url.hasPrefix(base + "/") else { return nil }
    return String(url.dropFirst(base.count))
}

/// RFC 3986 section 5.2.4 `remove_dot_segments`, which URL-resolving clients (curl, browsers,
/// URLSession) apply to a path before sending it.
func removeDotSegments(_ path: String) -> String {
    var input = Substring(path)
    var output: [Substring] = []
    var trailingSlash = false
    let segments = input.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
    input = ""
    for (index, segment) in segments.enumerated() {
        let isLast = index == segments.count - 1
        switch segment {
        case ".":
            trailingSlash = isLast
        case "..":
            if !output.isEmpty { output.removeLast() }
            trailingSlash = isLast
        default:
            output.append(segment)
            trailingSlash = false
        }
    }
    return "/" + output.joined(separator: "/") + (trailingSlash ? "/" : "")
}

extension Array where Element == (name: String, value: String) {
    /// Headers as a sorted list of `name: value` with lowercased names, minus the ones named.
    func normalized(dropping dropped: Set<String>) -> [String] {
        filter { !dropped.contains($0.name.lowercased()) }.map { "\($0.name.lowercased()): \($0.value)" }.sorted()
    }
}
