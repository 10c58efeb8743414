/// A repository's jobs by id, read and written as a dictionary of them would be.
///
/// The jobs sit side by side in an array; only the index from id to place is a hash table. A
/// hash table of whole jobs keeps a job's bytes in every bucket, used or not, and is at most
/// three-quarters full (at 233,331 jobs, 524,288 buckets of 168 bytes); the index's buckets hold
/// 16 bytes.
public struct JobTable: Equatable, Sendable {
    private var places: [JobID: Int] = [:]
    private var storage: [Job] = []

    public init() {}

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    /// The jobs in no promised order.
    public var values: [Job] { storage }
    /// The ids in no promised order.
    public var keys: LazyMapSequence<[Job], JobID> { storage.lazy.map(\.id) }

    public subscript(id: JobID) -> Job? {
        get { places[id].map { storage[$0] } }
        set {
            guard let newValue else {
                removeValue(forKey: id)
                return
            }
            precondition(newValue.id == id, "a job is stored under its own id")
            if let place = places[id] {
                storage[place] = newValue
            } else {
                places[id] = storage.count
                storage.append(newValue)
            }
        }
    }

    /// Removes a job in O(1): the last job takes its place.
    @discardableResult
    public mutating func removeValue(forKey id: JobID) -> Job? {
        guard let place = places.removeValue(forKey: id) else { return nil }
        let last = storage.removeLast()
        guard place < storage.count else { return last }
        let removed = storage[place]
        storage[place] = last
        places[last.id] = place
        return removed
    }

    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        places.reserveCapacity(minimumCapacity)
        storage.reserveCapacity(minimumCapacity)
    }

    /// The same jobs under the same ids, in whatever order they are stored.
    public static func == (lhs: JobTable, rhs: JobTable) -> Bool {
        lhs.count == rhs.count && lhs.storage.allSatisfy { rhs[$0.id] == $0 }
    }
}
