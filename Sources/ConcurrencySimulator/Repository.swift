/// One repository's runs, jobs and concurrency groups.
///
/// Invariants:
/// - `activeGroupKeys` holds the keys of the groups with a non-empty queue (the active ones),
///   sorted ascending, without duplicates; `queues`, `groupKeysInOrder` and `groupNamesInOrder`
///   hold one entry per group number, and `groupNumbers` numbers each key once.
/// - every active group has at most `maximumQueueLength` items;
/// - every item refers to a run in `runs`, and its job (if any) to a job of that run's current attempt;
/// - every job record belongs to one attempt of its run and is listed by it (`Attempts.swift`);
/// - every run lists in its configured groups each group in which it has an item, by the
///   group's number (`groupKeysInOrder`), sorted by key.
/// - `completionOrder` lists exactly the completed runs, each once, at most the simulator's
///   `retainedCompletedRuns` of them.
public struct Repository: Sendable {
    public let key: RepositoryKey
    /// The owner as first spelled; URLs use it.
    public let owner: String
    /// The name as first spelled; URLs use it.
    public let name: String
    public var visibility: Visibility

    public internal(set) var runs = RunTable()
    public internal(set) var jobs = JobTable()
    /// The keys of the active groups (`group(_:)`), ascending: the order both list endpoints
    /// page through.
    public internal(set) var activeGroupKeys: [GroupKey] = []
    /// The queue of each group number, empty while the group is inactive: 16 bytes a group
    /// seen, where a dictionary of active groups kept 64 in each of up to 2.7 buckets a group.
    private(set) var queues: [GroupQueue] = []
    /// The number of every group key the repository has seen, active or not: its place in
    /// `groupKeysInOrder` and `groupNamesInOrder`. A run keeps its configured groups as these
    /// numbers (4 bytes where a key is 16).
    private(set) var groupNumbers: [GroupKey: UInt32] = [:]
    /// Every group key seen, in the order first used.
    private(set) var groupKeysInOrder: [GroupKey] = []
    /// The display name of each of those keys, the spelling first used: an export replays them
    /// in this order.
    public private(set) var groupNamesInOrder: [String] = []
    /// How many runs each workflow file has had here, so a trigger's `run_number` costs O(1).
    public internal(set) var runCounts: [String: Int] = [:]
    /// The completed runs, oldest first: the order retention drops them in (`Retention.swift`).
    var completionOrder = CompletionOrder()
    /// The names, keys and kinds its jobs have, each once: the jobs share them.
    private var jobShapes = SharedJobShapes()
    /// The names of its runs longer than 15 bytes, each once: the runs share them.
    private var runNames = SharedValues<ExactName>()
    /// The shapes the last run added came with and those it was given, in the order of its jobs.
    /// Runs of one workflow list the same jobs in the same order, and a loader that shared their
    /// shapes (`Simulator.check`) hands the same objects: those are found here by identity,
    /// without hashing their names.
    private var lastRunShapes: [(given: JobShape, shared: JobShape)] = []

    public init(owner: String, name: String, visibility: Visibility) {
        self.key = RepositoryKey(owner: owner, name: name)
        self.owner = owner
        self.name = name
        self.visibility = visibility
    }

    /// The name shown for a group: the spelling first used in this repository.
    public func displayName(of key: GroupKey) -> String {
        knownName(of: key) ?? key.folded
    }

    /// The spelling first used for a group key, `nil` for a key never seen here.
    public func knownName(of key: GroupKey) -> String? {
        groupNumbers[key].map { groupNamesInOrder[Int($0)] }
    }

    /// Every group of the run's configuration, reached or not, sorted by key.
    public func configuredGroups(of run: WorkflowRun) -> LazyMapSequence<GroupNumberList, GroupKey> {
        run.configuredGroupNumbers.lazy.map { [groupKeysInOrder] in groupKeysInOrder[Int($0)] }
    }

