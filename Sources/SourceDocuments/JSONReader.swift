import Glibc

/// A node of a JSON document read by `JSONReader`: where it sits in the document's `JSONTape`.
///
/// No tree is built: the reader lists every node once, in document order, in one flat array of
/// 8-byte entries, and a node is a pointer to that list and its place in it, two words copied
/// without reference counting. Building, retaining and freeing a tree of a 94 MiB state export's
/// ten million nodes took longer than reading the state out of them.
///
/// Valid only inside the body given to `YAMLReader.withJSON`, which owns the tape and the
/// document's bytes; a node must not be kept past it.
public struct JSONNode: ReadableNode {
    private let tape: UnsafePointer<JSONTape>
    private let index: Int

    fileprivate init(_ tape: UnsafePointer<JSONTape>, _ index: Int) {
        self.tape = tape
        self.index = index
    }

    public var content: NodeContent<JSONNode> {
        let entry = tape.pointee.entries[index]
        switch entry.kind {
        case .plainScalar:
            return .scalar(tape.pointee.text(entry.textBytes), plain: true)
        case .string:
            return .scalar(tape.pointee.text(entry.textBytes), plain: false)
        case .escapedString:
            return .scalar(tape.pointee.unescapedText(entry.textBytes), plain: false)
        case .sequence:
            var elements: [JSONNode] = []
            elements.reserveCapacity(tape.pointee.childCount(of: index))
            var child = index + 1
            while child < entry.end {
                elements.append(JSONNode(tape, child))
                child = tape.pointee.indexAfter(child)
            }
            return .sequence(elements)
        case .mapping:
            var entries: [(key: JSONNode, value: JSONNode)] = []
            entries.reserveCapacity(tape.pointee.childCount(of: index) / 2)
            var key = index + 1
            while key < entry.end {
                // A key is always a string: one entry.
                entries.append((JSONNode(tape, key), JSONNode(tape, key + 1)))
                key = tape.pointee.indexAfter(key + 1)
            }
            return .mapping(entries)
        }
    }

    public func indexOfScalar(in candidates: [String]) -> Int? {
        let entry = tape.pointee.entries[index]
        switch entry.kind {
        case .plainScalar, .string:
            let start = tape.pointee.bytes.baseAddress! + entry.textBytes.lowerBound
            let count = entry.textBytes.count
            return candidates.firstIndex { candidate in
                guard candidate.utf8.count == count else { return false }
                var candidate = candidate
                return candidate.withUTF8 { memcmp($0.baseAddress!, start, count) == 0 }
            }
        case .escapedString:
            let text = tape.pointee.unescapedText(entry.textBytes)
            return candidates.firstIndex { MappingFields<JSONNode>.sameKey($0, text) }
        case .mapping, .sequence:
            return nil
        }
    }

    /// JSON's plain scalars are numbers, `true`, `false` and `null`: only `null` starts with an n.
    public var isNull: Bool {
        let entry = tape.pointee.entries[index]
        return entry.kind == .plainScalar && tape.pointee.bytes[entry.start] == UInt8(ascii: "n")
    }

    public func withScalarUTF8<Answer>(_ body: (UnsafeBufferPointer<UInt8>) -> Answer) -> Answer? {
        let entry = tape.pointee.entries[index]
        switch entry.kind {
        case .plainScalar, .string:
            return body(UnsafeBufferPointer(rebasing: tape.pointee.bytes[entry.textBytes]))
        case .escapedString:
            var text = tape.pointee.unescapedText(entry.textBytes)
            return text.withUTF8(body)
        case .mapping, .sequence:
            return nil
        }
    }

    /// Counted from the document's start, in one pass: only an error asks.
    public var place: (line: Int, column: Int) { JSONTape.place(of: tape.pointee.entries[index].start, in: tape.pointee.bytes) }
}

/// One node of a `JSONTape`.
struct JSONTapeEntry {
    enum Kind: UInt32 {
        /// A number, `true`, `false` or `null`: YAML's plain scalars.
        case plainScalar
        /// A string without escapes, its text the bytes between its quotes.
        case string
        case escapedString
        case mapping
        case sequence
    }

