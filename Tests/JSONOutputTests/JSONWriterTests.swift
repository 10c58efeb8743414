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
