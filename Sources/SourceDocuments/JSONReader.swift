/// A node of a JSON document: what `ReadableNode` needs and nothing else, so a large fixture's
/// tree costs a fraction of Yams' (no tags, styles, anchors or per-node objects).
public struct JSONNode: ReadableNode {
    private enum Stored {
        case content(NodeContent<JSONNode>)
        /// A string too long to be held inline, left in the document until it is read. Built
        /// while parsing, such strings would be scattered through the tree's memory and, kept by
        /// the state, pin its pages after the tree is freed (100 MiB of a 100,000-item fixture).
        case text(JSONDocumentText, start: UInt32, end: UInt32)
    }

    private let stored: Stored
    private let startLine: UInt32
    private let startColumn: UInt32

    init(_ content: NodeContent<JSONNode>, line: Int, column: Int) {
        self.init(.content(content), line: line, column: column)
    }

    /// A string without escapes: `bytes` of `document`.
    init(string bytes: Range<Int>, of document: JSONDocumentText, line: Int, column: Int) {
        // Up to 15 UTF-8 bytes a String holds inline, allocating nothing.
        if bytes.count <= 15 {
            self.init(.content(.scalar(document.string(bytes), plain: false)), line: line, column: column)
        } else {
            self.init(.text(document, start: UInt32(bytes.lowerBound), end: UInt32(bytes.upperBound)), line: line, column: column)
        }
    }

    private init(_ stored: Stored, line: Int, column: Int) {
        self.stored = stored
        self.startLine = UInt32(truncatingIfNeeded: line)
        self.startColumn = UInt32(truncatingIfNeeded: column)
    }

    public var content: NodeContent<JSONNode> {
        switch stored {
        case .content(let content): return content
        case .text(let document, let start, let end): return .scalar(document.string(Int(start)..<Int(end)), plain: false)
        }
    }

    public var line: Int { Int(startLine) }
    public var column: Int { Int(startColumn) }
}

/// The document a `JSONNode`'s long strings are read from, alive as long as its nodes are.
final class JSONDocumentText: Sendable {
    /// Contiguous UTF-8 (see `JSONReader.read`).
    private let text: String

    init(_ text: String) { self.text = text }

    func string(_ bytes: Range<Int>) -> String {
        text.utf8.withContiguousStorageIfAvailable { String(decoding: UnsafeBufferPointer(rebasing: $0[bytes]), as: UTF8.self) }!
    }

    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        text.utf8.withContiguousStorageIfAvailable(body)!
    }
}

/// Reads strict JSON (RFC 8259) over its UTF-8 bytes into `JSONNode`s, as YAML would read the
/// same text: the same nodes, places, limits and messages.
///
/// JSON is YAML, but libyaml reads a few JSON texts differently or refuses them (a raw U+2028 or
/// DEL in a string, a surrogate escape, a tab before the root, a key over 1,024 characters or
/// split from its colon by a line break). For those, and for anything that is not strict JSON,
/// `read` answers `nil` and the caller reads the text as YAML, which keeps YAML's answer for
/// them, errors included.
struct JSONReader {
    /// Why reading stopped: the text is not JSON read the same as YAML, or a limit refused it.
    private enum Stop: Error {
        case notJSON
        case refused(line: Int, column: Int, message: String)
    }

    private let text: JSONDocumentText
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var line = 1
    private var lineStart = 0
    /// UTF-8 continuation bytes between `lineStart` and `position`: a column counts scalars.
    /// Only strings hold any, and no string holds a line break, so the count restarts with a line.
    private var continuationBytesOnLine = 0
    private var depth = 0
    /// The first mapping to close with a repeated key. YAML reports it only once the whole text
    /// has parsed and its nesting has been checked, so it waits until then here too.
    private var duplicateKeys: (line: Int, column: Int, message: String)?
    /// Where the keys of the mappings being read are in `bytes` (between the quotes), innermost
    /// mapping's last; whether a key holds an escape, which makes its bytes differ from its text.
    private var keys: [(bytes: Range<Int>, escaped: Bool)] = []
    /// The elements and entries of the collections being read, innermost collection's last:
    /// each collection is then stored in an array of its own, allocated once at its exact size
    /// (growing one as it is read took several allocations for an exported run's 25 entries,
    /// and left up to half of each array unused).
    private var pendingElements: [JSONNode] = []
    private var pendingEntries: [(key: JSONNode, value: JSONNode)] = []

    private init(_ document: JSONDocumentText, _ bytes: UnsafeBufferPointer<UInt8>) {
        self.text = document
        self.bytes = bytes
    }

    /// The tree of `content` (UTF-8, without a byte-order mark), or `nil` when YAML must read it.
    /// Throws the refusals YAML would: a nesting deeper than `YAMLReader.maximumNestingDepth`, a
    /// repeated key.
    static func read(_ content: String, file: String) throws(SourceError) -> JSONNode? {
        var content = content
        content.makeContiguousUTF8()
        let document = JSONDocumentText(content)
        let outcome = document.withBytes { bytes in
            var reader = JSONReader(document, bytes)
            return Result(catching: { () throws(Stop) -> JSONNode in try reader.document() })
        }
        switch outcome {
        case .success(let root): return root
        case .failure(.notJSON): return nil
        case .failure(.refused(let line, let column, let message)):
            throw SourceError(file: file, line: line, column: column, message: message)
        }
    }

