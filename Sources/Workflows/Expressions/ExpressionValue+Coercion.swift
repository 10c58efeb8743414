extension ExpressionValue {
    /// GitHub's coercion to boolean: `null`, `false`, `0`, `-0`, `NaN` and `''` are false;
    /// every other value, including empty arrays and objects, is true.
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let value): return value
        case .number(let value): return !(value == 0 || value.isNaN)
        case .string(let value): return !value.isEmpty
        case .array, .object: return true
        }
    }

    /// GitHub's coercion to string, used by interpolation, `format`, `join` and the string functions:
    /// `null` → `""`, booleans → `"true"`/`"false"`, numbers in .NET's `G15` form (`1`, `1.5`,
    /// `123456789012345`, `1E+15`, `NaN`, `Infinity`; `-0` → `"0"`), arrays → `"Array"`,
    /// objects → `"Object"`.
    public var stringValue: String {
        switch self {
        case .null: return ""
        case .bool(let value): return value ? "true" : "false"
        case .number(let value): return NumberText.format(value)
        case .string(let value): return value
        case .array: return "Array"
        case .object: return "Object"
        }
    }

    /// GitHub's coercion to number, used when comparing values of different kinds and for array
    /// indexes: `null` → 0, booleans → 1/0, strings parsed like JavaScript's `Number()` (trimmed,
    /// `""` → 0, `0x`/`0o` prefixes, anything unparsable → NaN), arrays and objects → NaN.
    public var numberValue: Double {
        switch self {
        case .null: return 0
        case .bool(let value): return value ? 1 : 0
        case .number(let value): return value
        case .string(let value): return NumberText.parse(value)
        case .array, .object: return .nan
        }
    }

    /// Null, booleans, numbers and strings: the values GitHub converts freely.
    var isPrimitive: Bool {
        switch self {
        case .null, .bool, .number, .string: return true
        case .array, .object: return false
        }
    }

    /// The kind's name as GitHub spells it in messages (`String`, `Array`, ...).
    var kindName: String {
        switch self {
        case .null: return "Null"
        case .bool: return "Boolean"
        case .number: return "Number"
        case .string: return "String"
        case .array: return "Array"
        case .object: return "Object"
        }
    }

    /// The value stored under `key` in an object, matching keys ignoring case (the first match
    /// wins when keys differ only in case); nil when absent or when `self` is not an object.
    func member(_ key: String) -> ExpressionValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first(where: { OrdinalIgnoreCase.equal($0.key, key) })?.value
    }
}
