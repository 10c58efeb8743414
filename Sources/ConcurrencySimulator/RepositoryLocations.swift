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

extension Simulator {
    /// The repository holding run `id`, if any.
    public func repositoryKey(ofRun id: RunID) -> RepositoryKey? {
        if let home = homeRepository, repositories[home]?.runs[id] != nil { return home }
        return runLocations[id]
    }

    /// The repository holding job `id`, if any (also while a re-run has taken its id and not
    /// yet made its record).
    public func repositoryKey(ofJob id: JobID) -> RepositoryKey? {
        if let home = homeRepository, repositories[home]?.jobs[id] != nil { return home }
        return jobLocations[id]
    }

    /// Records that a run added to `key` is there; the home repository's own table says so.
    mutating func locate(_ id: RunID, in key: RepositoryKey) {
        if key != homeRepository { runLocations[id] = key }
    }

    /// Records that a job added to `key` is there, or that a re-run there takes its id.
    mutating func locate(_ id: JobID, in key: RepositoryKey) {
        if key != homeRepository { jobLocations[id] = key }
    }
}
