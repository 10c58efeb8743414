/// The whole mocked world: repositories, their runs and their concurrency groups, and a clock.
///
/// A value type: every mutating method either applies completely or throws and leaves the
/// simulator unchanged, because it validates before it writes.
public struct Simulator: Sendable {
    public private(set) var repositories: [RepositoryKey: Repository] = [:]
    /// Which repository holds each run; run ids are unique across the mock.
    public private(set) var runLocations: [RunID: RepositoryKey] = [:]
    /// Which repository holds each job; job ids are unique across the mock.
    public private(set) var jobLocations: [JobID: RepositoryKey] = [:]
    /// The simulator's notion of now; lease times come from it.
    public var now: Timestamp

    public init(now: Timestamp) {
        self.now = now
    }

    /// The repository with this owner and name, compared case-insensitively.
    public func repository(owner: String, name: String) -> Repository? {
        repositories[RepositoryKey(owner: owner, name: name)]
    }

    /// The repositories in a stable order (by folded owner, then name).
    public var sortedRepositories: [Repository] {
        repositories.values.sorted { ($0.key.owner, $0.key.name) < ($1.key.owner, $1.key.name) }
    }

    // MARK: - Building

    public mutating func addRepository(owner: String, name: String, visibility: Visibility) throws(SimulatorError) {
        guard !owner.isEmpty, !name.isEmpty else {
            throw SimulatorError("a repository needs a non-empty owner and name")
        }
        let repository = Repository(owner: owner, name: name, visibility: visibility)
        if let existing = repositories[repository.key] {
            throw SimulatorError("repository \(existing.owner)/\(existing.name) is declared twice")
        }
        repositories[repository.key] = repository
    }

    /// A job to add with its run.
    public struct JobSpec: Hashable, Sendable {
        public let id: JobID
        public let name: String
        /// The enclosing `uses:` job, declared earlier in the same run.
        public let parent: JobID?
        public let callsReusableWorkflow: Bool

        public init(id: JobID, name: String, parent: JobID? = nil, callsReusableWorkflow: Bool = false) {
            self.id = id
            self.name = name
            self.parent = parent
            self.callsReusableWorkflow = callsReusableWorkflow
        }
    }

    public mutating func addRun(
        in repositoryKey: RepositoryKey, id: RunID, name: String, jobs: [JobSpec], configuredGroups: [String]
    ) throws(SimulatorError) {
        guard var repository = repositories[repositoryKey] else {
            throw SimulatorError("repository \(repositoryKey) does not exist")
        }
        guard id.rawValue >= 1 else { throw SimulatorError("run id \(id) must be at least 1") }
        if runLocations[id] != nil { throw SimulatorError("run \(id) is declared twice") }
        var records: [JobID: Job] = [:]
        for (index, spec) in jobs.enumerated() {
            guard spec.id.rawValue >= 1 else {
                throw SimulatorError("job id \(spec.id) must be at least 1", subject: .job(index: index))
            }
            if jobLocations[spec.id] != nil || records[spec.id] != nil {
                throw SimulatorError("job \(spec.id) is declared twice", subject: .job(index: index))
            }
            if let parent = spec.parent {
                guard let parentRecord = records[parent], parentRecord.callsReusableWorkflow else {
                    throw SimulatorError(
                        "job \(spec.id)'s parent \(parent) is not a uses: job declared before it in run \(id)",
                        subject: .job(index: index))
                }
            }
            records[spec.id] = Job(
                id: spec.id, run: id, name: spec.name, parent: spec.parent,
                callsReusableWorkflow: spec.callsReusableWorkflow)
        }
        for (index, groupName) in configuredGroups.enumerated() where groupName.isEmpty {
            throw SimulatorError("a concurrency group name cannot be empty", subject: .configuredGroup(index: index))
        }
        let keys = configuredGroups.map { repository.rememberName($0) }
        repository.runs[id] = WorkflowRun(id: id, name: name, jobs: jobs.map(\.id), configuredGroups: keys)
        repository.jobs.merge(records) { existing, _ in existing }
        repositories[repositoryKey] = repository
        runLocations[id] = repositoryKey
        for job in records.keys { jobLocations[job] = repositoryKey }
    }

    /// Puts a group's whole queue in place, as a fixture describes it. The group must not be active.
    ///
    /// Checks that each item names a run and job of this repository with a matching kind, that
    /// waiting times never decrease (FIFO), that only position 0 has an acquisition time, and that
    /// no item waits inside a lease its own run holds or awaits on the same group (a deadlock
    /// GitHub cancels).
    public mutating func restoreQueue(
        in repositoryKey: RepositoryKey, groupName: String, items: [QueueItem]
    ) throws(SimulatorError) {
        guard var repository = repositories[repositoryKey] else {
            throw SimulatorError("repository \(repositoryKey) does not exist")
        }
        guard !groupName.isEmpty else { throw SimulatorError("a concurrency group name cannot be empty") }
        let key = GroupKey(groupName)
        if let existing = repository.groups[key] {
            throw SimulatorError("concurrency group '\(groupName)' is declared twice (also as '\(existing.name)'; names are case-insensitive)")
        }
        guard !items.isEmpty else {
            throw SimulatorError("concurrency group '\(groupName)' has an empty queue; an inactive group is simply left out")
        }
        guard items.count <= maximumQueueLength else {
            throw SimulatorError(
                "concurrency group '\(groupName)' has \(items.count) items; a queue holds at most \(maximumQueueLength) (one holder and 100 pending)")
        }
        for (index, item) in items.enumerated() {
            try Self.validate(item, at: index, previous: index > 0 ? items[index - 1] : nil, in: repository, now: now)
        }
        _ = repository.rememberName(groupName)
        var group = ConcurrencyGroup(key: key, name: repository.displayName(of: key), queue: [])
        for (index, item) in items.enumerated() {
            if let earlier = repository.positionOfEnclosingItem(for: item, in: group) {
                throw SimulatorError(
                    "run \(item.run) waits on concurrency group '\(groupName)' inside its own lease at position \(earlier): GitHub cancels such a run as a deadlock",
                    subject: .queueItem(index: index))
            }
            group.queue.append(item)
        }
        repository.activate(group)
        for run in Set(items.map(\.run)) {
            repository.runs[run]?.include(key)
        }
        repositories[repositoryKey] = repository
    }

