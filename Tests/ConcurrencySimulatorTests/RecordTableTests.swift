@testable import ConcurrencySimulator
import Testing

@Suite struct RecordTableTests {
    private struct Entry: IdentifiedRecord {
        let id: JobID
        var label: String
    }

    private func table(_ ids: [Int]) -> RecordTable<Entry> {
        var table = RecordTable<Entry>()
        for id in ids { table[JobID(id)] = Entry(id: JobID(id), label: "job \(id)") }
        return table
    }

    @Test func theIdTimesTheGoldenRatioScaledToTheBucketCountPicksTheBucket() {
        let eight = table([1])
        #expect(eight.buckets.count == 8)
        #expect((1...8).map { eight.homeBucket(of: JobID($0)) } == [4, 1, 6, 3, 0, 5, 2, 7])
        let ten = table(Array(1...7))
        #expect(ten.buckets.count == 10)
        #expect((1...8).map { ten.homeBucket(of: JobID($0)) } == [6, 2, 8, 4, 0, 7, 3, 9])
    }

    @Test func readsAndWritesAsADictionaryWould() {
        var entries = table([10, 20, 30, 40])
        #expect(entries.count == 4)
        #expect(entries[JobID(30)]?.label == "job 30")
        #expect(entries[JobID(35)] == nil)
        entries[JobID(30)]!.label = "renamed"
        #expect(entries[JobID(30)]?.label == "renamed")
        #expect(entries.count == 4)
        #expect(entries.removeValue(forKey: JobID(20))?.label == "job 20")
        #expect(entries.removeValue(forKey: JobID(20)) == nil)
        #expect(entries.keys.map(\.rawValue) == [10, 40, 30], "the last record takes a removed one's place")
        entries[JobID(10)] = nil
        #expect(entries.keys.map(\.rawValue) == [30, 40])
        #expect(entries[JobID(40)]?.label == "job 40")
        entries.removeValue(forKey: JobID(30))
        entries.removeValue(forKey: JobID(40))
        #expect(entries.isEmpty && entries[JobID(40)] == nil)
    }

    @Test func aRemovalMovesLaterEntriesOfItsClusterBack() {
        // At 8 buckets ids 8, 16 and 21 start at bucket 7 (16 and 21 wrap round to 0 and 1),
        // and id 5 at bucket 0 (it goes on to 2).
        var entries = table([8, 16, 21, 5])
        #expect(entries.buckets == [2, 3, 4, 0, 0, 0, 0, 1])
        entries.removeValue(forKey: JobID(8))
        // 16, 21 and 5 move back one bucket each; 5 moves from the last place to the first.
        #expect(entries.buckets == [3, 1, 0, 0, 0, 0, 0, 2])
        #expect(entries.keys.map(\.rawValue) == [5, 16, 21])
        #expect([5, 16, 21].map { entries[JobID($0)]?.label } == ["job 5", "job 16", "job 21"])
        #expect(entries[JobID(8)] == nil)
    }

    @Test func growsToTwoThirdsFullPastFourFifthsAndReservesAhead() {
        #expect(table(Array(1...6)).buckets.count == 8)
        #expect(table(Array(1...7)).buckets.count == 10)
        #expect(table(Array(1...8)).buckets.count == 10)
        #expect(table(Array(1...9)).buckets.count == 13)
        var reserved = RecordTable<Entry>()
        reserved.reserveCapacity(100)
        #expect(reserved.buckets.count == 150)
        #expect(reserved.isEmpty)
        reserved.reserveCapacity(120)
        #expect(reserved.buckets.count == 150, "120 records fill 150 buckets four-fifths")
    }

    @Test func agreesWithADictionaryOverManyInsertionsAndRemovals() {
        var entries = RecordTable<Entry>()
        var expected: [Int: String] = [:]
        // Ids from 1 to 1,009 in a scrambled order, each step adding, replacing or removing one.
        for step in 1...20_000 {
            let id = step * 7_919 % 1_009 + 1
            if step % 3 == 0 {
                #expect(entries.removeValue(forKey: JobID(id))?.label == expected.removeValue(forKey: id))
            } else {
                entries[JobID(id)] = Entry(id: JobID(id), label: "step \(step)")
                expected[id] = "step \(step)"
            }
        }
        #expect(entries.count == expected.count)
        #expect((1...1_010).allSatisfy { entries[JobID($0)]?.label == expected[$0] })
    }

    @Test func tablesAreEqualWhenTheyHoldTheSameRecordsInAnyOrder() {
        #expect(table([1, 2, 3]) == table([3, 1, 2]))
        #expect(table([1, 2, 3]) != table([1, 2]))
        var renamed = table([1, 2, 3])
        renamed[JobID(2)]!.label = "other"
        #expect(renamed != table([1, 2, 3]))
    }
}
