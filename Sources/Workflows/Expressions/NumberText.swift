/// Numbers to and from text, as GitHub's expression engine (written in C#) does it.
enum NumberText {
    /// GitHub's string-to-number rule (modelled on JavaScript's `Number()`), used for number literals
    /// and for coercing strings: surrounding whitespace is ignored; `""` is 0; decimal notation with
    /// optional sign, point and exponent (`-1`, `.5`, `1.`, `1e-3`); `0x` hex and `0o` octal of at
    /// most 32 bits, read as two's complement like .NET's `Int32` (`0xffffffff` is -1);
    /// `Infinity` with an optional sign; anything else is NaN.
    static func parse(_ text: String) -> Double {
        let trimmed = Array(text.unicodeScalars.drop(while: \.properties.isWhitespace)
            .reversed().drop(while: \.properties.isWhitespace).reversed())
        if trimmed.isEmpty { return 0 }
        if let decimal = parseDecimal(trimmed) { return decimal }
        if trimmed.count > 2 && trimmed[0] == "0" {
            switch trimmed[1] {
            case "x": return parseInt32Bits(trimmed.dropFirst(2), radix: 16)
            case "o": return parseInt32Bits(trimmed.dropFirst(2), radix: 8)
            default: break
            }
        }
        return .nan
    }

    /// .NET's `Double.ToString("G15")` with the invariant culture, which GitHub uses to turn numbers
    /// into text: the exact binary value rounded half away from zero to 15 significant digits,
    /// trailing zeros dropped, plain notation for decimal exponents -5 < e < 15 and `1.5E+15`
    /// style (at least two exponent digits) otherwise. `-0` is written `0`, as GitHub does.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return "0" }
        var (digits, exponent) = exactDigits(of: value.magnitude)
        if digits.count > significantDigits {
            let roundsUp = digits[significantDigits] >= 5
            digits.removeSubrange(significantDigits...)
            if roundsUp { exponent += incrementDigits(&digits) }
        }
        while digits.last == 0 { digits.removeLast() }
        let text = exponent > -5 && exponent < significantDigits
            ? plainNotation(digits, exponent)
            : scientificNotation(digits, exponent)
        return value < 0 ? "-" + text : text
    }

    private static let significantDigits = 15

    /// `[+-]?(digits[.digits?] | .digits)([eE][+-]?digits)?` or `[+-]?Infinity` (any case, as .NET
    /// accepts it), else nil. Validated here because Swift's own parser also takes hex floats and
    /// `nan`, which GitHub does not.
    private static func parseDecimal(_ scalars: [Unicode.Scalar]) -> Double? {
        var index = 0
        if scalars[index] == "+" || scalars[index] == "-" { index += 1 }
        let body = String(String.UnicodeScalarView(scalars[index...]))
        if body.lowercased() == "infinity" { return scalars[0] == "-" ? -.infinity : .infinity }
        func skipDigits() -> Int {
            let start = index
            while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
            return index - start
        }
        var mantissaDigits = skipDigits()
        if index < scalars.count && scalars[index] == "." {
            index += 1
            mantissaDigits += skipDigits()
        }
        guard mantissaDigits > 0 else { return nil }
        if index < scalars.count && (scalars[index] == "e" || scalars[index] == "E") {
            index += 1
            if index < scalars.count && (scalars[index] == "+" || scalars[index] == "-") { index += 1 }
            guard skipDigits() > 0 else { return nil }
        }
        guard index == scalars.count else { return nil }
        return Double(String(String.UnicodeScalarView(scalars)))
    }

    /// Digits of `radix` as a 32-bit pattern, read as a signed `Int32`; NaN past 32 bits.
    private static func parseInt32Bits(_ scalars: ArraySlice<Unicode.Scalar>, radix: UInt32) -> Double {
        var bits: UInt64 = 0
        for scalar in scalars {
            guard let digit = Character(scalar).hexDigitValue, UInt32(digit) < radix else { return .nan }
            bits = bits * UInt64(radix) + UInt64(digit)
            if bits > UInt64(UInt32.max) { return .nan }
        }
        return Double(Int32(bitPattern: UInt32(bits)))
    }

    /// Every decimal digit of a finite positive double, most significant first, and the decimal
    /// exponent of the first digit. Exact (big-integer arithmetic), so rounding to 15 digits never
    /// rounds twice.
    private static func exactDigits(of value: Double) -> (digits: [UInt8], exponent: Int) {
        var significand = value.significandBitPattern
        var binaryExponent: Int
        if value.exponentBitPattern == 0 {
            binaryExponent = -1074
        } else {
            significand |= 1 << 52
            binaryExponent = Int(value.exponentBitPattern) - 1075
        }
        while significand & 1 == 0 && binaryExponent < 0 {
            significand >>= 1
            binaryExponent += 1
        }
        // value = significand × 2^e. For e < 0 that is significand × 5^-e × 10^e: the digits of the
        // integer significand × 5^-e, the last one standing for 10^e.
        var number = BigUInt(significand)
        if binaryExponent >= 0 {
            number.multiply(byPowerOf: 2, exponent: binaryExponent)
        } else {
            number.multiply(byPowerOf: 5, exponent: -binaryExponent)
        }
        let digits = number.decimalDigits()
        return (digits, digits.count - 1 + min(binaryExponent, 0))
    }

    /// Adds one unit in the last place; returns 1 when that carried into a new leading digit.
    private static func incrementDigits(_ digits: inout [UInt8]) -> Int {
        for index in digits.indices.reversed() {
            if digits[index] < 9 {
                digits[index] += 1
                return 0
            }
            digits[index] = 0
        }
        digits.insert(1, at: 0)
        digits.removeLast()
        return 1
    }

    private static func plainNotation(_ digits: [UInt8], _ exponent: Int) -> String {
        let text = digits.map { Character(Unicode.Scalar(0x30 + $0)) }
        if exponent < 0 {
            return "0." + String(repeating: "0", count: -exponent - 1) + String(text)
        }
        let integerCount = exponent + 1
        if text.count <= integerCount {
            return String(text) + String(repeating: "0", count: integerCount - text.count)
        }
        return String(text[..<integerCount]) + "." + String(text[integerCount...])
    }

    private static func scientificNotation(_ digits: [UInt8], _ exponent: Int) -> String {
        let text = digits.map { Character(Unicode.Scalar(0x30 + $0)) }
        let mantissa = text.count == 1 ? String(text) : String(text[0]) + "." + String(text.dropFirst())
        let magnitude = String(exponent.magnitude)
        return mantissa + (exponent < 0 ? "E-" : "E+") + (magnitude.count < 2 ? "0" : "") + magnitude
    }
}