    /// The display names of those groups, in the same order.
    public func configuredGroupNames(of run: WorkflowRun) -> LazyMapSequence<GroupNumberList, String> {
        run.configuredGroupNumbers.lazy.map { [groupNamesInOrder] in groupNamesInOrder[Int($0)] }
    }

    /// The active group with this name (any case), in O(1) in the number of groups.
    public func activeGroup(named name: String) -> ConcurrencyGroup? {
        group(GroupKey(name))
    }

    /// The active group with this key, `nil` for an inactive one.
    public func group(_ key: GroupKey) -> ConcurrencyGroup? {
        groupNumbers[key].flatMap(group(number:))
    }

    /// The active groups, by key.
    public var activeGroups: LazyMapSequence<[GroupKey], ConcurrencyGroup> {
        activeGroupKeys.lazy.map { self.group($0)! }
    }

    private func group(number: UInt32) -> ConcurrencyGroup? {
        let index = Int(number)
        guard !queues[index].isEmpty else { return nil }
        return ConcurrencyGroup(key: groupKeysInOrder[index], name: groupNamesInOrder[index], queue: queues[index])
    }

    /// The job and its enclosing `uses:` jobs, innermost first.
    public func ancestorsOrSelf(of job: JobID) -> [JobID] {
        var path: [JobID] = []
        var current: JobID? = job
        while let id = current, let record = jobs[id] {
            path.append(id)
            current = record.parent
        }
        return path
    }

    /// The index of the item `ahead_of_run` selects: the run's first workflow-level lease or
    /// reusable-workflow lease held on its behalf. Job-level leases never match.
    public func indexOfItem(aheadOfRun run: RunID, in group: ConcurrencyGroup) -> Int? {
        group.queue.firstIndex { item in
            item.run == run && (item.kind == .workflow || item.kind == .reusableWorkflow)
        }
    }

    /// The index of the item `ahead_of_job` selects: the job's own job-level lease, or a
    /// reusable-workflow lease tied to a `uses:` job on its ancestor path (itself included).
    public func indexOfItem(aheadOfJob job: JobID, in group: ConcurrencyGroup) -> Int? {
        guard jobs[job] != nil else { return nil }
        let path = ancestorsOrSelf(of: job)
        return group.queue.firstIndex { item in
            switch item.kind {
            case .workflow: return false
            case .job: return item.job == job
            case .reusableWorkflow: return item.job.map(path.contains) ?? false
            }
        }
    }

    /// The query that selects an item as the last one returned: by job when it has one,
    /// otherwise by run. This is what `position_url` encodes.
    public static func positionQuery(of item: QueueItem) -> PositionQuery {
        if let job = item.job { return .aheadOfJob(job) }
        return .aheadOfRun(item.run)
    }

    /// The index the position query of `item` would select in `group`.
    public func indexSelected(by query: PositionQuery, in group: ConcurrencyGroup) -> Int? {
        switch query {
        case .aheadOfRun(let run): return indexOfItem(aheadOfRun: run, in: group)
        case .aheadOfJob(let job): return indexOfItem(aheadOfJob: job, in: group)
        }
    }

    /// The position of an item of the same run that `item` would wait inside of: the run's
    /// workflow-level lease, or a lease of a job on `item`'s ancestor path (itself included).
    /// GitHub cancels such a run as a deadlock, so a valid queue never holds such a pair; this
    /// also guarantees that every item's `position_url` query selects that item.
    public func positionOfEnclosingItem(for item: QueueItem, in group: ConcurrencyGroup) -> Int? {
        // Nearly every item is its run's only one in the group: no path to build for it.
        guard group.queue.contains(where: { $0.run == item.run }) else { return nil }
        let itemPath = item.job.map(ancestorsOrSelf) ?? []
        return group.queue.firstIndex { other in
            guard other.run == item.run else { return false }
            if other.kind == .workflow || item.kind == .workflow { return true }
            guard let otherJob = other.job else { return false }
            return itemPath.contains(otherJob) || ancestorsOrSelf(of: otherJob).contains { $0 == item.job }
        }
    }

