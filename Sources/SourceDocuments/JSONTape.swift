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

    init(_ tape: UnsafePointer<JSONTape>, _ index: Int) {
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
            tape.pointee.forEachChild(of: index) { elements.append(JSONNode(tape, $0)) }
            return .sequence(elements)
        case .mapping:
            var entries: [(key: JSONNode, value: JSONNode)] = []
            entries.reserveCapacity(tape.pointee.childCount(of: index) / 2)
            forEachMappingEntry { key, value in entries.append((key, value)) }
            return .mapping(entries)
        }
    }

    /// Calls `body` with each key and value of the mapping at `index`, in document order.
    private func forEachMappingEntry(_ body: (_ key: JSONNode, _ value: JSONNode) -> Void) {
        var key = index + 1
        while key < tape.pointee.entries[index].end {
            // A key is always a string: one entry.
            body(JSONNode(tape, key), JSONNode(tape, key + 1))
            key = tape.pointee.indexAfter(key + 1)
        }
    }

    /// Walks the tape itself, each key matched where its bytes lie: through a closure called for
    /// each entry and a match made per key, this was a tenth of loading a large state.
    public func values(matching allowed: [String]) -> (values: [JSONNode?], unknownKey: JSONNode?)? {
        let mapping = tape.pointee.entries[index]
        guard mapping.kind == .mapping else { return nil }
        var values = [JSONNode?](repeating: nil, count: allowed.count)
        // Over the storage: the array's subscript copied each key it passed (a retain and a release).
        let unknownKey = allowed.withUnsafeBufferPointer { allowed -> JSONNode? in
            var (key, next) = (index + 1, 0)
            while key < mapping.end {
                guard let place = indexOfKey(at: key, in: allowed, from: next) else { return JSONNode(tape, key) }
                values[place] = JSONNode(tape, key + 1)
                next = place + 1
                key = tape.pointee.indexAfter(key + 1)
            }
            return nil
        }
        return (values, unknownKey)
    }

    /// The place in `allowed` of the key at `key` (a string), tried from `first` on, then from
    /// the start; `nil` when it is none of them.
    @inline(__always)
    private func indexOfKey(at key: Int, in allowed: UnsafeBufferPointer<String>, from first: Int) -> Int? {
        let entry = tape.pointee.entries[key]
        guard entry.kind == .string else {
            return allowed.index(ofKey: tape.pointee.unescapedText(entry.textBytes), from: first)
        }
        let text = entry.textBytes
        let (start, count) = (tape.pointee.bytes.baseAddress! + text.lowerBound, text.count)
        func isKey(_ candidate: String) -> Bool {
            // Read where the candidate lies: a copy to call `withUTF8` on retained and released it.
            guard candidate.utf8.count == count else { return false }
            guard count > 0 else { return true }
            return candidate.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, start, count) == 0 }
                ?? candidate.utf8.elementsEqual(UnsafeBufferPointer(start: start, count: count))
        }
        return allowed.firstIndex(from: first, where: isKey)
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
    var end: UInt32

    init(_ kind: Kind, start: Int, end: Int = 0) {
        kindAndStart = kind.rawValue << 29 | UInt32(start)
        self.end = UInt32(end)
    }

    var kind: Kind { Kind(rawValue: kindAndStart >> 29).unsafelyUnwrapped }
    var start: Int { Int(kindAndStart & (1 << 29 - 1)) }
    /// A scalar's text in the document, a string's without its quotes (and with its escapes).
    var textBytes: Range<Int> { (kindAndStart >> 29 == Kind.plainScalar.rawValue ? start : start + 1)..<Int(end) }
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
        forEachChild(of: index) { _ in count += 1 }
        return count
    }

    /// Calls `body` with the index of each child of the collection at `index`, in order.
    func forEachChild(of index: Int, _ body: (Int) -> Void) {
        var child = index + 1
        while child < entries[index].end {
            body(child)
            child = indexAfter(child)
        }
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
