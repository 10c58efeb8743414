import SourceDocuments
import StateDocuments
import Glibc
import Synchronization
import Testing

/// Loading runs on a thread of its own (`onThreadOfItsOwn`) and gives back what it would give on
/// the caller's: the value, or the very error.
@Suite struct LoadingThreadTests {
    @Test func aLoadedStateComesBack() throws {
        let state = try onThreadOfItsOwn { () throws(SourceError) in
            try FixtureLoader.load("now: \"2026-01-15T16:15:00Z\"\nrepositories: []\n", file: "t.yml")
        }
        #expect(state.simulator.now.description == "2026-01-15T16:15:00Z")
        #expect(state.simulator.repositories.isEmpty)
    }

    @Test func aRefusedDocumentThrowsItsOwnError() {
        #expect(throws: SourceError.self) {
            try onThreadOfItsOwn { () throws(SourceError) in try FixtureLoader.load("repositories: []\n", file: "t.yml") }
        }
        do {
            _ = try onThreadOfItsOwn { () throws(SourceError) in try FixtureLoader.load("repositories: []\n", file: "t.yml") }
        } catch {
            #expect(error.description == "t.yml:1:1: the fixture is missing 'now'")
        }
    }
}

/// `forEachReadAhead` uses what another thread reads as if it had read each element itself:
/// every result in order, and the first error in the order of the elements.
@Suite struct ReadAheadTests {
    struct Refused: Error, Equatable {
        let element: Int
    }

    /// What `use` was given, and the error the call threw.
    private func readAhead(
        _ count: Int, refusingRead: Set<Int> = [], refusingUse: Set<Int> = []
    ) -> (used: [Int], error: Refused?) {
        var used: [Int] = []
        do throws(Refused) {
            try forEachReadAhead(Array(0..<count), makeReader: {
                { element throws(Refused) in
                    if refusingRead.contains(element) { throw Refused(element: element) }
                    return element * 2
                }
            }) { read throws(Refused) in
                if refusingUse.contains(read / 2) { throw Refused(element: read / 2) }
                used.append(read)
            }
        } catch {
            return (used, error)
        }
        return (used, nil)
    }

    @Test func everyResultIsUsedInOrder() {
        let ahead = readAhead(1_000)
        #expect(ahead.used == (0..<1_000).map { $0 * 2 })
        #expect(ahead.error == nil)
        #expect(readAhead(5).used == [0, 2, 4, 6, 8], "a short list is read on the calling thread")
    }

    /// Reading is slow here, so the using thread reads the batches it would wait for: both threads
    /// read, each with the reader it made, each element once, and every result is used in order.
    @Test func theUsingThreadReadsRatherThanWaitsWithAReaderOfItsOwn() throws {
        let readers = Mutex<[Int]>([])
        var used: [Int] = []
        var readBy: Set<Int> = []
        try forEachReadAhead(Array(0..<2_000), makeReader: {
            let reader = readers.withLock { made in
                made.append(made.count)
                return made.count - 1
            }
            return { (element: Int) throws(Refused) -> (element: Int, reader: Int) in
                usleep(50)
                return (element, reader)
            }
        }) { (read: (element: Int, reader: Int)) throws(Refused) in
            used.append(read.element)
            readBy.insert(read.reader)
        }
        #expect(used == Array(0..<2_000))
        #expect(readers.withLock { $0 } == [0, 1])
        #expect(readBy == [0, 1])
    }

    /// The thread of its own is slow here (each of its batches takes 50 ms); meanwhile the using
    /// thread reads no more than a few batches past what it used (64 elements a batch, 32 batches
    /// waiting at most, and the two being read), so a slow batch cannot make a load hold the
    /// rest of the document's readings.
    @Test func aSlowBatchDoesNotLetTheUsingThreadReadFarAhead() throws {
        let caller = pthread_self()
        let outstanding = Mutex((now: 0, most: 0))
        try forEachReadAhead(Array(0..<8_000), makeReader: {
            { (element: Int) throws(Refused) -> Int in
                if element % 64 == 0, pthread_equal(pthread_self(), caller) == 0 { usleep(50_000) }
                outstanding.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                return element
            }
        }) { (_: Int) throws(Refused) in
            outstanding.withLock { $0.now -= 1 }
        }
        #expect(outstanding.withLock { $0.now } == 0)
        #expect(outstanding.withLock { $0.most } <= 34 * 64)
    }

    @Test func theFirstRefusalInOrderIsThrownAndNothingAfterItIsUsed() {
        let reading = readAhead(1_000, refusingRead: [300, 700])
        #expect(reading.error == Refused(element: 300))
        #expect(reading.used == (0..<300).map { $0 * 2 })
        // A use refused before a read refused further on: the use's refusal, as one thread would.
        let using = readAhead(1_000, refusingRead: [700], refusingUse: [100])
        #expect(using.error == Refused(element: 100))
        #expect(using.used == (0..<100).map { $0 * 2 })
    }
}

/// `mapOnTwoThreads` answers what `map` would: every result in order, or the first error in the
/// order of the elements, whichever half of the list it falls in.
@Suite struct TwoThreadMapTests {
    struct Refused: Error, Equatable {
        let element: Int
    }

    private func mapped(_ count: Int, refusing: Set<Int> = []) -> Result<[Int], Refused> {
        Result { () throws(Refused) -> [Int] in
            try mapOnTwoThreads(Array(0..<count)) { element throws(Refused) in
                if refusing.contains(element) { throw Refused(element: element) }
                return element * 3
            }
        }
    }

    @Test func everyResultInOrder() throws {
        #expect(try mapped(1_000).get() == (0..<1_000).map { $0 * 3 })
        #expect(try mapped(5).get() == [0, 3, 6, 9, 12], "a short list is mapped on the calling thread")
        #expect(try mapped(0).get() == [])
    }

    @Test func theFirstRefusalInOrderIsThrown() {
        #expect(mapped(1_000, refusing: [200, 900]) == .failure(Refused(element: 200)), "both in the first half")
        #expect(mapped(1_000, refusing: [400, 600]) == .failure(Refused(element: 400)), "one in each half")
        #expect(mapped(1_000, refusing: [999]) == .failure(Refused(element: 999)), "in the second half only")
    }
}

/// `atOnce` answers both results, `there`'s made on another thread while `here` ran.
@Suite struct AtOnceTests {
    @Test func bothResultsComeBackFromTwoThreads() {
        let (here, there) = atOnce({ (pthread_self(), 1 + 1) }, { (pthread_self(), "two") })
        #expect(here.1 == 2)
        #expect(there.1 == "two")
        #expect(pthread_equal(here.0, pthread_self()) != 0)
        #expect(pthread_equal(there.0, pthread_self()) == 0)
    }
}
