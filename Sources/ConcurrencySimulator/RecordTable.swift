/// An id the mock hands out by the million, a positive whole number: what `RecordTable` hashes.
public protocol RecordIdentifier: Hashable, Sendable {
    var rawValue: Int { get }
}

extension RunID: RecordIdentifier {}
extension JobID: RecordIdentifier {}

/// A value stored in a `RecordTable`, under the id it carries.
public protocol IdentifiedRecord: Equatable, Sendable {
    associatedtype ID: RecordIdentifier
    var id: ID { get }
}

extension Job: IdentifiedRecord {}
extension WorkflowRun: IdentifiedRecord {}

/// A repository's jobs or runs by id.
public typealias JobTable = RecordTable<Job>
public typealias RunTable = RecordTable<WorkflowRun>

/// Records by their id, read and written as a dictionary of them would be.
///
/// The records sit side by side in an array; the index from id to place is an open-addressed
/// hash table of 4-byte places (linear probing), probed from a multiplicative hash of the id.
/// It is rebuilt two-thirds full when an insertion would make it more than four-fifths full:
/// between 5 and 6 bytes of index a record, where a power-of-two table at most three-quarters
/// full averaged 7 (a large state holds 2.3 jobs per queued item). A Swift dictionary keyed by the id hashes each id with
/// SipHash, which was a fifth of loading a large fixture, and keeps the id and the place in every
/// bucket (16 bytes); a dictionary of whole records keeps a record's bytes in every bucket, used
/// or not.
public struct RecordTable<Record: IdentifiedRecord>: Sendable {
    @usableFromInline var storage: [Record] = []
    /// `place + 1` of a record, or 0 for an empty bucket; always at least one empty one.
    @usableFromInline var buckets: [UInt32] = []

    public init() {}

    @inlinable public var count: Int { storage.count }
    @inlinable public var isEmpty: Bool { storage.isEmpty }
    /// The records in the order they were added, except that a removal moves the last record
    /// into the removed one's place.
    @inlinable public var values: [Record] { storage }
    /// The ids in the order of `values`.
    @inlinable public var keys: LazyMapSequence<[Record], Record.ID> { storage.lazy.map(\.id) }

    @inlinable public subscript(id: Record.ID) -> Record? {
        get { place(of: id).map { storage[$0] } }
        set {
            guard let newValue else {
                removeValue(forKey: id)
                return
            }
            precondition(newValue.id == id, "a record is stored under its own id")
            if let place = place(of: id) {
                storage[place] = newValue
            } else {
                insert(newValue)
            }
        }
    }

    /// Changes the record with this id where it is stored (a read and a write through the
    /// subscript copy it out and back); does nothing when there is none.
    @inlinable public mutating func update(_ id: Record.ID, _ change: (inout Record) -> Void) {
        guard let place = place(of: id) else { return }
        change(&storage[place])
    }

    /// Removes a record in O(1): the last record takes its place.
    @discardableResult
    public mutating func removeValue(forKey id: Record.ID) -> Record? {
        guard let bucket = bucket(of: id) else { return nil }
        let place = Int(buckets[bucket]) - 1
        vacate(bucket)
        let last = storage.removeLast()
        guard place < storage.count else { return last }
        let removed = storage[place]
        storage[place] = last
        var moved = homeBucket(of: last.id)
        while buckets[moved] != UInt32(storage.count + 1) { moved = self.bucket(after: moved) }
        buckets[moved] = UInt32(place + 1)
        return removed
    }

    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        storage.reserveCapacity(minimumCapacity)
        if minimumCapacity > Self.largestLoad(of: buckets.count) { rebuildIndex(minimumCapacity: minimumCapacity) }
    }

    /// The bucket a hash of `id` points at: the id times 2^64 divided by the golden ratio, which
    /// spreads consecutive and evenly spaced ids alike, scaled to the bucket count (the high
    /// word of its product with the count, as the count is no power of two).
    @inlinable func homeBucket(of id: Record.ID) -> Int {
        let hash = UInt64(truncatingIfNeeded: id.rawValue) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(buckets.count)).high)
    }

    /// The next bucket along a probe sequence, going round the end.
    @inlinable func bucket(after bucket: Int) -> Int {
        bucket + 1 == buckets.count ? 0 : bucket + 1
    }

    /// Where the record with this id is in `values`.
    @inlinable func place(of id: Record.ID) -> Int? {
        bucket(of: id).map { Int(buckets[$0]) - 1 }
    }

    /// The bucket holding `id`'s place, found along its probe sequence: up to the first empty bucket.
    @inlinable func bucket(of id: Record.ID) -> Int? {
        guard !buckets.isEmpty else { return nil }
        var bucket = homeBucket(of: id)
        while true {
            let entry = buckets[bucket]
            if entry == 0 { return nil }
            if storage[Int(entry) - 1].id == id { return bucket }
            bucket = self.bucket(after: bucket)
        }
    }

    @usableFromInline mutating func insert(_ record: Record) {
        if storage.count + 1 > Self.largestLoad(of: buckets.count) { rebuildIndex(minimumCapacity: storage.count + 1) }
        storage.append(record)
        index(place: storage.count - 1)
    }

    /// Empties a bucket, moving back each later entry of its cluster whose probe sequence passes
    /// the hole (backward-shift deletion), so that lookups still stop at the first empty bucket.
    private mutating func vacate(_ bucket: Int) {
        var hole = bucket
        var next = self.bucket(after: bucket)
        while buckets[next] != 0 {
            let home = homeBucket(of: storage[Int(buckets[next]) - 1].id)
            // The hole lies between the entry's home and where it sits, going round the end.
            if distance(from: home, to: next) >= distance(from: hole, to: next) {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = self.bucket(after: next)
        }
        buckets[hole] = 0
    }

    private mutating func index(place: Int) {
        var bucket = homeBucket(of: storage[place].id)
        while buckets[bucket] != 0 { bucket = self.bucket(after: bucket) }
        buckets[bucket] = UInt32(place + 1)
    }

    /// How many steps along the probe sequence lead from `start` to `end`.
    private func distance(from start: Int, to end: Int) -> Int {
        end >= start ? end - start : end + buckets.count - start
    }

    private mutating func rebuildIndex(minimumCapacity: Int) {
        buckets = Array(repeating: 0, count: Self.bucketCount(for: minimumCapacity))
        for place in storage.indices { index(place: place) }
    }

    /// The buckets that hold `records` two-thirds full (8 at least).
    private static func bucketCount(for records: Int) -> Int {
        max(8, records + records / 2)
    }

    /// The most records `bucketCount` buckets index: four-fifths of them, so that a lookup of a
    /// missing id meets an empty bucket within a few probes.
    private static func largestLoad(of bucketCount: Int) -> Int {
        bucketCount * 4 / 5
    }
}

extension RecordTable: Equatable {
    /// The same records under the same ids, in whatever order they are stored.
    public static func == (lhs: RecordTable, rhs: RecordTable) -> Bool {
        lhs.count == rhs.count && lhs.storage.allSatisfy { rhs[$0.id] == $0 }
    }
}
