import Testing
import Workflows

@Suite struct ExpressionValueTests {
    @Test func objectsCompareKeysInOrder() {
        #expect(ExpressionValue.object([("a", .number(1))]) == .object([("a", .number(1))]))
        #expect(ExpressionValue.object([("a", .number(1))]) != .object([("b", .number(1))]))
    }
}
