import Testing
import Workflows

@Suite struct ExpressionValueTests {
    @Test func objectsCompareKeysInOrder() {
        #expect(ExpressionValue.object([("a", .number(1))]) == .object([("a", .number(1))]))
        #expect(ExpressionValue.object([("a", .number(1))]) != .object([("b", .number(1))]))
    }

    @Test func literalsBuildTheValuesTheySpell() {
        let written: ExpressionValue = ["a": [1, "x", true, 2.5, [:]]]
        let spelled = ExpressionValue.object([
            ("a", .array([.number(1), .string("x"), .bool(true), .number(2.5), .object([])])),
        ])
        #expect(written == spelled)
    }

    @Test(arguments: [
        (ExpressionValue.null, false),
        (false, false), (true, true),
        (0, false), (.number(-0.0), false), (.number(.nan), false), (0.5, true), (-1, true),
        ("", false), ("false", true), ("0", true), (" ", true),
        ([], true), ([:], true),
    ] as [(ExpressionValue, Bool)])
    func truthiness(value: ExpressionValue, isTruthy: Bool) {
        #expect(value.isTruthy == isTruthy)
    }

    @Test(arguments: [
        (ExpressionValue.null, ""), (true, "true"), (false, "false"), ("text", "text"),
        ([1, 2], "Array"), (["a": 1], "Object"), ([], "Array"), ([:], "Object"),
    ] as [(ExpressionValue, String)])
    func stringCoercion(value: ExpressionValue, text: String) {
        #expect(value.stringValue == text)
    }

    /// .NET's G15: 15 significant digits, trailing zeros dropped, exponent form outside 1e-5...1e15.
    @Test(arguments: [
        (1.0, "1"), (1.5, "1.5"), (-2.0, "-2"), (-0.0, "0"), (100, "100"), (0.1, "0.1"),
        (123456.789, "123456.789"),
        (999_999_999_999_999, "999999999999999"), (123_456_789_012_345, "123456789012345"),
        (1e15, "1E+15"), (1_234_567_890_123_456, "1.23456789012346E+15"), (1e21, "1E+21"),
        (0.0001, "0.0001"), (0.00001, "1E-05"), (-1.5e-7, "-1.5E-07"),
        (0.30000000000000004, "0.3"), (0.84551240822557006, "0.84551240822557"),
        (0.123456789012345678, "0.123456789012346"), (0.9999999999999999, "1"),
        (Double.leastNonzeroMagnitude, "4.94065645841247E-324"),
        (Double.greatestFiniteMagnitude, "1.79769313486232E+308"),
        (Double.nan, "NaN"), (Double.infinity, "Infinity"), (-Double.infinity, "-Infinity"),
    ] as [(Double, String)])
    func numberText(number: Double, text: String) {
        #expect(ExpressionValue.number(number).stringValue == text)
    }

    /// JavaScript's `Number()` as GitHub implements it.
    @Test(arguments: [
        (ExpressionValue.null, 0), (true, 1), (false, 0), (7, 7),
        ("", 0), ("  42  ", 42), ("\t-1.5\n", -1.5), ("+.5", 0.5), ("1.", 1), ("1e3", 1000), ("1E-2", 0.01),
        ("0x1A", 26), ("0o17", 15), ("0xffffffff", -1), ("0x7fffffff", 2_147_483_647),
        ("Infinity", .infinity), ("-infinity", -.infinity),
        ("0x100000000", .nan), ("0X1A", .nan), ("0o8", .nan), ("abc", .nan), ("1,000", .nan), ("1_000", .nan),
        (".", .nan), ("1e", .nan), ("nan", .nan), ("0x1p3", .nan),
        ([], .nan), ([:], .nan),
    ] as [(ExpressionValue, Double)])
    func numberCoercion(value: ExpressionValue, number: Double) {
        let coerced = value.numberValue
        #expect(coerced == number || (coerced.isNaN && number.isNaN), "\(value) → \(coerced)")
    }
}
