/// JSON for `toJSON` and `fromJSON`.
enum JSONText {
    /// GitHub's `toJSON` layout: two-space indentation, `"key": value`, `[]` and `{}` for empty
    /// collections, numbers as ``ExpressionValue/stringValue`` writes them (so NaN and Infinity
    /// appear bare, as on GitHub), strings escaped as Newtonsoft.Json escapes them.
    static func write(_ value: ExpressionValue) -> String {
        var output = ""
        write(value, level: 0, into: &output)
        return output
    }

    private static func write(_ value: ExpressionValue, level: Int, into output: inout String) {
        switch value {
        case .null:
            output += "null"
        case .bool, .number:
            output += value.stringValue
        case .string(let text):
            output += quoted(text)
        case .array(let items):
            guard !items.isEmpty else { output += "[]"; return }
            output += "["
            for (position, item) in items.enumerated() {
                output += (position == 0 ? "\n" : ",\n") + indentation(level + 1)
                write(item, level: level + 1, into: &output)
            }
            output += "\n" + indentation(level) + "]"
        case .object(let pairs):
            guard !pairs.isEmpty else { output += "{}"; return }
            output += "{"
            for (position, pair) in pairs.enumerated() {
                output += (position == 0 ? "\n" : ",\n") + indentation(level + 1) + quoted(pair.key) + ": "
                write(pair.value, level: level + 1, into: &output)
            }
            output += "\n" + indentation(level) + "}"
        }
    }

    private static func indentation(_ level: Int) -> String {
        String(repeating: " ", count: 2 * level)
    }

    /// `"` and `\` escaped, control characters as `\n`-style or `\u001f`-style (lowercase hex)
    /// escapes, and U+0085, U+2028, U+2029 escaped too, since JavaScript treats them as line ends.
    private static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\u{08}": output += "\\b"
            case "\t": output += "\\t"
            case "\n": output += "\\n"
            case "\u{0C}": output += "\\f"
            case "\r": output += "\\r"
            case "\u{00}"..."\u{1F}", "\u{85}", "\u{2028}", "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }

    /// Why `fromJSON` refused its input, worded after .NET's System.Text.Json, which GitHub's
    /// strict mode uses, with the 0-based line and byte position.
    struct SyntaxError: Error, CustomStringConvertible {
        let description: String
    }

    /// Strict JSON (RFC 8259: no comments, no trailing commas, no single quotes), at most
    /// ``ExpressionLimits/maximumJSONDepth`` levels deep. Numbers become doubles; of keys that
    /// differ only in case, the first wins, since lookups ignore case.
    static func parse(_ text: String) throws(SyntaxError) -> ExpressionValue {
        var reader = JSONReader(bytes: Array(text.utf8))
        return try reader.readDocument()
    }
}

private struct JSONReader {
    let bytes: [UInt8]
    private var index = 0
    private var line = 0
    private var lineStart = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func readDocument() throws(JSONText.SyntaxError) -> ExpressionValue {
        skipWhitespace()
        guard index < bytes.count else {
            throw failure("The input does not contain any JSON tokens. Expected the input to start with a valid JSON token, while isFinalBlock is true.")
        }
        let value = try readValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else {
            throw failure("'\(current)' is invalid after a single JSON value. Expected end of data.")
        }
        return value
    }

