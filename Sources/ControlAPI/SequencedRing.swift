/// The last `capacity` elements appended, numbered in order from 1; appending past the capacity
/// drops the oldest. Both journals keep their entries in one.
public struct SequencedRing<Element: Sendable>: Sendable {
    public let capacity: Int
    private var storage: [Element] = []
    /// Index in `storage` of the oldest element once the ring is full.
    private var head = 0
    /// The number the next element gets. Emptying the ring does not reset it.
    public private(set) var nextSequenceNumber = 1

    public init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    public var count: Int { storage.count }

    /// The oldest number still kept (`nextSequenceNumber` when nothing is).
    public var oldestSequenceNumber: Int { nextSequenceNumber - storage.count }

    /// Keeps the element; answers the number it got.
    @discardableResult
    public mutating func append(_ element: Element) -> Int {
        let number = nextSequenceNumber
        nextSequenceNumber += 1
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
        }
        return number
    }

    /// The kept elements numbered after `sequenceNumber`, oldest first, with their numbers.
    public func elements(after sequenceNumber: Int) -> [(sequenceNumber: Int, element: Element)] {
        let skip = max(0, min(storage.count, sequenceNumber - oldestSequenceNumber + 1))
        var result: [(sequenceNumber: Int, element: Element)] = []
        result.reserveCapacity(storage.count - skip)
        for offset in skip..<storage.count {
            result.append((oldestSequenceNumber + offset, storage[(head + offset) % storage.count]))
        }
        return result
    }

    public mutating func removeAll() {
        storage.removeAll()
        head = 0
    }
}