    private static func validate(
        _ item: QueueItem, at index: Int, previous: QueueItem?, in repository: Repository, now: Timestamp
    ) throws(SimulatorError) {
        func fail(_ message: String) -> SimulatorError { SimulatorError(message, subject: .queueItem(index: index)) }
        guard repository.runs[item.run] != nil else {
            throw fail("run \(item.run) is not a run of \(repository.owner)/\(repository.name)")
        }
        switch (item.kind, item.job) {
        case (.workflow, nil):
            break
        case (.workflow, .some):
            throw fail("a workflow-level item has no job; use kind job or reusable_workflow")
        case (.job, nil), (.reusableWorkflow, nil):
            throw fail("a \(item.kind.rawValue) item needs a job")
        case (.job, .some(let job)), (.reusableWorkflow, .some(let job)):
            guard let record = repository.jobs[job], record.run == item.run else {
                throw fail("job \(job) is not a job of run \(item.run)")
            }
            if item.kind == .reusableWorkflow, !record.callsReusableWorkflow {
                throw fail("a reusable_workflow item is tied to a uses: job, and job \(job) calls no reusable workflow")
            }
        }
        if let previous, item.waitingSince < previous.waitingSince {
            throw fail("the queue is FIFO: this item started waiting at \(item.waitingSince), before the item ahead of it (\(previous.waitingSince))")
        }
        if let acquiredAt = item.acquiredAt {
            guard index == 0 else { throw fail("only the item at position 0 holds the lease and has an acquisition time") }
            guard acquiredAt >= item.waitingSince else {
                throw fail("the lease was acquired at \(acquiredAt), before the item started waiting at \(item.waitingSince)")
            }
            guard acquiredAt <= now else { throw fail("the lease was acquired at \(acquiredAt), after the clock's now (\(now))") }
        }
        guard item.waitingSince <= now else {
            throw fail("the item started waiting at \(item.waitingSince), after the clock's now (\(now))")
        }
    }

    // MARK: - Leases

    /// Appends an item to a group's queue, waiting from now. In an empty (inactive) group the item
    /// acquires the lease at once. Answers the item's position.
    @discardableResult
    public mutating func requestLease(
        in repositoryKey: RepositoryKey, groupName: String, run: RunID, job: JobID?, kind: LeaseKind
    ) throws(SimulatorError) -> Int {
        guard var repository = repositories[repositoryKey] else {
            throw SimulatorError("repository \(repositoryKey) does not exist")
        }
        guard !groupName.isEmpty else { throw SimulatorError("a concurrency group name cannot be empty") }
        let key = GroupKey(groupName)
        var group = repository.groups[key]
            ?? ConcurrencyGroup(key: key, name: repository.groupNames[key] ?? groupName, queue: [])
        var item = QueueItem(run: run, job: job, kind: kind, waitingSince: now)
        try Self.validate(item, at: group.queue.count, previous: group.queue.last, in: repository, now: now)
        guard group.queue.count < maximumQueueLength else {
            throw SimulatorError("concurrency group '\(group.name)' already holds \(maximumQueueLength) items")
        }
        if let earlier = repository.positionOfEnclosingItem(for: item, in: group) {
            throw SimulatorError(
                "run \(run) already holds or waits on concurrency group '\(group.name)' at position \(earlier), around this request")
        }
        if group.queue.isEmpty { item.acquiredAt = now }
        _ = repository.rememberName(groupName)
        group.queue.append(item)
        if group.queue.count == 1 { repository.activate(group) } else { repository.groups[key] = group }
        repository.runs[run]?.include(key)
        repositories[repositoryKey] = repository
        return group.queue.count - 1
    }

    /// Removes an item from its group. When it held the lease, the next item in FIFO order
    /// acquires it now; when it was the last item, the group becomes inactive.
    public mutating func releaseLease(
        in repositoryKey: RepositoryKey, groupName: String, item: QueueItem
    ) throws(SimulatorError) {
        guard var repository = repositories[repositoryKey] else {
            throw SimulatorError("repository \(repositoryKey) does not exist")
        }
        let key = GroupKey(groupName)
        guard var group = repository.groups[key],
              let index = group.queue.firstIndex(where: { $0.run == item.run && $0.job == item.job && $0.kind == item.kind })
        else {
            throw SimulatorError("concurrency group '\(groupName)' has no such item")
        }
        group.queue.remove(at: index)
        if group.queue.isEmpty {
            repository.deactivate(key)
        } else {
            if index == 0 { group.queue[0].acquiredAt = now }
            repository.groups[key] = group
        }
        repositories[repositoryKey] = repository
    }
}

extension WorkflowRun {
    mutating func include(_ key: GroupKey) {
        let index = Repository.insertionPoint(of: key, in: configuredGroups)
        if index == configuredGroups.count || configuredGroups[index] != key {
            configuredGroups.insert(key, at: index)
        }
    }
}
