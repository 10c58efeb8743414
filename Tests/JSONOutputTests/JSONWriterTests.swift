import JSONOutput
import Testing

@Suite struct JSONWriterTests {
    private func text(_ json: inout JSONWriter) -> String { String(decoding: json.bytes, as: UTF8.self) }

    @Test func staticKeysAreCopiedAsTheyAre() {
        var json = JSONWriter()
        json.beginObject()
        json.field("id", 7)
        json.field("cancel_in_progress", false)
        json.key("x")
        json.null()
        json.key("")
        json.beginArray()
        json.endArray()
        json.endObject()
        #expect(text(&json) == #"{"id":7,"cancel_in_progress":false,"x":null,"":[]}"#)
    }

    @Test func runtimeKeysAreEscaped() {
        var json = JSONWriter()
        json.beginObject()
        json.field(escaping: "a\"b", "c")
        json.field(escaping: "tab\there", nil)
        json.key(escaping: "n")
        json.int(1)
        json.endObject()
        #expect(text(&json) == #"{"a\"b":"c","tab\there":null,"n":1}"#)
    }

    @Test func stringsAreEscapedOnlyWhereNeeded() {
        var json = JSONWriter()
        json.beginArray()
        json.string("plain é ✓")
        json.string("")
        json.string("q\"b\\n\nr\rt\t\u{01}\u{1f}end")
        json.string(nil as String?)
        json.endArray()
        #expect(text(&json) == #"["plain é ✓","","q\"b\\n\nr\rt\t\u0001\u001fend",null]"#)
    }

    /// Strings are scanned eight bytes at a time: a byte that needs escaping is found wherever
    /// it stands, and bytes beside the escaped ones in value (`!`, `#`, `[`, `]`, DEL, UTF-8) are not.
    @Test(arguments: [0x00, 0x0A, 0x1F, 0x22, 0x5C, 0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xDC] as [UInt8])
    func everyPositionIsScanned(byte: UInt8) {
        for length in [1, 7, 8, 9, 16, 23] {
            for position in 0..<length {
                var utf8 = Array(repeating: UInt8(ascii: "a"), count: length)
                utf8[position] = byte
                var json = JSONWriter()
                utf8.withUnsafeBufferPointer { json.field("s", utf8: $0) }
                var expected = Array(#""s":""#.utf8)
                for each in utf8 { expected += Self.escaped(each) }
                expected += Array("\"".utf8)
                #expect(json.bytes == expected, "byte \(byte) at \(position) of \(length)")
            }
        }
    }

    /// What JSON requires for one byte, written out plainly.
    private static func escaped(_ byte: UInt8) -> [UInt8] {
        switch byte {
        case 0x22: Array(#"\""#.utf8)
        case 0x5C: Array(#"\\"#.utf8)
        case 0x0A: Array(#"\n"#.utf8)
        case 0x0D: Array(#"\r"#.utf8)
        case 0x09: Array(#"\t"#.utf8)
        case ..<0x20: Array(("\\u00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)).utf8)
        default: [byte]
        }
    }

    @Test func stringsFromBytes() {
        var json = JSONWriter()
        json.beginArray()
        Array("2026-01-15T16:14:23Z".utf8).withUnsafeBufferPointer { json.string(utf8: $0) }
        Array("a\"".utf8).withUnsafeBufferPointer { json.string(utf8: $0) }
        json.endArray()
        #expect(text(&json) == #"["2026-01-15T16:14:23Z","a\""]"#)
    }

    @Test func twoPartStrings() {
        var json = JSONWriter()
        json.beginObject()
        json.field("url", "https://x/", "a\"b")
        json.field("empty", "", "")
        json.endObject()
        #expect(text(&json) == #"{"url":"https://x/a\"b","empty":""}"#)
    }

    @Test func numbersAndBooleans() {
        var json = JSONWriter()
        json.beginArray()
        json.double(0.25)
        json.double(1)
        json.double(.infinity)
        json.bool(true)
        json.bool(false)
        json.endArray()
        #expect(text(&json) == "[0.25,1.0,null,true,false]")
    }

    /// Writing past the room made at first grows it, keeping what is written.
    @Test func growsPastTheReservedCapacity() {
        var json = JSONWriter(reservingCapacity: 0)
        json.beginArray()
        for index in 0..<1000 { json.string("item \(index)") }
        json.endArray()
        let expected = "[" + (0..<1000).map { "\"item \($0)\"" }.joined(separator: ",") + "]"
        #expect(text(&json) == expected)
    }

    /// The bytes taken so far stay as they were while the writer goes on.
    @Test func writingOnAfterTakingTheBytes() {
        var json = JSONWriter(reservingCapacity: 4)
        json.beginArray()
        json.int(1)
        let first = json.bytes
        json.int(2)
        json.endArray()
        #expect(String(decoding: first, as: UTF8.self) == "[1")
        #expect(text(&json) == "[1,2]")
    }
}

/// An array's elements written in parts by writers of their own join as if one writer wrote them.
@Suite struct JoinedElementsTests {
    private func part(_ values: [Int]) -> JSONWriter {
        var json = JSONWriter()
        for value in values {
            json.beginObject()
            json.field("id", value)
            json.endObject()
        }
        return json
    }

    @Test(arguments: [([1, 2], [3, 4]), ([], [3]), ([1], []), ([], [])])
    func partsJoinInOrderWithTheirCommas(first: [Int], second: [Int]) {
        var whole = JSONWriter()
        whole.beginObject()
        whole.key("runs")
        whole.beginArray()
        for value in first {
            whole.beginObject()
            whole.field("id", value)
            whole.endObject()
        }
        whole.appendElements(writtenBy: part(second))
        whole.endArray()
        whole.field("after", true)
        whole.endObject()
        var oneWriter = JSONWriter()
        oneWriter.beginObject()
        oneWriter.key("runs")
        oneWriter.beginArray()
        oneWriter.appendElements(writtenBy: part(first + second))
        oneWriter.endArray()
        oneWriter.field("after", true)
        oneWriter.endObject()
        let expected = "{\"runs\":[" + (first + second).map { "{\"id\":\($0)}" }.joined(separator: ",") + "],\"after\":true}"
        #expect(String(decoding: whole.bytes, as: UTF8.self) == expected)
        #expect(String(decoding: oneWriter.bytes, as: UTF8.self) == expected)
    }
}