    private mutating func readValue(depth: Int) throws(JSONText.SyntaxError) -> ExpressionValue {
        guard index < bytes.count else { throw unclosed() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): return try readLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try readLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try readLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw failure("'\(current)' is an invalid start of a value.")
        }
    }

    private mutating func readObject(depth: Int) throws(JSONText.SyntaxError) -> ExpressionValue {
        try checkDepth(depth, opening: "object")
        index += 1
        var pairs: [(key: String, value: ExpressionValue)] = []
        var seenKeys: Set<[UInt16]> = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return .object(pairs)
        }
        while true {
            guard try peek() == UInt8(ascii: "\"") else {
                if bytes[index] == UInt8(ascii: "}") {
                    throw failure("The JSON object contains a trailing comma at the end which is not supported in this mode. Change the reader options.")
                }
                throw failure("'\(current)' is an invalid start of a property name. Expected a '\"'.")
            }
            let key = try readString()
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else {
                throw failure("'\(current)' is invalid after a property name. Expected a ':'.")
            }
            index += 1
            skipWhitespace()
            let value = try readValue(depth: depth)
            if seenKeys.insert(OrdinalIgnoreCase.fold(key)).inserted { pairs.append((key, value)) }
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                return .object(pairs)
            default:
                throw failure("'\(current)' is invalid after a value. Expected either ',', '}', or ']'.")
            }
        }
    }

    private mutating func readArray(depth: Int) throws(JSONText.SyntaxError) -> ExpressionValue {
        try checkDepth(depth, opening: "array")
        index += 1
        var items: [ExpressionValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            if try peek() == UInt8(ascii: "]") {
                throw failure("The JSON array contains a trailing comma at the end which is not supported in this mode. Change the reader options.")
            }
            items.append(try readValue(depth: depth))
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                return .array(items)
            default:
                throw failure("'\(current)' is invalid after a value. Expected either ',', '}', or ']'.")
            }
        }
    }

    private mutating func readString() throws(JSONText.SyntaxError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var chunkStart = index  // unescaped bytes are copied a run at a time
        func flush(upTo end: Int) {
            scalars.append(contentsOf: String(decoding: bytes[chunkStart..<end], as: UTF8.self).unicodeScalars)
        }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                flush(upTo: index)
                index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush(upTo: index)
                index += 1
                scalars.append(try readEscape())
                chunkStart = index
            case 0x00..<0x20:
                throw failure("'\(current)' is invalid within a JSON string. The string should be correctly escaped.")
            default:
                index += 1
            }
        }
        throw failure("Expected end of string, but instead reached end of data.")
    }

    /// The character after a backslash; `\u` escapes pair surrogates into one scalar.
    private mutating func readEscape() throws(JSONText.SyntaxError) -> Unicode.Scalar {
        guard index < bytes.count else { throw failure("Expected end of string, but instead reached end of data.") }
        let escaped = bytes[index]
        index += 1
        switch escaped {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try readHexUnit()
            if UTF16.isLeadSurrogate(unit), bytes[index...].starts(with: Array("\\u".utf8)) {
                index += 2
                let trail = try readHexUnit()
                if UTF16.isTrailSurrogate(trail),
                   let scalar = Unicode.Scalar(0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(trail) - 0xDC00)) {
                    return scalar
                }
            }
            guard let scalar = Unicode.Scalar(unit) else {
                throw failure("Cannot read invalid UTF-16 JSON text as valid UTF-8.")
            }
            return scalar
        default:
            index -= 1
            throw failure("'\(current)' is not a valid escapable character within a JSON string. The string should be correctly escaped.")
        }
    }

    private mutating func readHexUnit() throws(JSONText.SyntaxError) -> UInt16 {
        var unit: UInt16 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw failure("Expected end of string, but instead reached end of data.") }
            guard let digit = Character(Unicode.Scalar(bytes[index])).hexDigitValue else {
                throw failure("'\(current)' is not a hex digit following '\\u' within a JSON string. The string should be correctly escaped.")
            }
            unit = unit << 4 | UInt16(digit)
            index += 1
        }
        return unit
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, then a delimiter.
    private mutating func readNumber() throws(JSONText.SyntaxError) -> Double {
        let start = index
        if bytes[index] == UInt8(ascii: "-") {
            index += 1
            try expectDigit(after: "a sign character ('-' or '+')")
        }
        if try peek() == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw failure("Invalid leading zero before '\(current)'.") }
        } else {
            skipDigits()
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            try expectDigit(after: "a decimal point ('.')")
            skipDigits()
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
                try expectDigit(after: "a sign character ('-' or '+')")
            } else {
                try expectDigit(after: "an 'E' or 'e'")
            }
            skipDigits()
        }
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), 0x20, 0x09, 0x0A, 0x0D: break
            default: throw failure("'\(current)' is an invalid end of a number. Expected a delimiter.")
            }
        }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite else {
            throw failure("Either the JSON value is not in a supported format, or is out of bounds for a Double.")
        }
        return value
    }

    private mutating func expectDigit(after what: String) throws(JSONText.SyntaxError) {
        guard let next = try? peek(), isDigit(next) else {
            guard index < bytes.count else { throw failure("Expected a digit ('0'-'9') after \(what), but instead reached end of data.") }
            throw failure("'\(current)' is invalid within a number, immediately after \(what). Expected a digit ('0'-'9').")
        }
    }

    private mutating func readLiteral(_ word: String, _ value: ExpressionValue) throws(JSONText.SyntaxError) -> ExpressionValue {
        let start = index
        for expected in word.utf8 {
            guard index < bytes.count, bytes[index] == expected else {
                let seen = String(decoding: bytes[start..<min(index + 1, bytes.count)], as: UTF8.self)
                index = start
                throw failure("'\(seen)' is an invalid JSON literal. Expected the literal '\(word)'.")
            }
            index += 1
        }
        return value
    }

    private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private mutating func skipDigits() {
        while index < bytes.count && isDigit(bytes[index]) { index += 1 }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x0A:
                line += 1
                lineStart = index + 1
            case 0x20, 0x09, 0x0D:
                break
            default:
                return
            }
            index += 1
        }
    }

    /// The byte at the reading position, or the "still open" error at the end of the data.
    private func peek() throws(JSONText.SyntaxError) -> UInt8 {
        guard index < bytes.count else { throw unclosed() }
        return bytes[index]
    }

    private func checkDepth(_ depth: Int, opening kind: String) throws(JSONText.SyntaxError) {
        guard depth <= ExpressionLimits.maximumJSONDepth else {
            throw failure("The maximum configured depth of \(ExpressionLimits.maximumJSONDepth) has been exceeded. Cannot read next JSON \(kind).")
        }
    }

    /// The character at the reading position as System.Text.Json quotes it: control characters
    /// as `0x0A`, anything else as itself.
    private var current: String {
        let byte = bytes[index]
        if byte < 0x20 {
            let hex = String(byte, radix: 16, uppercase: true)
            return "0x" + (hex.count < 2 ? "0" : "") + hex
        }
        var decoder = UTF8()
        var iterator = bytes[index...].makeIterator()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) { return String(Character(scalar)) }
        return String(byte)
    }

    private func unclosed() -> JSONText.SyntaxError {
        failure("Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed.")
    }

    private func failure(_ reason: String) -> JSONText.SyntaxError {
        JSONText.SyntaxError(description: "\(reason) LineNumber: \(line) | BytePositionInLine: \(index - lineStart).")
    }
}
