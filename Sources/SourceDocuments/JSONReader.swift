import Glibc

/// Reads strict JSON (RFC 8259) over its UTF-8 bytes into a `JSONTape`, as YAML would read the
/// same text: the same nodes, places, limits and messages.
///
/// JSON is YAML, but libyaml reads a few JSON texts differently or refuses them (a raw U+2028 or
/// DEL in a string, a surrogate escape, a tab before the root, a key over 1,024 characters or
/// split from its colon by a line break). For those, and for anything that is not strict JSON,
/// `withDocument` answers `nil` and the caller reads the text as YAML, which keeps YAML's answer
/// for them, errors included.
///
/// A large document is read on two threads: a `SecondHalfReader` reads the elements of
/// sequences from its middle on while this reader reads it from the start, and this reader takes
/// over what the other has read when it arrives where that began (see `adoptSegment`).
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
    /// How deep the nesting has gone in the segment a `SecondHalfReader` is reading.
    private var deepest = 0
    /// The reader of the document's second half, while there is one.
    private var secondHalf: SecondHalfReader?
    /// The first place at or after `position` where `secondHalf` may have read elements: a sequence's
    /// element found there is asked for (one comparison an element until then).
    private var nextSegmentStart = Int.max
    /// The elements taken over from `secondHalf`.
    private var elementsReadBySecondHalf = 0

    /// The smallest document read on two threads: below it, starting a thread costs about what
    /// it saves (a megabyte reads in about 2 ms).
    static let minimumBytesReadOnTwoThreads = 1 << 20

    fileprivate init(_ bytes: UnsafeBufferPointer<UInt8>) {
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
        try withDocument(bytes, file: file, secondHalfFrom: bytes.count >= minimumBytesReadOnTwoThreads ? bytes.count / 2 : nil) {
            root, _ throws(SourceError) in try body(root)
        }
    }

    /// `withDocument`, a second thread reading from the first element of a sequence at or after
    /// `middle` (none when `nil`); `body` is also told how many elements that thread read.
    /// Whatever `middle` is, the document reads as it does on one thread.
    static func withDocument<Answer>(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String, secondHalfFrom middle: Int?,
        _ body: (_ root: JSONNode, _ elementsReadBySecondHalf: Int) throws(SourceError) -> Answer
    ) throws(SourceError) -> Answer? {
        precondition(bytes.count <= YAMLReader.maximumJSONDocumentBytes && YAMLReader.maximumJSONDocumentBytes <= 1 << 29)
        var reader = JSONReader(bytes)
        defer { free(reader.entries) }
        do throws(Stop) {
            if let middle, let start = elementAfterComma(in: bytes, from: middle) {
                reader.secondHalf = SecondHalfReader.start(reading: bytes, from: start)
                reader.nextSegmentStart = reader.secondHalf == nil ? .max : start
            }
            defer {
                reader.secondHalf?.stop()
                reader.secondHalf = nil
            }
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
        return try body(JSONNode(tape, 0), reader.elementsReadBySecondHalf)
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
    /// Inlined: a state export has ten million nodes, and the call cost more than the adding.
    @inline(__always)
    private mutating func append(_ entry: JSONTapeEntry) throws(Stop) -> Int {
        if entryCount == entryCapacity { try makeRoomForOneMore() }
        entries.unsafelyUnwrapped[entryCount] = entry
        entryCount += 1
        return entryCount - 1
    }

    private mutating func makeRoomForOneMore() throws(Stop) {
        guard reserve(entryCount + 1) else {
            throw .refused(offset: position, message: "the document holds more values than there is memory for")
        }
    }

    /// Makes room for `count` entries; `false` when no memory is left for them.
    private mutating func reserve(_ count: Int) -> Bool {
        guard count > entryCapacity else { return true }
        // A state export averages about ten bytes a node: most documents need no growing.
        let capacity = max(2 * entryCapacity, (bytes.count - position) / 8 + 16, count)
        guard let grown = realloc(entries, capacity * MemoryLayout<JSONTapeEntry>.stride) else { return false }
        entries = grown.bindMemory(to: JSONTapeEntry.self, capacity: capacity)
        entryCapacity = capacity
        return true
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
        deepest = max(deepest, depth)
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
            if position < nextSegmentStart || !adoptSegment() { try value() }
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
    /// small and its keys unescaped (an exported run has 25 keys), which costs far less than
    /// reading each key's text; otherwise `duplicates(among:)` decides. Each key's length, first
    /// and last byte go into a small open-addressed table, and two keys' bytes are compared only
    /// when those agree (`created_at`, `started_at` and `conclusion` have one length).
    private func mayRepeatKeys(_ keys: ArraySlice<(bytes: Range<Int>, escaped: Bool)>) -> Bool {
        guard keys.count <= Self.keysComparedAtMost, !keys.contains(where: \.escaped) else { return true }
        // At most half full. A slot holds a key's signature above its place + 1 (0: empty).
        let slotCount = 2 * Self.keysComparedAtMost
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: slotCount) { slots in
            slots.initialize(repeating: 0)
            for (place, key) in zip(0..., keys) {
                let (first, last) = key.bytes.isEmpty ? (0, 0) : (bytes[key.bytes.lowerBound], bytes[key.bytes.upperBound - 1])
                let signature = UInt64(key.bytes.count) << 16 | UInt64(first) << 8 | UInt64(last)
                var slot = Int(truncatingIfNeeded: (signature &* 0x9E37_79B9_7F4A_7C15) >> 58)
                while slots[slot] != 0 {
                    if slots[slot] >> 8 == signature {
                        let other = keys[keys.startIndex + Int(slots[slot] & 0xFF) - 1].bytes.lowerBound
                        if memcmp(bytes.baseAddress! + other, bytes.baseAddress! + key.bytes.lowerBound, key.bytes.count) == 0 { return true }
                    }
                    slot = (slot + 1) % slotCount
                }
                slots[slot] = signature << 8 | UInt64(place + 1)
            }
            return false
        }
    }

    /// Keys of one mapping past which `mayRepeatKeys` leaves the question to `duplicates(among:)`;
    /// with `mayRepeatKeys`' table of twice as many slots, a power of two (its hash takes 6 bits).
    private static let keysComparedAtMost = 32

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
            let word = UInt64(littleEndian: (start + position).loadUnaligned(as: UInt64.self))
            let special = bytesBelow(0x20, in: word)
                | bytesBelow(1, in: word ^ (ones &* UInt64(UInt8(ascii: "\""))))
                | bytesBelow(1, in: word ^ (ones &* UInt64(UInt8(ascii: "\\"))))
                | bytesBelow(1, in: word ^ (ones &* 0x7F))
                | word & (ones &* 0x80)
            // The lowest byte flagged is the first one that is special (a borrow only flags
            // bytes above one that is): the text up to it is plain.
            guard special == 0 else {
                position += special.trailingZeroBitCount / 8
                return
            }
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

// MARK: - Reading on two threads

extension JSONReader {
    /// Elements of one sequence read in a row by a `SecondHalfReader`, from the first at `start`
    /// to the last, which ends just before `end`; their nodes as a tape of their own, each
    /// collection's end counted from the segment's first entry.
    fileprivate struct Segment {
        let start: Int
        var end: Int
        /// Where reading stopped: the next segment is looked for from here.
        var readUpTo: Int
        var elementCount = 0
        var entries: UnsafeMutablePointer<JSONTapeEntry>?
        var entryCount = 0
        /// The deepest nesting of its elements, counted from the sequence.
        var deepest = 0
        var duplicateKeys: (offset: Int, message: String)?
    }

    /// The first place from `offset` where a mapping or a sequence follows a comma: where an
    /// element of a sequence may begin. The place may as well be inside a string; only the reader
    /// that has read up to it can tell.
    fileprivate static func elementAfterComma(in bytes: UnsafeBufferPointer<UInt8>, from offset: Int) -> Int? {
        var position = offset
        while position < bytes.count, let comma = memchr(bytes.baseAddress! + position, Int32(UInt8(ascii: ",")), bytes.count - position) {
            position = bytes.baseAddress!.distance(to: comma.assumingMemoryBound(to: UInt8.self)) + 1
            while position < bytes.count, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[position]) {
                position += 1
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "{") || bytes[position] == UInt8(ascii: "[") { return position }
        }
        return nil
    }

    /// Reads elements of a sequence from `start` as `sequence` would after a comma, until one is
    /// not followed by a comma (the sequence ends, or the place was not what it seemed) or one
    /// cannot be read (it is left out: the reader that adopts the segment reads it and reports
    /// it in its place), or `isStopped` says to stop.
    fileprivate mutating func readSegment(from start: Int, isStopped: () -> Bool) -> Segment {
        (position, depth, deepest, duplicateKeys) = (start, 0, 0, nil)
        keys.removeAll(keepingCapacity: true)
        var segment = Segment(start: start, end: start, readUpTo: start)
        while !isStopped() {
            let (entryMark, duplicatesMark) = (entryCount, duplicateKeys)
            do throws(Stop) {
                try value()
            } catch {
                (entryCount, duplicateKeys) = (entryMark, duplicatesMark)
                break
            }
            segment.elementCount += 1
            segment.end = position
            // Within a sequence tabs are whitespace: nothing here throws.
            try? skipWhitespace()
            guard byte(at: position) == UInt8(ascii: ",") else { break }
            position += 1
            try? skipWhitespace()
        }
        (segment.readUpTo, segment.deepest, segment.duplicateKeys) = (position, deepest, duplicateKeys)
        if segment.elementCount > 0, let entries, let fitted = realloc(entries, entryCount * MemoryLayout<JSONTapeEntry>.stride) {
            (segment.entries, segment.entryCount) = (fitted.bindMemory(to: JSONTapeEntry.self, capacity: entryCount), entryCount)
        } else {
            free(entries)
        }
        (entries, entryCount, entryCapacity) = (nil, 0, 0)
        return segment
    }

    /// At an element of a sequence at or past `nextSegmentStart`: takes over the elements the
    /// second reader has read from here, as if read here (answering `true`, `position` after the
    /// last of them), or answers `false` when it has read none from here that can be taken.
    ///
    /// The second reader began each of its segments at a guess: a place after a comma where a
    /// mapping or a sequence begins. Being at an element of a sequence there, this reader knows
    /// the guess was right, and reading on from here would read what the segment holds: the same
    /// nodes (a collection's end moved by where they land), the first repeated key of a mapping
    /// that closes first. A segment nesting deeper than allowed from here is not taken, so the
    /// refusal comes from this reader, in its place.
    private mutating func adoptSegment() -> Bool {
        guard let secondHalf else { return false }
        let (found, next) = secondHalf.segment(at: position)
        nextSegmentStart = next ?? .max
        defer { free(found?.entries) }
        guard let segment = found, depth + segment.deepest <= YAMLReader.maximumNestingDepth, reserve(entryCount + segment.entryCount) else {
            return false
        }
        let moved = UInt32(entryCount)
        for index in 0..<segment.entryCount {
            var entry = segment.entries![index]
            if entry.isCollection { entry.end += moved }
            entries![entryCount + index] = entry
        }
        entryCount += segment.entryCount
        elementsReadBySecondHalf += segment.elementCount
        position = segment.end
        if duplicateKeys == nil { duplicateKeys = segment.duplicateKeys }
        return true
    }
}

/// Reads a large document from its middle on a thread of its own while a `JSONReader` reads it
/// from the start: segment after segment, each the elements of a sequence from a place that
/// looks like one's start (`JSONReader.elementAfterComma`), the next guessed where the last
/// one ended. The reader from the start takes each segment it arrives at (`segment(at:)`).
///
/// Everything both threads touch is behind `monitor`; a finished segment is only read by the
/// thread that takes it, which frees it. What is not taken is freed by `stop`.
private final class SecondHalfReader: RunsOnce, @unchecked Sendable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let firstStart: Int
    /// Signals when a segment is finished and when the reading ends.
    private let monitor = Monitor()
    private var thread = pthread_t()
    /// Finished segments not yet taken, in document order.
    private var segments: [JSONReader.Segment] = []
    /// Where the segment being read began, or where the last one ended while the next is looked for.
    private var frontier: Int
    private var reading = true
    private var stopped = false

    private init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) {
        self.bytes = bytes
        self.firstStart = start
        self.frontier = start
    }

    deinit {
        for segment in segments { free(segment.entries) }
    }

    /// A reader of `bytes` from `start` on a thread of its own; `nil` when no thread can be had.
    static func start(reading bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> SecondHalfReader? {
        let reader = SecondHalfReader(bytes, from: start)
        guard let thread = startThread(running: reader) else { return nil }
        reader.thread = thread
        return reader
    }

    func run() {
        var reader = JSONReader(bytes)
        var start: Int? = firstStart
        while let segmentStart = start {
            let segment = reader.readSegment(from: segmentStart, isStopped: { monitor.locked { stopped } })
            start = JSONReader.elementAfterComma(in: bytes, from: segment.readUpTo)
            monitor.locked {
                if segment.elementCount > 0 { segments.append(segment) }
                frontier = start ?? frontier
                if stopped { start = nil }
                monitor.signalChange()
            }
        }
        monitor.locked {
            reading = false
            monitor.signalChange()
        }
    }

    /// The segment that begins at `position`, waiting for it while it is being read, and where
    /// the next may begin past `position`: `nil` when none will (reading stops then, having
    /// fallen behind).
    func segment(at position: Int) -> (segment: JSONReader.Segment?, next: Int?) {
        monitor.locked {
            while reading, frontier == position { monitor.wait() }
            var found: JSONReader.Segment?
            if let index = segments.firstIndex(where: { $0.start == position }) { found = segments.remove(at: index) }
            // Segments behind the reader from the start will not be taken.
            while let first = segments.first, first.start < position {
                free(first.entries)
                segments.removeFirst()
            }
            let next = segments.first?.start ?? (reading && frontier > position ? frontier : nil)
            if next == nil { stopped = true }
            return (found, next)
        }
    }

    /// Ends the reading (the segment being read is cut short) and waits for the thread.
    func stop() {
        monitor.locked {
            stopped = true
            monitor.signalChange()
        }
        pthread_join(thread, nil)
    }
}
