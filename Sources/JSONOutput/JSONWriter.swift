/// Writes compact JSON straight into bytes, in the key order the caller chooses.
///
/// Foundation's encoders cost ~10 µs for a small object and do not keep key order; GitHub's
/// bodies list keys in a fixed order, and we reproduce it. The writer tracks only whether a
/// comma is due, so a caller must pair every `begin` with its `end`.
///
/// Each piece (a comma, a key with its quotes and colon, and a number or a string that needs no
/// escaping) goes into room made ahead with one capacity check, not through `Array.append` a
/// byte or a run at a time: a state export writes ~100 MB of JSON, and the appends were a third
/// of its time.
public struct JSONWriter {
    /// What is written (the first `written` bytes), then the room the next pieces go into: bytes
    /// never read, left as the allocator gives them (see `room(_:)`).
    private var storage: [UInt8]
    private var written = 0
    private var needsComma = false

    /// Room for `capacity` bytes is made at once; writing past it doubles the room.
    public init(reservingCapacity capacity: Int = 512) {
        storage = Self.room(capacity)
    }

    /// `count` bytes as the allocator gives them: a byte has no invalid values, and the room is
    /// only written before it is read. Zeroing it first touched every page of a 100 MB export
    /// once more, on the thread that then writes it.
    private static func room(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { _, initializedCount in initializedCount = count }
    }

    /// The document written so far.
    public var bytes: [UInt8] {
        mutating get {
            storage.removeSubrange(written...)
            return storage
        }
    }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Writes `"name":`; the value written next belongs to it. Names are static ASCII names
    /// needing no escaping, so they are copied as they are.
    public mutating func key(_ name: StaticString) {
        appendField(name, valueUpTo: 0) { _ in 0 }
        needsComma = false
    }

