import ConcurrencySimulator
import Testing

/// A run's job list reads the same whether its ids are consecutive (held as a range) or not
/// (held as an array).
@Suite struct JobIDListTests {
    private func ids(_ raw: [Int]) -> [JobID] { raw.map(JobID.init) }

    @Test(arguments: [
        [Int](), [7], [7, 8, 9], [58_000_000_001, 58_000_000_002], [Simulator.largestIdentifier - 1, Simulator.largestIdentifier],
        [9, 8, 7], [1, 3, 4], [5, 5], [1_000, 1_001, 1_003],
    ])
    func readsBackItsIdsInOrder(raw: [Int]) {
        let list = JobIDList(ids(raw))
        #expect(Array(list) == ids(raw))
        #expect(list.count == raw.count && list.isEmpty == raw.isEmpty)
        for (index, id) in raw.enumerated() { #expect(list[index] == JobID(id)) }
        #expect(list.contains(JobID(2)) == raw.contains(2))
    }

    @Test func listsOfTheSameIdsAreEqualAndHashAlikeHoweverTheyAreHeld() {
        let consecutive = JobIDList(ids([4, 5, 6]))
        let literal: JobIDList = [JobID(4), JobID(5), JobID(6)]
        let renumbered = JobIDList(ids([4, 9, 6]).map { $0 == JobID(9) ? JobID(5) : $0 })
        #expect(consecutive == literal && consecutive == renumbered)
        #expect(Set([consecutive, literal, renumbered]).count == 1)
        #expect(consecutive != JobIDList(ids([4, 5])) && consecutive != JobIDList(ids([4, 6, 5])))
        #expect(JobIDList([]) == [])
    }
}
