/// The decimal text of integers, written digit by digit into place: `String(_:)` goes through the
/// generic integer formatting, and an answer writes several numbers per request (ids, counts,
/// rate-limit headers).
public enum DecimalText {
    /// The most bytes an `Int` takes: 19 digits and a minus sign.
    static let maximumLength = 20

    public static func string(_ value: Int) -> String {
        // Up to 15 bytes a string keeps inline, without an allocation.
        let capacity = value.magnitude < 100_000_000_000_000 ? 15 : maximumLength
        return String(unsafeUninitializedCapacity: capacity) { write(value, into: $0) }
    }

    /// Writes the text at the start of `buffer` (long enough for it); answers its length.
    static func write(_ value: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var magnitude = value.magnitude
        // Counted by comparison rather than by dividing, which the writing below does again.
        var digits = 1
        var bound: UInt = 10
        while digits < 20, magnitude >= bound {
            digits += 1
            bound &*= 10
        }
        let length = digits + (value < 0 ? 1 : 0)
        if value < 0 { buffer[0] = UInt8(ascii: "-") }
        var index = length
        repeat {
            index -= 1
            buffer[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        return length
    }
}