    /// The kind in the top three bits, the node's first byte (a string's opening quote) in the
    /// rest: `YAMLReader.maximumJSONDocumentBytes` (2^29) keeps every place within 29 bits.
    private let kindAndStart: UInt32
    /// A scalar's end (a string's closing quote); a collection's end, the index of the first
    /// entry after its last descendant (its children are counted by walking them: a count kept
    /// too made each of a large state's ten million entries a third larger).
    fileprivate(set) var end: UInt32

    init(_ kind: Kind, start: Int, end: Int = 0) {
        kindAndStart = kind.rawValue << 29 | UInt32(start)
        self.end = UInt32(end)
    }

    var kind: Kind { Kind(rawValue: kindAndStart >> 29)! }
    var start: Int { Int(kindAndStart & (1 << 29 - 1)) }
    /// A scalar's text in the document, a string's without its quotes (and with its escapes).
    var textBytes: Range<Int> { (kind == .plainScalar ? start : start + 1)..<Int(end) }
    var isCollection: Bool { kindAndStart >> 29 >= Kind.mapping.rawValue }
}

/// A JSON document's bytes and its nodes in document order, each collection followed by its
/// descendants: what `JSONNode`s read. Both buffers belong to `YAMLReader.withJSON`'s scope.
struct JSONTape {
    let bytes: UnsafeBufferPointer<UInt8>
    let entries: UnsafeMutablePointer<JSONTapeEntry>

    /// The index of the node after `index` and its descendants: its next sibling, if it has one.
    func indexAfter(_ index: Int) -> Int {
        entries[index].isCollection ? Int(entries[index].end) : index + 1
    }