/// Just enough of an unsigned big integer to print a double exactly: little-endian 32-bit limbs.
private struct BigUInt {
    private var limbs: [UInt32]

    init(_ value: UInt64) {
        limbs = [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
    }

    mutating func multiply(byPowerOf base: UInt32, exponent: Int) {
        // The largest power of the base that fits a limb keeps the number of passes small.
        var chunk: UInt32 = 1
        var chunkExponent = 0
        while chunk <= UInt32.max / base {
            chunk *= base
            chunkExponent += 1
        }
        var remaining = exponent
        while remaining >= chunkExponent {
            multiply(by: chunk)
            remaining -= chunkExponent
        }
        var rest: UInt32 = 1
        for _ in 0..<remaining { rest *= base }
        multiply(by: rest)
    }

    /// Decimal digits, most significant first, without leading zeros.
    func decimalDigits() -> [UInt8] {
        var number = self
        var groups: [UInt32] = []  // base 10^9, least significant first
        while number.limbs.contains(where: { $0 != 0 }) {
            groups.append(number.divide(by: 1_000_000_000))
        }
        var digits: [UInt8] = []
        for (position, group) in groups.reversed().enumerated() {
            var groupDigits = [UInt8](repeating: 0, count: 9)
            var value = group
            for index in groupDigits.indices.reversed() {
                groupDigits[index] = UInt8(value % 10)
                value /= 10
            }
            digits.append(contentsOf: position == 0 ? Array(groupDigits.drop(while: { $0 == 0 })) : groupDigits)
        }
        return digits
    }

    private mutating func multiply(by factor: UInt32) {
        var carry: UInt64 = 0
        for index in limbs.indices {
            let product = UInt64(limbs[index]) * UInt64(factor) + carry
            limbs[index] = UInt32(truncatingIfNeeded: product)
            carry = product >> 32
        }
        if carry != 0 { limbs.append(UInt32(carry)) }
    }

    /// Divides in place; returns the remainder.
    private mutating func divide(by divisor: UInt32) -> UInt32 {
        var remainder: UInt64 = 0
        for index in limbs.indices.reversed() {
            let current = remainder << 32 | UInt64(limbs[index])
            limbs[index] = UInt32(current / UInt64(divisor))
            remainder = current % UInt64(divisor)
        }
        while limbs.last == 0 { limbs.removeLast() }
        return UInt32(remainder)
    }
}
