/// A point in time with one-second resolution, as GitHub reports lease times.
///
/// Kept free of Foundation so the simulator stays pure; the API renders it as RFC 3339.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public let secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    /// 9999-12-31T23:59:59Z, the last second RFC 3339 (four-digit years) can write; clocks stop there.
    public static let latestWritable = Timestamp(secondsSinceEpoch: 253_402_300_799)

    /// Stands for no time where a record stores an optional time in 8 bytes; no clock or
    /// document reaches it (the earliest RFC 3339 time is the year 0).
    static let absent = Timestamp(secondsSinceEpoch: .min)

    /// `nil` for `absent`.
    var unlessAbsent: Timestamp? { self == .absent ? nil : self }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }

    public func adding(seconds: Int64) -> Timestamp {
        Timestamp(secondsSinceEpoch: secondsSinceEpoch + seconds)
    }

    /// The civil date and time in UTC (proleptic Gregorian calendar).
    public var components: (year: Int64, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let days = Self.floorDivide(secondsSinceEpoch, 86_400)
        let secondOfDay = Int(secondsSinceEpoch - days * 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        return (year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
    }

    /// Builds a timestamp from UTC civil fields; `nil` when a field is out of range.
    public init?(year: Int64, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        guard (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        let days = Self.days(fromCivil: year, month: month, day: day)
        self.secondsSinceEpoch = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// RFC 3339 in UTC, `2026-01-15T16:14:23Z` (four-digit years; see `latestWritable`).
    public var description: String {
        withUTF8Description { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with `description`'s UTF-8 bytes, written digit by digit on the stack: the
    /// list endpoints render one per group and a state export several per job.
    @inlinable public func withUTF8Description<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let c = components
        guard (0...9999).contains(c.year) else {
            var text = "\(c.year)-\(c.month)-\(c.day)T\(c.hour):\(c.minute):\(c.second)Z"
            return text.withUTF8(body)
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            func twoDigits(_ value: Int, at offset: Int) {
                buffer[offset] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / 10)
                buffer[offset + 1] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
            }
            let year = Int(c.year)
            twoDigits(year / 100, at: 0)
            twoDigits(year % 100, at: 2)
            buffer[4] = UInt8(ascii: "-")
            twoDigits(c.month, at: 5)
            buffer[7] = UInt8(ascii: "-")
            twoDigits(c.day, at: 8)
            buffer[10] = UInt8(ascii: "T")
            twoDigits(c.hour, at: 11)
            buffer[13] = UInt8(ascii: ":")
            twoDigits(c.minute, at: 14)
            buffer[16] = UInt8(ascii: ":")
            twoDigits(c.second, at: 17)
            buffer[19] = UInt8(ascii: "Z")
            return body(UnsafeBufferPointer(buffer))
        }
    }

    static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(month: Int, year: Int64) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Inlined so that dividing by a constant becomes a multiplication: a state export formats
    /// about a million times, and `idiv` was most of the work.
    @inline(__always)
    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    // Howard Hinnant's days-from-civil and civil-from-days algorithms.
    static func days(fromCivil year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int, Int) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