    private mutating func document() throws(Stop) -> JSONNode {
        // YAML takes a tab outside a flow collection for indentation and refuses it.
        try skipWhitespace(allowingTabs: false)
        let root = try value()
        try skipWhitespace(allowingTabs: false)
        guard position == bytes.count else { throw .notJSON }
        if let duplicateKeys { throw .refused(line: duplicateKeys.line, column: duplicateKeys.column, message: duplicateKeys.message) }
        return root
    }

    private var column: Int { position - lineStart - continuationBytesOnLine + 1 }

    private func byte(at offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private mutating func skipWhitespace(allowingTabs: Bool = true) throws(Stop) {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "):
                position += 1
            case UInt8(ascii: "\t"):
                guard allowingTabs else { throw .notJSON }
                position += 1
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                // CR LF is one line break, as is a CR or LF alone.
                if bytes[position] == UInt8(ascii: "\r"), byte(at: position + 1) == UInt8(ascii: "\n") { position += 1 }
                position += 1
                line += 1
                lineStart = position
                continuationBytesOnLine = 0
            default:
                return
            }
        }
    }

    private mutating func value() throws(Stop) -> JSONNode {
        guard let first = byte(at: position) else { throw .notJSON }
        let (line, column) = (self.line, self.column)
        switch first {
        case UInt8(ascii: "{"):
            return JSONNode(.mapping(try mapping()), line: line, column: column)
        case UInt8(ascii: "["):
            return JSONNode(.sequence(try sequence()), line: line, column: column)
        case UInt8(ascii: "\""):
            return try string(line: line, column: column)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONNode(.scalar(try number(), plain: true), line: line, column: column)
        default:
            for literal: StaticString in ["true", "false", "null"] where matches(literal) {
                position += literal.utf8CodeUnitCount
                try requireDelimiter()
                return JSONNode(.scalar(literal.description, plain: true), line: line, column: column)
            }
            throw .notJSON
        }
    }

    private func matches(_ literal: StaticString) -> Bool {
        guard position + literal.utf8CodeUnitCount <= bytes.count else { return false }
        for offset in 0..<literal.utf8CodeUnitCount where bytes[position + offset] != literal.utf8Start[offset] { return false }
        return true
    }

    /// A scalar must end where JSON allows; `truex` or `1a` is not JSON (and YAML reads it whole).
    private func requireDelimiter() throws(Stop) {
        guard let next = byte(at: position) else { return }
        switch next {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
             UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
            return
        default:
            throw .notJSON
        }
    }

    /// Opens a collection, refusing it when it nests one level too deep.
    private mutating func enterCollection() throws(Stop) {
        depth += 1
        if depth > YAMLReader.maximumNestingDepth {
            throw .refused(line: line, column: column, message: YAMLReader.nestingRefusal)
        }
        position += 1
    }

    private mutating func sequence() throws(Stop) -> [JSONNode] {
        try enterCollection()
        let first = pendingElements.count
        try skipWhitespace()
        if byte(at: position) == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return []
        }
        while true {
            let element = try value()
            pendingElements.append(element)
            try skipWhitespace()
            switch byte(at: position) {
            case UInt8(ascii: ","):
                position += 1
                try skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                let elements = Array(pendingElements[first...])
                pendingElements.removeSubrange(first...)
                return elements
            default:
                throw .notJSON
            }
        }
    }

    private mutating func mapping() throws(Stop) -> [(key: JSONNode, value: JSONNode)] {
        try enterCollection()
        let (firstEntry, firstKey) = (pendingEntries.count, keys.count)
        try skipWhitespace()
        if byte(at: position) == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return []
        }
        while true {
            guard byte(at: position) == UInt8(ascii: "\"") else { throw .notJSON }
            let (keyLine, keyColumn, keyStart) = (line, column, position)
            let key = try string(line: keyLine, column: keyColumn)
            let keyBytes = (keyStart + 1)..<(position - 1)
            keys.append((keyBytes, bytes[keyBytes].contains(UInt8(ascii: "\\"))))
            try skipWhitespace()
            // YAML takes a key for one only up to 1,024 characters and on one line with its colon.
            guard byte(at: position) == UInt8(ascii: ":"), line == keyLine, position - keyStart < 1_000 else { throw .notJSON }
            position += 1
            try skipWhitespace()
            let value = try value()
            pendingEntries.append((key, value))
            try skipWhitespace()
            switch byte(at: position) {
            case UInt8(ascii: ","):
                position += 1
                try skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                let entries = Array(pendingEntries[firstEntry...])
                pendingEntries.removeSubrange(firstEntry...)
                if duplicateKeys == nil, mayRepeatKeys(keys[firstKey...]) { duplicateKeys = Self.duplicates(in: entries) }
                keys.removeSubrange(firstKey...)
                return entries
            default:
                throw .notJSON
            }
        }
    }

    /// Whether a mapping's keys may repeat one: decided from their bytes when the mapping is
    /// small and its keys unescaped (an exported run has 25 keys), comparing them pairwise, which
    /// costs far less than reading each key's text; otherwise `duplicates(in:)` decides.
    private func mayRepeatKeys(_ keys: ArraySlice<(bytes: Range<Int>, escaped: Bool)>) -> Bool {
        guard keys.count <= 32, !keys.contains(where: \.escaped) else { return true }
        for first in keys.indices {
            for second in keys.indices[(first + 1)...] where keys[first].bytes.count == keys[second].bytes.count {
                if UnsafeBufferPointer(rebasing: bytes[keys[first].bytes]).elementsEqual(UnsafeBufferPointer(rebasing: bytes[keys[second].bytes])) {
                    return true
                }
            }
        }
        return false
    }

    /// Yams' refusal of a mapping with repeated keys: every repeated key, in order, placed at the
    /// first appearance of the first of them.
    private static func duplicates(in entries: [(key: JSONNode, value: JSONNode)]) -> (line: Int, column: Int, message: String)? {
        func text(_ node: JSONNode) -> String {
            guard case .scalar(let text, _) = node.content else { preconditionFailure("JSON keys are strings") }
            return text
        }
        let firstOfEach = Dictionary(entries.map { (text($0.key), [$0.key]) }, uniquingKeysWith: +).filter { $0.value.count > 1 }
        guard !firstOfEach.isEmpty else { return nil }
        let repeated = firstOfEach.keys.sorted()
        let place = firstOfEach[repeated[0]]![0]
        return (place.line, place.column, YAMLReader.duplicateKeysMessage(repeated))
    }

    private mutating func number() throws(Stop) -> String {
        let start = position
        if byte(at: position) == UInt8(ascii: "-") { position += 1 }
        func digits() -> Int {
            let first = position
            while let next = byte(at: position), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) { position += 1 }
            return position - first
        }
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[position - integerDigits] != UInt8(ascii: "0") else { throw .notJSON }
        if byte(at: position) == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw .notJSON }
        }
        if let next = byte(at: position), next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            position += 1
            if let sign = byte(at: position), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw .notJSON }
        }
        try requireDelimiter()
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func string(line: Int, column: Int) throws(Stop) -> JSONNode {
        position += 1
        let start = position
        while true {
            // Printable ASCII but the quote and the backslash, most of any document's text, needs
            // no other look.
            while position < bytes.count, (0x20..<0x7F).contains(bytes[position]),
                  bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\") {
                position += 1
            }
            guard let next = byte(at: position) else { throw .notJSON }
            switch next {
            case UInt8(ascii: "\""):
                position += 1
                return JSONNode(string: start..<(position - 1), of: text, line: line, column: column)
            case UInt8(ascii: "\\"):
                return JSONNode(.scalar(try escapedString(from: start), plain: false), line: line, column: column)
            default:
                try skipCharacter(next)
            }
        }
    }

    /// Steps over one byte of a string's text, refusing what JSON or libyaml refuse raw there.
    private mutating func skipCharacter(_ first: UInt8) throws(Stop) {
        switch first {
        case 0..<0x20, 0x7F:
            throw .notJSON
        case 0x80..<0xC0:
            continuationBytesOnLine += 1
        // U+0080...U+009F: C1 controls (libyaml refuses them, and takes U+0085 for a line break).
        case 0xC2 where (0x80..<0xA0).contains(byte(at: position + 1) ?? 0):
            throw .notJSON
        // U+2028 and U+2029: line and paragraph separators, which libyaml folds.
        case 0xE2 where byte(at: position + 1) == 0x80 && [0xA8, 0xA9].contains(byte(at: position + 2)):
            throw .notJSON
        // U+FFFE and U+FFFF: not characters; libyaml refuses them.
        case 0xEF where byte(at: position + 1) == 0xBF && [0xBE, 0xBF].contains(byte(at: position + 2)):
            throw .notJSON
        default:
            break
        }
        position += 1
    }

    /// The rest of a string holding escapes, from its first escape on.
    private mutating func escapedString(from start: Int) throws(Stop) -> String {
        var text = Array(bytes[start..<position])
        while true {
            guard let next = byte(at: position) else { throw .notJSON }
            if next == UInt8(ascii: "\"") {
                position += 1
                return String(decoding: text, as: UTF8.self)
            }
            guard next == UInt8(ascii: "\\") else {
                try skipCharacter(next)
                text.append(next)
                continue
            }
            guard let escaped = byte(at: position + 1) else { throw .notJSON }
            position += 2
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escaped)
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"):
                // libyaml refuses surrogate escapes, pairs included.
                guard let value = hexadecimalCodeUnit(), let scalar = Unicode.Scalar(value) else { throw .notJSON }
                text.append(contentsOf: String(Character(scalar)).utf8)
            default:
                throw .notJSON
            }
        }
    }

    private mutating func hexadecimalCodeUnit() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Character(Unicode.Scalar(bytes[position])).hexDigitValue else { return nil }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}