    /// The run's items in a group, with their positions, in queue order.
    public func items(of run: RunID, in key: GroupKey) -> [(position: Int, item: QueueItem)] {
        guard let group = group(key) else { return [] }
        var result: [(position: Int, item: QueueItem)] = []
        for (position, item) in group.queue.enumerated() where item.run == run {
            result.append((position, item))
        }
        return result
    }

    // MARK: - Index maintenance

    mutating func insert(_ spec: Simulator.RunSpec, jobs records: [Job], now: Timestamp) {
        // Names are remembered in the order the run would first use them.
        var numbers: [UInt32] = []
        numbers.reserveCapacity(spec.configuredGroups.count + 1)
        if let settings = spec.concurrency { numbers.append(rememberGroup(settings.group)) }
        // By index: a loop over the specs copied each whole, a tenth of adding a run.
        for index in spec.jobs.indices {
            if let settings = spec.jobs[index].concurrency { numbers.append(rememberGroup(settings.group)) }
            if let settings = spec.jobs[index].calledWorkflowConcurrency { numbers.append(rememberGroup(settings.group)) }
        }
        for name in spec.configuredGroups { numbers.append(rememberGroup(name)) }
        numbers.sort { groupKeysInOrder[Int($0)] < groupKeysInOrder[Int($1)] }
        // Each number once, at its final size.
        var configured: [UInt32] = []
        configured.reserveCapacity(numbers.count)
        for number in numbers where configured.last != number { configured.append(number) }
        let file = spec.workflow ?? WorkflowRun.fileName(forRunNamed: spec.name)
        let runNumber = spec.runNumber ?? (runCounts[file, default: 0] + 1)
        // The highest number its runs have, whatever the order they come in: an export lists
        // its runs by id, and counting each stated number as one more run made the count of an
        // imported export depend on that order.
        runCounts[file] = max(runCounts[file, default: 0], runNumber)
        runs[spec.id] = WorkflowRun(
            id: spec.id, name: runNames.share(spec.name), workflow: spec.workflow, jobs: spec.jobs.map { $0.id }, configuredGroupNumbers: GroupNumberList(configured),
            concurrency: spec.concurrency, gate: spec.gate, status: spec.status, conclusion: spec.conclusion,
            cancellationReason: spec.cancellationReason, cancelledBy: spec.cancelledBy, origin: spec.origin, runNumber: runNumber, attempt: spec.attempt,
            times: spec.times ?? .at(now), previousAttempts: spec.previousAttempts)
        var shapes: [(given: JobShape, shared: JobShape)] = []
        shapes.reserveCapacity(records.count)
        for (index, var job) in records.enumerated() {
            let given = job.shape
            job.shape = index < lastRunShapes.count && lastRunShapes[index].given === given ? lastRunShapes[index].shared : jobShapes.share(given)
            shapes.append((given, job.shape))
            jobs[job.id] = job
        }
        lastRunShapes = shapes
        if spec.status == .completed { completionOrder.append(spec.id) }
    }

    /// Records the spelling of a group's first use; answers the group's key.
    @discardableResult
    public mutating func rememberName(_ name: String) -> GroupKey {
        // The key already stored, so every group of the name shares its text.
        groupKeysInOrder[Int(rememberGroup(name))]
    }

    /// Records the spelling of a group's first use; answers the group's number.
    mutating func rememberGroup(_ name: String) -> UInt32 {
        let key = GroupKey(name)
        if let number = groupNumbers[key] { return number }
        let number = UInt32(groupKeysInOrder.count)
        groupNumbers[key] = number
        groupKeysInOrder.append(key)
        groupNamesInOrder.append(name)
        queues.append([])
        return number
    }

    /// Adds the group to the run's configuration, if it is not there yet.
    mutating func include(groupNamed name: String, inRun run: RunID) {
        include(group: rememberGroup(name), inRun: run)
    }

