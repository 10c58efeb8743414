@testable import ConcurrencySimulator
import Testing

/// A run's configured group numbers read the same whether they are held inline (up to three) or
/// in an array, and stay so as numbers are inserted.
@Suite struct GroupNumberListTests {
    @Test(arguments: [[UInt32](), [7], [7, 2], [7, 2, 9], [7, 2, 9, 0], [UInt32.max, 0, 1, 2, 3, 4]])
    func readsBackItsNumbersInOrder(numbers: [UInt32]) {
        let list = GroupNumberList(numbers)
        #expect(Array(list) == numbers && list.count == numbers.count && list.isEmpty == numbers.isEmpty)
        for (index, number) in numbers.enumerated() { #expect(list[index] == number) }
    }

    @Test func insertionsMoveTheListFromInlineToAnArrayAndKeepTheOrder() {
        var list: GroupNumberList = []
        var expected: [UInt32] = []
        for (number, position) in [(5, 0), (1, 0), (9, 2), (3, 1), (7, 4), (0, 0)] as [(UInt32, Int)] {
            list.insert(number, at: position)
            expected.insert(number, at: position)
            #expect(Array(list) == expected)
            #expect(list == GroupNumberList(expected) && list.hashValue == GroupNumberList(expected).hashValue)
        }
        #expect(Array(list) == [0, 1, 3, 5, 9, 7])
    }
}