    /// Writes `"name":` for a name known only at run time, escaped as any string is.
    public mutating func key(escaping name: String) {
        string(name)
        appendUnseparated(upTo: 1) { start in
            start[0] = UInt8(ascii: ":")
            return 1
        }
        needsComma = false
    }

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { string(utf8: $0) }
    }

    /// A string given as its UTF-8 bytes, escaped as needed.
    public mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
        // Text rarely needs escaping: then it is copied with its quotes in one piece.
        guard Self.needsEscaping(utf8) else {
            return appendPiece(upTo: utf8.count + 2) { Self.writeQuoted(utf8, at: $0) }
        }
        appendPiece(Self.quote)
        appendEscaped(utf8)
        appendUnseparated(Self.quote)
        needsComma = true
    }

    public mutating func int(_ value: Int) {
        appendPiece(upTo: DecimalText.maximumLength) { Self.writeDecimal(value, at: $0) }
    }

    public mutating func bool(_ value: Bool) { appendPiece(value ? "true" : "false") }

    /// A finite number in Swift's shortest round-tripping form (`0.25`, `1.0`, `1e-05`: all JSON).
    public mutating func double(_ value: Double) {
        guard value.isFinite else { return null() }
        var text = value.description
        text.withUTF8 { digits in
            appendPiece(upTo: digits.count) { Self.copy(digits, to: $0) }
        }
    }

    public mutating func null() { appendPiece("null") }

    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    /// A string written from two parts, without building the joined string first.
    public mutating func field(_ name: StaticString, _ head: String, _ tail: String) {
        key(name)
        var (head, tail) = (head, tail)
        appendPiece(Self.quote)
        head.withUTF8 { appendEscaped($0) }
        tail.withUTF8 { appendEscaped($0) }
        appendUnseparated(Self.quote)
        needsComma = true
    }

    /// Shorthands for a key followed by its value, written as one piece where they can be.
    public mutating func field(_ name: StaticString, _ value: String?) {
        guard var value else { return appendField(name, literal: "null") }
        value.withUTF8 { field(name, utf8: $0) }
    }

    /// A key and a string given as its UTF-8 bytes, escaped as needed.
    public mutating func field(_ name: StaticString, utf8 value: UnsafeBufferPointer<UInt8>) {
        guard !Self.needsEscaping(value) else {
            key(name)
            return string(utf8: value)
        }
        appendField(name, valueUpTo: value.count + 2) { Self.writeQuoted(value, at: $0) }
    }

    public mutating func field(_ name: StaticString, _ value: Int) {
        appendField(name, valueUpTo: DecimalText.maximumLength) { Self.writeDecimal(value, at: $0) }
    }

    public mutating func field(_ name: StaticString, _ value: Bool) { appendField(name, literal: value ? "true" : "false") }
    public mutating func field(escaping name: String, _ value: String?) { key(escaping: name); string(value) }

    private static let quote: StaticString = "\""

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Whether any byte of `utf8` needs escaping, looked at eight at a time: nearly every string
    /// written is scanned and found clean, byte by byte a tenth of a state export's instructions.
    private static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = utf8.baseAddress else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101
        /// The high bit of each byte of `word` that is below `bound` (at most 0x80) is set, and
        /// none when there is none (a borrow only reaches bytes above one that is below).
        func bytesBelow(_ bound: UInt8, in word: UInt64) -> UInt64 {
            (word &- ones &* UInt64(bound)) & ~word & (ones &* 0x80)
        }
        var index = 0
        while index + 8 <= utf8.count {
            let word = UnsafeRawPointer(start + index).loadUnaligned(as: UInt64.self)
            let quotes = bytesBelow(1, in: word ^ (ones &* UInt64(UInt8(ascii: "\""))))
            let backslashes = bytesBelow(1, in: word ^ (ones &* UInt64(UInt8(ascii: "\\"))))
            if bytesBelow(0x20, in: word) | quotes | backslashes != 0 { return true }
            index += 8
        }
        return utf8[index...].contains(where: needsEscape)
    }

    /// Appends the values `other` wrote, separated as it separated them, as further elements of
    /// the array being written, and whatever `other` wrote after them (it may close the array
    /// and go on): an array's elements can be written in parts, each by a writer of its own (on
    /// a thread of its own), and joined in order.
    public mutating func appendElements(writtenBy other: JSONWriter) {
        guard other.written > 0 else { return }
        other.storage.withUnsafeBufferPointer { written in
            appendPiece(upTo: other.written) { Self.copy(UnsafeBufferPointer(rebasing: written[..<other.written]), to: $0) }
        }
    }

    private mutating func open(_ bracket: UInt8) {
        appendPiece(upTo: 1) { start in
            start[0] = bracket
            return 1
        }
        needsComma = false
    }

    private mutating func close(_ bracket: UInt8) {
        appendUnseparated(upTo: 1) { start in
            start[0] = bracket
            return 1
        }
        needsComma = true
    }

    /// Copies runs of bytes that need no escaping in one go and escapes the others.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for index in utf8.indices where Self.needsEscape(utf8[index]) {
            appendUnseparated(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            appendEscape(utf8[index])
            runStart = index + 1
        }
        appendUnseparated(UnsafeBufferPointer(rebasing: utf8[runStart...]))
    }

    private mutating func appendEscape(_ byte: UInt8) {
        appendUnseparated(upTo: 6) { start in
            start[0] = UInt8(ascii: "\\")
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): start[1] = byte
            case 0x0A: start[1] = UInt8(ascii: "n")
            case 0x0D: start[1] = UInt8(ascii: "r")
            case 0x09: start[1] = UInt8(ascii: "t")
            default:
                let hexDigits: StaticString = "0123456789abcdef"
                start[1] = UInt8(ascii: "u")
                start[2] = UInt8(ascii: "0")
                start[3] = UInt8(ascii: "0")
                start[4] = hexDigits.utf8Start[Int(byte >> 4)]
                start[5] = hexDigits.utf8Start[Int(byte & 0x0F)]
                return 6
            }
            return 2
        }
    }

    private mutating func appendField(_ name: StaticString, literal value: StaticString) {
        let value = Self.utf8(value)
        appendField(name, valueUpTo: value.count) { Self.copy(value, to: $0) }
    }

    /// `writeValue` puts the value's bytes after `"name":` (at most `length` of them) and answers
    /// how many it put.
    @inline(__always)
    private mutating func appendField(
        _ name: StaticString, valueUpTo length: Int, _ writeValue: (UnsafeMutablePointer<UInt8>) -> Int
    ) {
        let name = Self.utf8(name)
        assert(!Self.needsEscaping(name), "a static key must need no escaping")
        appendPiece(upTo: name.count + 3 + length) { start in
            start[0] = UInt8(ascii: "\"")
            var end = 1 + Self.copy(name, to: start + 1)
            start[end] = UInt8(ascii: "\"")
            start[end + 1] = UInt8(ascii: ":")
            end += 2
            return end + writeValue(start + end)
        }
    }

    /// Writes `value`'s text (at most `DecimalText.maximumLength` bytes) and answers its length.
    @inline(__always)
    private static func writeDecimal(_ value: Int, at start: UnsafeMutablePointer<UInt8>) -> Int {
        DecimalText.write(value, into: UnsafeMutableBufferPointer(start: start, count: DecimalText.maximumLength))
    }

    /// Writes `"text"` (text needing no escaping) and answers its length.
    @inline(__always)
    private static func writeQuoted(_ text: UnsafeBufferPointer<UInt8>, at start: UnsafeMutablePointer<UInt8>) -> Int {
        start[0] = UInt8(ascii: "\"")
        let end = 1 + copy(text, to: start + 1)
        start[end] = UInt8(ascii: "\"")
        return end + 1
    }

    /// A value given as its text: after a comma if one is due, and a comma is due after it.
    private mutating func appendPiece(_ text: StaticString) {
        let utf8 = Self.utf8(text)
        appendPiece(upTo: utf8.count) { Self.copy(utf8, to: $0) }
    }

    private mutating func appendUnseparated(_ text: StaticString) {
        appendUnseparated(Self.utf8(text))
    }

    /// A string literal's bytes (a `StaticString` made from one always has them in memory).
    @inline(__always)
    private static func utf8(_ text: StaticString) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }

    private mutating func appendUnseparated(_ utf8: UnsafeBufferPointer<UInt8>) {
        // An empty array has no storage to point into.
        guard !utf8.isEmpty else { return }
        appendUnseparated(upTo: utf8.count) { Self.copy(utf8, to: $0) }
    }

    /// Answers how many bytes it copied.
    @inline(__always)
    private static func copy(_ utf8: UnsafeBufferPointer<UInt8>, to start: UnsafeMutablePointer<UInt8>) -> Int {
        UnsafeMutableBufferPointer(start: start, count: utf8.count).update(fromContentsOf: utf8)
    }

    /// `write` puts a value's bytes after a comma if one is due; a comma is due after them.
    @inline(__always)
    private mutating func appendPiece(upTo length: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        let comma = needsComma
        appendUnseparated(upTo: length + 1) { start in
            guard comma else { return write(start) }
            start[0] = UInt8(ascii: ",")
            return 1 + write(start + 1)
        }
        needsComma = true
    }

    /// `write` puts at most `length` bytes after what is written and answers how many it put.
    @inline(__always)
    private mutating func appendUnseparated(upTo length: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        if storage.count - written < length { makeRoom(for: length) }
        let start = written
        written += storage.withUnsafeMutableBufferPointer { write($0.baseAddress! + start) }
    }

    /// Doubles the room at least (which keeps the copying amortised constant per byte), into a new
    /// array: appending room goes element by element in a debug build, seconds for a 20 MB answer.
    private mutating func makeRoom(for length: Int) {
        var grown = Self.room(written + Swift.max(length, storage.count))
        grown.withUnsafeMutableBufferPointer { room in
            storage.withUnsafeBufferPointer { _ = Self.copy(UnsafeBufferPointer(rebasing: $0[..<written]), to: room.baseAddress!) }
        }
        storage = grown
    }
}
