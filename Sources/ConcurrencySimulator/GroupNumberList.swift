/// A run's configured groups as the repository's group numbers, sorted by key, each once. Up to
/// three are held inline, which is most runs: a run of a large state keeps no array of its own
/// (an allocation of 48 bytes or more, for a run per three queued items).
public struct GroupNumberList: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral {
    private enum Storage: Hashable, Sendable {
        case inline(UInt32, UInt32, UInt32, count: UInt8)
        case listed([UInt32])
    }

    private static let inlineCapacity = 3
    private var storage: Storage

    public init(_ numbers: [UInt32]) {
        switch numbers.count {
        case 0: storage = .inline(0, 0, 0, count: 0)
        case 1: storage = .inline(numbers[0], 0, 0, count: 1)
        case 2: storage = .inline(numbers[0], numbers[1], 0, count: 2)
        case Self.inlineCapacity: storage = .inline(numbers[0], numbers[1], numbers[2], count: 3)
        default: storage = .listed(numbers)
        }
    }

    public init(arrayLiteral numbers: UInt32...) {
        self.init(numbers)
    }

    public var startIndex: Int { 0 }

    public var endIndex: Int {
        switch storage {
        case .inline(_, _, _, let count): Int(count)
        case .listed(let numbers): numbers.count
        }
    }

    public subscript(position: Int) -> UInt32 {
        switch storage {
        case .inline(let first, let second, let third, let count):
            precondition((0..<Int(count)).contains(position), "index out of range")
            return position == 0 ? first : position == 1 ? second : third
        case .listed(let numbers):
            return numbers[position]
        }
    }

    mutating func insert(_ number: UInt32, at position: Int) {
        var numbers = Array(self)
        numbers.insert(number, at: position)
        self = GroupNumberList(numbers)
    }
}
