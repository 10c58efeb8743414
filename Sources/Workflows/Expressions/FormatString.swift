/// The format strings of `format()`, read as GitHub (after .NET's `String.Format`) reads them:
/// `{0}` to `{255}` stand for arguments, `{{` and `}}` for braces; a lone brace is an error.
/// `{0:spec}` parses, but any non-empty specifier fails once the argument is known, as on GitHub.
enum FormatString {
    enum Segment {
        case text(String)
        case argument(Int, specifiers: String)
    }

    struct Problem: Error {
        let message: String
    }

    /// The whole string is checked before any argument is evaluated, as on GitHub.
    static func parse(_ format: String, argumentCount: Int) throws(Problem) -> [Segment] {
        let scalars = Array(format.unicodeScalars)
        func text(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[range])) }
        func scalar(at index: Int) -> Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }
        let invalid = Problem(message: "The following format string is invalid: \(format)")

        var segments: [Segment] = []
        var index = 0
        while index < scalars.count {
            let open = scalars[index...].firstIndex(of: "{")
            let close = scalars[index...].firstIndex(of: "}")
            if let open, close.map({ $0 > open }) ?? true {
                if scalar(at: open + 1) == "{" {
                    segments.append(.text(text(index..<open + 1)))
                    index = open + 2
                    continue
                }
                guard let (position, digitsEnd) = argumentPosition(scalars, from: open + 1),
                      let (specifiers, closing) = specifiers(scalars, from: digitsEnd)
                else { throw invalid }
                guard position < argumentCount else {
                    throw Problem(message: "The following format string references more arguments than were supplied: \(format)")
                }
                if open > index { segments.append(.text(text(index..<open))) }
                segments.append(.argument(position, specifiers: specifiers))
                index = closing + 1
            } else if let close {
                guard scalar(at: close + 1) == "}" else { throw invalid }
                segments.append(.text(text(index..<close + 1)))
                index = close + 2
            } else {
                segments.append(.text(text(index..<scalars.count)))
                index = scalars.count
            }
        }
        return segments
    }

    /// The argument number starting at `start` (ASCII digits, at most 255, leading zeros allowed)
    /// and the index after its digits. A run of other Unicode digits makes the string invalid.
    private static func argumentPosition(_ scalars: [Unicode.Scalar], from start: Int) -> (Int, Int)? {
        var end = start
        while end < scalars.count && scalars[end].properties.numericType == .decimal { end += 1 }
        guard end > start else { return nil }
        var value = 0
        for scalar in scalars[start..<end] {
            guard scalar.isASCII else { return nil }
            value = value * 10 + Int(scalar.value - 0x30)
            guard value <= 255 else { return nil }
        }
        return (value, end)
    }

    /// After the digits: `}` directly, or `:` then specifiers up to the first single `}`
    /// (`}}` inside them stands for `}`). Returns the specifiers and the closing brace's index.
    private static func specifiers(_ scalars: [Unicode.Scalar], from start: Int) -> (String, Int)? {
        guard start < scalars.count else { return nil }
        if scalars[start] == "}" { return ("", start) }
        guard scalars[start] == ":" else { return nil }
        var specifiers = String.UnicodeScalarView()
        var index = start + 1
        while index < scalars.count {
            if scalars[index] != "}" {
                specifiers.append(scalars[index])
                index += 1
            } else if index + 1 < scalars.count && scalars[index + 1] == "}" {
                specifiers.append("}")
                index += 2
            } else {
                return (String(specifiers), index)
            }
        }
        return nil
    }
}
