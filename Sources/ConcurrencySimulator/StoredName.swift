/// The one rule for the names the mock stores and shows back: repository owners and names,
/// workflow files, tokens, runs, jobs and concurrency groups. GitHub's names hold no control
/// characters; stored here, a NUL or a line break would reach answers, logs and exported fixtures.
public enum StoredName {
    /// Why `value` cannot be stored as the `what` (such as `the repository owner`), or `nil`.
    /// `what` is built only for a refusal: loading a large state checks millions of names.
    public static func problem(_ value: String, _ what: @autoclosure () -> String) -> String? {
        // Nearly every name is printable ASCII, which needs no look-up of Unicode properties.
        if value.allUTF8Bytes({ (0x20..<0x7F).contains($0) }) { return nil }
        guard let refused = value.unicodeScalars.first(where: isRefused) else { return nil }
        let code = String(refused.value, radix: 16, uppercase: true)
        let written = "U+" + String(repeating: "0", count: max(0, 4 - code.count)) + code
        return "\(what()) contains \(written); names cannot hold control characters, line or paragraph separators, or bytes that are not UTF-8"
    }

    private static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        // What a body's bytes that were not UTF-8 decode to.
        default: return scalar == "\u{FFFD}"
        }
    }
}