    /// Adds the group with this number to the run's configuration, if it is not there yet.
    private mutating func include(group number: UInt32, inRun run: RunID) {
        runs.update(run) { [groupKeysInOrder] run in
            // Mostly there already (a run's queue items are in groups it names): a few numbers
            // compared, not keys' texts, for each queue item of a state being loaded.
            guard !run.configuredGroupNumbers.contains(number) else { return }
            let keys = run.configuredGroupNumbers.lazy.map { groupKeysInOrder[Int($0)] }
            let index = Self.insertionPoint(of: groupKeysInOrder[Int(number)], in: keys)
            if index == run.configuredGroupNumbers.count || run.configuredGroupNumbers[index] != number {
                run.configuredGroupNumbers.insert(number, at: index)
            }
        }
    }

    /// Puts a validated, non-empty group in place and records it in its runs' configurations.
    mutating func activate(_ group: ConcurrencyGroup, named spelling: String) {
        let key = place(group, named: spelling)
        activeGroupKeys.insert(key, at: Self.insertionPoint(of: key, in: activeGroupKeys))
    }

    /// Puts validated groups in place, merging their keys into the sorted index once.
    mutating func activate(_ added: [(group: ConcurrencyGroup, spelling: String)]) {
        let addedKeys = added.map { place($0.group, named: $0.spelling) }.sorted()
        var merged: [GroupKey] = []
        merged.reserveCapacity(activeGroupKeys.count + addedKeys.count)
        var (old, new) = (activeGroupKeys[...], addedKeys[...])
        while let first = old.first, let next = new.first {
            if first < next { merged.append(old.removeFirst()) } else { merged.append(new.removeFirst()) }
        }
        merged.append(contentsOf: old)
        merged.append(contentsOf: new)
        activeGroupKeys = merged
    }

    /// Answers the group's key as the repository stores it, which the index of active groups
    /// shares (a key a caller made is a copy of its text).
    private mutating func place(_ group: ConcurrencyGroup, named spelling: String) -> GroupKey {
        let number = rememberGroup(spelling)
        precondition(!group.queue.isEmpty && queues[Int(number)].isEmpty && groupKeysInOrder[Int(number)] == group.key)
        queues[Int(number)] = group.queue
        for item in group.queue { include(group: number, inRun: item.run) }
        return groupKeysInOrder[Int(number)]
    }

    /// Appends an item, acquiring at `now` when the group was empty. Answers its position.
    mutating func append(_ item: QueueItem, to groupName: String, now: Timestamp) -> Int {
        let number = rememberGroup(groupName)
        include(group: number, inRun: item.run)
        let index = Int(number)
        if !queues[index].isEmpty {
            queues[index].append(item)
            return queues[index].count - 1
        }
        var holder = item
        holder.acquiredAt = now
        activate(ConcurrencyGroup(key: groupKeysInOrder[index], name: groupNamesInOrder[index], queue: [holder]), named: groupName)
        return 0
    }

    /// Removes an item. Answers the item that acquired the lease because of it, if any.
    @discardableResult
    mutating func remove(_ item: QueueItem, from key: GroupKey, now: Timestamp) -> QueueItem? {
        guard let number = groupNumbers[key].map(Int.init),
              let index = queues[number].firstIndex(where: { $0.isSameLease(as: item) })
        else { return nil }
        queues[number].remove(at: index)
        if queues[number].isEmpty {
            activeGroupKeys.remove(at: Self.insertionPoint(of: key, in: activeGroupKeys))
            return nil
        }
        guard index == 0 else { return nil }
        queues[number].holderAcquiredAt = now
        return queues[number][0]
    }

    /// The first index whose key is not less than `key` (binary search).
    @inlinable public static func insertionPoint<Keys: RandomAccessCollection<GroupKey>>(of key: GroupKey, in keys: Keys) -> Int where Keys.Index == Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// How a caller points at one item of a group: GitHub's `ahead_of_run` / `ahead_of_job`.
public enum PositionQuery: Hashable, Sendable {
    case aheadOfRun(RunID)
    case aheadOfJob(JobID)
}
