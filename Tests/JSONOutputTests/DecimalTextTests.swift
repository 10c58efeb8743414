import JSONOutput
import Testing

/// Numbers are written as `String(_:)` writes them, from the shortest to the longest.
@Suite struct DecimalTextTests {
    static let values = [0, 7, 10, 60, -1, -10, 1_768_497_300, 99_999_999_999_999, 100_000_000_000_000, Int.max, Int.min]

    @Test(arguments: values)
    func stringMatchesTheStandardLibrary(value: Int) {
        #expect(DecimalText.string(value) == String(value))
    }

    @Test func writerIntegersUseIt() {
        var json = JSONWriter()
        json.beginArray()
        json.int(42)
        json.int(-3)
        json.int(Int.min)
        json.int(0)
        json.endArray()
        #expect(String(decoding: json.bytes, as: UTF8.self) == "[42,-3,-9223372036854775808,0]")
    }
}
