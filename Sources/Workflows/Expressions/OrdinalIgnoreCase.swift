/// .NET's `StringComparison.OrdinalIgnoreCase`, which GitHub uses for every string comparison in
/// expressions: each character is mapped to its simple uppercase form, then UTF-16 code units are
/// compared by number. No culture rules, no normalization (`ß` stays `ß`; `é` and `e\u{301}` differ).
enum OrdinalIgnoreCase {
    /// The UTF-16 code units of `text` after simple uppercase mapping.
    static func fold(_ text: String) -> [UInt16] {
        var units: [UInt16] = []
        units.reserveCapacity(text.utf16.count)
        for scalar in text.unicodeScalars {
            units.append(contentsOf: Character(upper(scalar)).utf16)
        }
        return units
    }

    static func equal(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        // Two ASCII strings compare byte by byte, upper-casing letters only (`[` is not `{`);
        // the full mapping, and its allocations, only for other text.
        if a.utf8.allSatisfy({ $0 < 0x80 }), b.utf8.allSatisfy({ $0 < 0x80 }) {
            return a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8) { asciiUpper($0) == asciiUpper($1) }
        }
        return fold(a) == fold(b)
    }

    private static func asciiUpper(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
    }

    /// Negative, zero or positive as `a` sorts before, with or after `b`.
    static func compare(_ a: String, _ b: String) -> Int {
        let (left, right) = (fold(a), fold(b))
        for (l, r) in zip(left, right) where l != r {
            return l < r ? -1 : 1
        }
        return left.count - right.count
    }

    static func hasPrefix(_ text: String, _ prefix: String) -> Bool {
        let (whole, part) = (fold(text), fold(prefix))
        return whole.starts(with: part)
    }

    static func hasSuffix(_ text: String, _ suffix: String) -> Bool {
        let (whole, part) = (fold(text), fold(suffix))
        return whole.reversed().starts(with: part.reversed())
    }

    /// Knuth–Morris–Pratt, so a hostile `contains()` over two long strings stays linear.
    static func contains(_ text: String, _ part: String) -> Bool {
        let (haystack, needle) = (fold(text), fold(part))
        guard !needle.isEmpty else { return true }
        var fallback = [Int](repeating: 0, count: needle.count)
        var matched = 0
        for index in 1..<needle.count {
            while matched > 0 && needle[index] != needle[matched] { matched = fallback[matched - 1] }
            if needle[index] == needle[matched] { matched += 1 }
            fallback[index] = matched
        }
        matched = 0
        for unit in haystack {
            while matched > 0 && unit != needle[matched] { matched = fallback[matched - 1] }
            if unit == needle[matched] { matched += 1 }
            if matched == needle.count { return true }
        }
        return false
    }

    /// The simple (one-to-one) uppercase mapping: a scalar whose full mapping expands to several
    /// characters, such as `ß` → `SS`, keeps its own form, as in .NET. So does the dotless `ı`,
    /// which .NET's ordinal comparison never equates with `I`.
    private static func upper(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.isASCII {
            return (0x61...0x7A).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0x20)! : scalar
        }
        if scalar == "\u{131}" { return scalar }
        let mapped = scalar.properties.uppercaseMapping.unicodeScalars
        return mapped.count == 1 ? mapped.first! : scalar
    }
}
