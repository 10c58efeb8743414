/// GitHub's comparison operators, modelled on JavaScript's abstract equality: when the kinds
/// differ, a boolean or null becomes a number, and then a string compared with a number becomes a
/// number too. Strings compare ordinally ignoring case; NaN is unequal to everything and neither
/// less nor greater. Arrays and objects are never equal (GitHub compares them by instance, which
/// values here do not have) and never ordered.
enum LooseComparison {
    static func evaluate(_ op: ComparisonOperator, _ left: ExpressionValue, _ right: ExpressionValue) -> Bool {
        switch op {
        case .equal: return equal(left, right)
        case .notEqual: return !equal(left, right)
        case .less: return order(left, right) == .less
        case .lessOrEqual: return equal(left, right) || order(left, right) == .less
        case .greater: return order(left, right) == .greater
        case .greaterOrEqual: return equal(left, right) || order(left, right) == .greater
        }
    }

    static func equal(_ left: ExpressionValue, _ right: ExpressionValue) -> Bool {
        switch coerced(left, right) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return OrdinalIgnoreCase.equal(a, b)
        default: return false
        }
    }

    private enum Order { case less, greater, neither }

    private static func order(_ left: ExpressionValue, _ right: ExpressionValue) -> Order {
        switch coerced(left, right) {
        case (.bool(let a), .bool(let b)):
            return a == b ? .neither : (b ? .less : .greater)
        case (.number(let a), .number(let b)):
            return a < b ? .less : (a > b ? .greater : .neither)
        case (.string(let a), .string(let b)):
            let comparison = OrdinalIgnoreCase.compare(a, b)
            return comparison < 0 ? .less : (comparison > 0 ? .greater : .neither)
        default:
            return .neither
        }
    }

    /// Brings both sides to one kind where GitHub does; pairs it cannot reconcile (an array and a
    /// string, say) keep their kinds and so compare false.
    private static func coerced(
        _ left: ExpressionValue, _ right: ExpressionValue
    ) -> (ExpressionValue, ExpressionValue) {
        switch (left, right) {
        case (.null, .null), (.bool, .bool), (.number, .number), (.string, .string),
             (.array, .array), (.object, .object):
            return (left, right)
        case (.number, .string):
            return (left, .number(right.numberValue))
        case (.string, .number):
            return (.number(left.numberValue), right)
        case (.bool, _), (.null, _):
            return coerced(.number(left.numberValue), right)
        case (_, .bool), (_, .null):
            return coerced(left, .number(right.numberValue))
        default:
            return (left, right)
        }
    }
}