    /// How many children the collection at `index` has: a sequence's elements, or a mapping's
    /// keys and values.
    func childCount(of index: Int) -> Int {
        var count = 0
        var child = index + 1
        while child < entries[index].end {
            count += 1
            child = indexAfter(child)
        }
        return count
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// A string's text with its escapes read; `JSONReader` has checked every escape.
    func unescapedText(_ range: Range<Int>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(range.count)
        var position = range.lowerBound
        while position < range.upperBound {
            guard bytes[position] == UInt8(ascii: "\\") else {
                text.append(bytes[position])
                position += 1
                continue
            }
            let escaped = bytes[position + 1]
            position += 2
            switch escaped {
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"):
                let scalar = Unicode.Scalar(JSONReader.hexadecimalCodeUnit(bytes, at: position)!)!
                text.append(contentsOf: String(Character(scalar)).utf8)
                position += 4
            default: text.append(escaped)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The line and column of byte `offset`, as `YAMLReader` counts them (1-based, a column in
    /// Unicode scalars, CR LF one line break). Counted from the start on each call: only an error
    /// asks, once.
    static func place(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        var continuationBytes = 0
        var position = 0
        while position < offset {
            switch bytes[position] {
            case UInt8(ascii: "\n"):
                line += 1
                lineStart = position + 1
                continuationBytes = 0
            case UInt8(ascii: "\r"):
                if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\n") { position += 1 }
                line += 1
                lineStart = position + 1
                continuationBytes = 0
            case 0x80..<0xC0:
                continuationBytes += 1
            default:
                break
            }
            position += 1
        }
        return (line, offset - lineStart - continuationBytes + 1)
    }
}

/// Reads strict JSON (RFC 8259) over its UTF-8 bytes into a `JSONTape`, as YAML would read the
/// same text: the same nodes, places, limits and messages.
///
/// JSON is YAML, but libyaml reads a few JSON texts differently or refuses them (a raw U+2028 or
/// DEL in a string, a surrogate escape, a tab before the root, a key over 1,024 characters or
/// split from its colon by a line break). For those, and for anything that is not strict JSON,
/// `withDocument` answers `nil` and the caller reads the text as YAML, which keeps YAML's answer
/// for them, errors included.
struct JSONReader {
    /// Why reading stopped: the text is not JSON read the same as YAML, or a limit refused it.
    private enum Stop: Error {
        case notJSON
        case refused(offset: Int, message: String)
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    /// Only a line break can end a key's line before its colon (see `mapping`).
    private var line = 1
    private var depth = 0
    /// The nodes read so far: a buffer of its own, made and grown by `realloc`, handed to the tape.
    private var entries: UnsafeMutablePointer<JSONTapeEntry>?
    private var entryCount = 0
    private var entryCapacity = 0
    /// The first mapping to close with a repeated key. YAML reports it only once the whole text
    /// has parsed and its nesting has been checked, so it waits until then here too.
    private var duplicateKeys: (offset: Int, message: String)?
    /// Where the keys of the mappings being read are in `bytes` (between the quotes), innermost
    /// mapping's last, and whether a key holds an escape, which makes its bytes differ from its text.
    private var keys: [(bytes: Range<Int>, escaped: Bool)] = []

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Calls `body` with the root of the document in `bytes` (without a byte-order mark, at most
    /// `YAMLReader.maximumJSONDocumentBytes`), or answers `nil` when YAML must read it: when the
    /// text is not strict JSON, is JSON that YAML reads differently, or is not UTF-8 (the caller
    /// decides what its bytes are). Throws the refusals YAML would: a nesting deeper than
    /// `YAMLReader.maximumNestingDepth`, a repeated key.
    static func withDocument<Answer>(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String, _ body: (JSONNode) throws(SourceError) -> Answer
    ) throws(SourceError) -> Answer? {
        precondition(bytes.count <= YAMLReader.maximumJSONDocumentBytes && YAMLReader.maximumJSONDocumentBytes <= 1 << 29)
        var reader = JSONReader(bytes)
        defer { free(reader.entries) }
        do throws(Stop) {
            try reader.document()
        } catch {
            guard case .refused(let offset, let message) = error else { return nil }
            let place = JSONTape.place(of: offset, in: bytes)
            throw SourceError(file: file, line: place.line, column: place.column, message: message)
        }
        let tape = UnsafeMutablePointer<JSONTape>.allocate(capacity: 1)
        // A document that reads holds a value, so it has entries.
        tape.initialize(to: JSONTape(bytes: bytes, entries: reader.entries!))
        defer { tape.deallocate() }
        return try body(JSONNode(tape, 0))
    }

    private mutating func document() throws(Stop) {
        // YAML takes a tab outside a flow collection for indentation and refuses it.
        try skipWhitespace(allowingTabs: false)
        try value()
        try skipWhitespace(allowingTabs: false)
        guard position == bytes.count else { throw .notJSON }
        if let duplicateKeys { throw .refused(offset: duplicateKeys.offset, message: duplicateKeys.message) }
    }

    private func byte(at offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    /// Adds a node, answering its index; refuses the document when no memory is left for it.
    private mutating func append(_ entry: JSONTapeEntry) throws(Stop) -> Int {
        if entryCount == entryCapacity {
            // A state export averages about ten bytes a node: most documents need no growing.
            let capacity = max(2 * entryCapacity, bytes.count / 8 + 16)
            guard let grown = realloc(entries, capacity * MemoryLayout<JSONTapeEntry>.stride) else {
                throw .refused(offset: position, message: "the document holds more values than there is memory for")
            }
            entries = grown.bindMemory(to: JSONTapeEntry.self, capacity: capacity)
            entryCapacity = capacity
        }
        entries![entryCount] = entry
        entryCount += 1
        return entryCount - 1
    }

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
            default:
                return
            }
        }
    }

    private mutating func value() throws(Stop) {
        guard let first = byte(at: position) else { throw .notJSON }
        switch first {
        case UInt8(ascii: "{"):
            try mapping()
        case UInt8(ascii: "["):
            try sequence()
        case UInt8(ascii: "\""):
            try string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = position
            try number()
            _ = try append(JSONTapeEntry(.plainScalar, start: start, end: position))
        default:
            for literal: StaticString in ["true", "false", "null"] where matches(literal) {
                let start = position
                position += literal.utf8CodeUnitCount
                try requireDelimiter()
                _ = try append(JSONTapeEntry(.plainScalar, start: start, end: position))
                return
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

    /// Opens a collection of `kind`, refusing it when it nests one level too deep; answers its index.
    private mutating func enterCollection(_ kind: JSONTapeEntry.Kind) throws(Stop) -> Int {
        depth += 1
        if depth > YAMLReader.maximumNestingDepth {
            throw .refused(offset: position, message: YAMLReader.nestingRefusal)
        }
        position += 1
        return try append(JSONTapeEntry(kind, start: position - 1))
    }

    /// Closes the collection at `index` after its closing bracket.
    private mutating func leaveCollection(_ index: Int) {
        position += 1
        depth -= 1
        entries![index].end = UInt32(entryCount)
    }

    private mutating func sequence() throws(Stop) {
        let index = try enterCollection(.sequence)
        try skipWhitespace()
        if byte(at: position) == UInt8(ascii: "]") { return leaveCollection(index) }
        while true {
            try value()
            try skipWhitespace()
            switch byte(at: position) {
            case UInt8(ascii: ","):
                position += 1
                try skipWhitespace()
            case UInt8(ascii: "]"):
                return leaveCollection(index)
            default:
                throw .notJSON
            }
        }
    }

    private mutating func mapping() throws(Stop) {
        let index = try enterCollection(.mapping)
        let firstKey = keys.count
        try skipWhitespace()
        if byte(at: position) == UInt8(ascii: "}") { return leaveCollection(index) }
        while true {
            guard byte(at: position) == UInt8(ascii: "\"") else { throw .notJSON }
            let (keyLine, keyStart) = (line, position)
            let escaped = try string()
            keys.append(((keyStart + 1)..<(position - 1), escaped))
            try skipWhitespace()
            // YAML takes a key for one only up to 1,024 characters and on one line with its colon.
            guard byte(at: position) == UInt8(ascii: ":"), line == keyLine, position - keyStart < 1_000 else { throw .notJSON }
            position += 1
            try skipWhitespace()
            try value()
            try skipWhitespace()
            switch byte(at: position) {
            case UInt8(ascii: ","):
                position += 1
                try skipWhitespace()
            case UInt8(ascii: "}"):
                if duplicateKeys == nil, mayRepeatKeys(keys[firstKey...]) { duplicateKeys = duplicates(among: keys[firstKey...]) }
                keys.removeSubrange(firstKey...)
                return leaveCollection(index)
            default:
                throw .notJSON
            }
        }
    }

    /// Whether a mapping's keys may repeat one: decided from their bytes when the mapping is
    /// small and its keys unescaped (an exported run has 25 keys), comparing them pairwise, which
    /// costs far less than reading each key's text; otherwise `duplicates(among:)` decides.
    private func mayRepeatKeys(_ keys: ArraySlice<(bytes: Range<Int>, escaped: Bool)>) -> Bool {
        guard keys.count <= 32, !keys.contains(where: \.escaped) else { return true }
        for first in keys.indices {
            for second in keys.indices[(first + 1)...] where keys[first].bytes.count == keys[second].bytes.count {
                if memcmp(bytes.baseAddress! + keys[first].bytes.lowerBound, bytes.baseAddress! + keys[second].bytes.lowerBound, keys[first].bytes.count) == 0 {
                    return true
                }
            }
        }
        return false
    }

    /// Yams' refusal of a mapping with repeated keys: every repeated key, in order, placed at the
    /// first appearance of the first of them.
    private func duplicates(among keys: ArraySlice<(bytes: Range<Int>, escaped: Bool)>) -> (offset: Int, message: String)? {
        let tape = JSONTape(bytes: bytes, entries: entries!)
        let texts = keys.map { $0.escaped ? tape.unescapedText($0.bytes) : tape.text($0.bytes) }
        // Each repeated text and the opening quote of its first appearance.
        let firstOfEach = Dictionary(zip(texts, keys).map { ($0, [$1.bytes.lowerBound - 1]) }, uniquingKeysWith: +).filter { $0.value.count > 1 }
        guard !firstOfEach.isEmpty else { return nil }
        let repeated = firstOfEach.keys.sorted()
        return (firstOfEach[repeated[0]]![0], YAMLReader.duplicateKeysMessage(repeated))
    }

    private mutating func number() throws(Stop) {
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
    }

    /// Reads a string and adds its node; answers whether it holds an escape.
    @discardableResult
    private mutating func string() throws(Stop) -> Bool {
        let start = position
        position += 1
        var escaped = false
        while true {
            // Printable ASCII but the quote and the backslash, most of any document's text, needs
            // no other look: eight bytes at a time, then byte by byte.
            skipPlainWords()
            while position < bytes.count, (0x20..<0x7F).contains(bytes[position]),
                  bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\") {
                position += 1
            }
            guard let next = byte(at: position) else { throw .notJSON }
            switch next {
            case UInt8(ascii: "\""):
                _ = try append(JSONTapeEntry(escaped ? .escapedString : .string, start: start, end: position))
                position += 1
                return escaped
            case UInt8(ascii: "\\"):
                escaped = true
                try skipEscape()
            default:
                try skipCharacter(next)
            }
        }
    }

    /// Steps over the following eight-byte words of a string's text that hold only printable
    /// ASCII but the quote and the backslash.
    private mutating func skipPlainWords() {
        let ones: UInt64 = 0x0101_0101_0101_0101
        /// The high bit of each byte below `bound` (at most 0x80) is set, and none when there is
        /// none (a borrow only reaches bytes above one that is below; bytes from 0x80 are masked).
        func bytesBelow(_ bound: UInt8, in word: UInt64) -> UInt64 {
            (word &- ones &* UInt64(bound)) & ~word & (ones &* 0x80)
        }
        let start = UnsafeRawPointer(bytes.baseAddress!)
        while position + 8 <= bytes.count {
            let word = (start + position).loadUnaligned(as: UInt64.self)
            let special = bytesBelow(0x20, in: word)
                | bytesBelow(1, in: word ^ (ones &* UInt64(UInt8(ascii: "\""))))
                | bytesBelow(1, in: word ^ (ones &* UInt64(UInt8(ascii: "\\"))))
                | bytesBelow(1, in: word ^ (ones &* 0x7F))
                | word & (ones &* 0x80)
            guard special == 0 else { return }
            position += 8
        }
    }

    /// Steps over one character of a string's text, refusing what JSON or libyaml refuse raw
    /// there, and bytes that are not UTF-8.
    private mutating func skipCharacter(_ first: UInt8) throws(Stop) {
        switch first {
        case 0..<0x20, 0x7F:
            throw .notJSON
        // U+0080...U+009F: C1 controls (libyaml refuses them, and takes U+0085 for a line break).
        case 0xC2 where (0x80..<0xA0).contains(byte(at: position + 1) ?? 0):
            throw .notJSON
        // U+2028 and U+2029: line and paragraph separators, which libyaml folds.
        case 0xE2 where byte(at: position + 1) == 0x80 && [0xA8, 0xA9].contains(byte(at: position + 2)):
            throw .notJSON
        // U+FFFE and U+FFFF: not characters; libyaml refuses them.
        case 0xEF where byte(at: position + 1) == 0xBF && [0xBE, 0xBF].contains(byte(at: position + 2)):
            throw .notJSON
        case 0x80...:
            position += try utf8SequenceLength(first)
            return
        default:
            break
        }
        position += 1
    }

    /// The length of the well-formed UTF-8 sequence at `position` (Unicode's table 3-7), which
    /// starts with `first`, not ASCII.
    private func utf8SequenceLength(_ first: UInt8) throws(Stop) -> Int {
        let (length, second): (Int, ClosedRange<UInt8>)
        switch first {
        case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
        case 0xE0: (length, second) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, second) = (3, 0x80...0xBF)
        case 0xED: (length, second) = (3, 0x80...0x9F)
        case 0xF0: (length, second) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
        case 0xF4: (length, second) = (4, 0x80...0x8F)
        default: throw .notJSON
        }
        guard let next = byte(at: position + 1), second.contains(next) else { throw .notJSON }
        for offset in 2..<length {
            guard let next = byte(at: position + offset), (0x80...0xBF).contains(next) else { throw .notJSON }
        }
        return length
    }

    /// Steps over an escape, refusing one JSON does not define and a surrogate, which libyaml
    /// refuses (pairs included).
    private mutating func skipEscape() throws(Stop) {
        guard let escaped = byte(at: position + 1) else { throw .notJSON }
        position += 2
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return
        case UInt8(ascii: "u"):
            guard let value = Self.hexadecimalCodeUnit(bytes, at: position), Unicode.Scalar(value) != nil else { throw .notJSON }
            position += 4
        default:
            throw .notJSON
        }
    }

    /// The four hexadecimal digits at `offset`, or `nil`.
    static func hexadecimalCodeUnit(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for digitOffset in offset..<(offset + 4) {
            guard let digit = Character(Unicode.Scalar(bytes[digitOffset])).hexDigitValue else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
