/// Which repository holds each run or job, read and written as a dictionary of repository keys
/// would be. A mock holds a few repositories and up to millions of jobs, and a repository key is
/// 32 bytes: each entry holds the 4-byte number of its repository instead.
public struct RepositoryLocations<ID: RecordIdentifier>: Sendable {
    private var numbers = RecordTable<Location>()
    /// Every repository key used, each once, at its number.
    private var repositoryKeys: [RepositoryKey] = []
    private var repositoryNumbers: [RepositoryKey: UInt32] = [:]

    private struct Location: IdentifiedRecord {
        let id: ID
        let repository: UInt32
    }

    public init() {}

    public subscript(id: ID) -> RepositoryKey? {
        get { numbers[id].map { repositoryKeys[Int($0.repository)] } }
        set {
            guard let newValue else {
                numbers.removeValue(forKey: id)
                return
            }
            numbers[id] = Location(id: id, repository: number(of: newValue))
        }
    }

    public var count: Int { numbers.count }
    public var isEmpty: Bool { numbers.isEmpty }

    /// The ids in no promised order.
    public var keys: some Sequence<ID> { numbers.keys }

    @discardableResult
    public mutating func removeValue(forKey id: ID) -> RepositoryKey? {
        numbers.removeValue(forKey: id).map { repositoryKeys[Int($0.repository)] }
    }

    private mutating func number(of key: RepositoryKey) -> UInt32 {
        if let known = repositoryNumbers[key] { return known }
        let number = UInt32(repositoryKeys.count)
        repositoryKeys.append(key)
        repositoryNumbers[key] = number
        return number
    }
}
