/// A run's job ids in declaration order. The planner and fixtures number a run's jobs in order,
/// so the list is held as its first id and its length when the ids are consecutive, and as an
/// array only otherwise: a run of a large state keeps no array of its own (88 bytes for 7 jobs).
public struct JobIDList: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral {
    private enum Storage: Sendable {
        case consecutive(first: JobID, count: UInt32)
        case listed([JobID])
    }

    private let storage: Storage

    public init(_ ids: [JobID]) {
        if let first = ids.first, ids.count <= UInt32.max,
           ids.indices.allSatisfy({ ids[$0].rawValue == first.rawValue &+ $0 }) {
            storage = .consecutive(first: first, count: UInt32(ids.count))
        } else {
            storage = .listed(ids)
        }
    }

    public init(arrayLiteral ids: JobID...) {
        self.init(ids)
    }

    public var startIndex: Int { 0 }

    public var endIndex: Int {
        switch storage {
        case .consecutive(_, let count): Int(count)
        case .listed(let ids): ids.count
        }
    }

    public subscript(position: Int) -> JobID {
        switch storage {
        case .consecutive(let first, let count):
            precondition((0..<Int(count)).contains(position), "index out of range")
            return JobID(first.rawValue &+ position)
        case .listed(let ids):
            return ids[position]
        }
    }

    /// The same ids in the same order, however each list holds them.
    public static func == (lhs: JobIDList, rhs: JobIDList) -> Bool {
        lhs.elementsEqual(rhs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for id in self { hasher.combine(id) }
    }
}
