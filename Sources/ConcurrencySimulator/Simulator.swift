/// The whole mocked world: repositories, their runs and their concurrency groups, and a clock.
///
/// A value type: every mutating method either applies completely or throws and leaves the
/// simulator unchanged, because it validates before it writes.
public struct Simulator: Sendable {
    public internal(set) var repositories: [RepositoryKey: Repository] = [:]
    /// The first repository added. Its runs and jobs are found in its own tables, with no
    /// location entry: a mock of one repository, the rule, keeps no locations at all (they were
    /// 16 bytes a job, and an index besides: 57 bytes a queued item of a large fixture).
    public private(set) var homeRepository: RepositoryKey?
    /// Which repository other than `homeRepository` holds each run; run ids are unique across
    /// the mock (`repositoryKey(ofRun:)` answers for every run).
    public internal(set) var runLocations = RepositoryLocations<RunID>()
    /// Which repository other than `homeRepository` holds each job; job ids are unique across
    /// the mock (`repositoryKey(ofJob:)` answers for every job).
    public internal(set) var jobLocations = RepositoryLocations<JobID>()
    /// The simulator's notion of now; lease times come from it.
    public var now: Timestamp
    /// The largest run and job ids in use; new runs and jobs count up from them.
    public internal(set) var highestRunID = 0
    public internal(set) var highestJobID = 0
    /// Where a fixture wants new run and job ids to start (ids never go below what is in use).
    public var runIDStart: RunID?
    public var jobIDStart: JobID?
    /// How many completed runs each repository keeps (`retainCompletedRuns`).
    public internal(set) var retainedCompletedRuns = Simulator.defaultRetainedCompletedRuns
    /// What lifecycle operations did since the owner last took them (`takeEvents()`).
    var events: [SimulationEvent] = []

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
        for (value, field) in [(owner, "owner"), (name, "name")] {
            if let problem = StoredName.problem(value, "the repository \(field)") { throw SimulatorError(problem, field: field) }
        }
        let repository = Repository(owner: owner, name: name, visibility: visibility)
        if let existing = repositories[repository.key] {
            throw SimulatorError("repository \(existing.owner)/\(existing.name) is declared twice")
        }
        repositories[repository.key] = repository
        if homeRepository == nil { homeRepository = repository.key }
    }

    /// A job to add with its run.
    public struct JobSpec: Hashable, Sendable {
        public let id: JobID
        public let name: String
        /// The YAML key path; the name when not given.
        public let key: String?
        /// The enclosing `uses:` job, declared earlier in the same run.
        public let parent: JobID?
        public let callsReusableWorkflow: Bool
        public let needs: [JobID]
        public let concurrency: ConcurrencySettings?
        public let calledWorkflowConcurrency: ConcurrencySettings?
        public let gate: AnyJobGate?
        public let outputs: [String: String]
        public let status: ExecutionStatus
        public let conclusion: Conclusion?
        public let cancellationReason: String?
        public let cancelledBy: CancellationCause?
        public let attempt: Int
        /// `nil`: created at the run's creation time.
        public let times: JobTimes?

        public init(
            id: JobID, name: String, key: String? = nil, parent: JobID? = nil, callsReusableWorkflow: Bool = false,
            needs: [JobID] = [], concurrency: ConcurrencySettings? = nil, calledWorkflowConcurrency: ConcurrencySettings? = nil,
            gate: AnyJobGate? = nil, outputs: [String: String] = [:], status: ExecutionStatus = .inProgress, conclusion: Conclusion? = nil, cancellationReason: String? = nil,
            cancelledBy: CancellationCause? = nil,
            attempt: Int = 1, times: JobTimes? = nil
        ) {
            self.id = id
            self.name = name
            self.key = key
            self.parent = parent
            self.callsReusableWorkflow = callsReusableWorkflow
            self.needs = needs
            self.concurrency = concurrency
            self.calledWorkflowConcurrency = calledWorkflowConcurrency
            self.gate = gate
            self.outputs = outputs
            self.status = status
            self.conclusion = conclusion
            self.cancellationReason = cancellationReason
            self.cancelledBy = cancelledBy
            self.attempt = attempt
            self.times = times
        }
    }

    /// A run to add as it stands, with its jobs (as a fixture or an exported state describes it).
    public struct RunSpec: Sendable {
        public let id: RunID
        public let name: String
        public let workflow: String?
        public let jobs: [JobSpec]
        public let configuredGroups: [String]
        public let concurrency: ConcurrencySettings?
        /// Re-evaluates `concurrency` for a new attempt (see `WorkflowRun.gate`).
        public let gate: AnyJobGate?
        public let status: ExecutionStatus
        public let conclusion: Conclusion?
        public let cancellationReason: String?
        public let cancelledBy: CancellationCause?
        public let origin: RunOrigin
        /// `nil`: one more than the runs of its workflow file so far.
        public let runNumber: Int?
        public let attempt: Int
        /// `nil`: every time is the simulator's now.
        public let times: RunTimes?
        /// The earlier attempts, each with its job list (which may name records of `jobs` carried
        /// over, and of `earlierJobs`).
        public let previousAttempts: [RunAttempt]
        /// The job records of earlier attempts that the current attempt does not list (jobs a
        /// re-run started again under new ids), parents before their children.
        public let earlierJobs: [JobSpec]

        public init(
            id: RunID, name: String, workflow: String? = nil, jobs: [JobSpec], configuredGroups: [String],
            concurrency: ConcurrencySettings? = nil, gate: AnyJobGate? = nil, status: ExecutionStatus = .inProgress,
            conclusion: Conclusion? = nil, cancellationReason: String? = nil, cancelledBy: CancellationCause? = nil,
            origin: RunOrigin = RunOrigin(), runNumber: Int? = nil, attempt: Int = 1, times: RunTimes? = nil,
            previousAttempts: [RunAttempt] = [], earlierJobs: [JobSpec] = []
        ) {
            self.earlierJobs = earlierJobs
            self.id = id
            self.name = name
            self.workflow = workflow
            self.jobs = jobs
            self.configuredGroups = configuredGroups
            self.concurrency = concurrency
            self.gate = gate
            self.status = status
            self.conclusion = conclusion
            self.cancellationReason = cancellationReason
            self.cancelledBy = cancelledBy
            self.origin = origin
            self.runNumber = runNumber
            self.attempt = attempt
            self.times = times
            self.previousAttempts = previousAttempts
        }
    }

    public mutating func addRun(
        in repositoryKey: RepositoryKey, id: RunID, name: String, jobs: [JobSpec], configuredGroups: [String]
    ) throws(SimulatorError) {
        try addRun(in: repositoryKey, RunSpec(id: id, name: name, jobs: jobs, configuredGroups: configuredGroups))
    }

    public mutating func addRun(in repositoryKey: RepositoryKey, _ spec: RunSpec) throws(SimulatorError) {
        try addRun(in: repositoryKey, Self.check(spec, now: now))
    }

    /// A run checked on its own, before it meets the state (`check`): its job records, or why
    /// it is refused. Checking is most of adding a run and needs nothing of the simulator but
    /// its clock, so a loader can check runs on another thread while it adds the ones before.
    public struct CheckedRun: Sendable {
        let spec: RunSpec
        /// The clock the records were made with.
        let now: Timestamp
        /// In the order of the spec's jobs, then its earlier jobs; all of them unless refused.
        let records: [Job]
        /// The first refusal found without the state, and where it falls among `addRun`'s
        /// checks against the state, so that a run is refused for what it always was first.
        let refusal: (error: SimulatorError, place: RefusalPlace)?
    }

    /// Where a refusal found without the state falls among `addRun`'s look-ups of ids.
    enum RefusalPlace: Equatable, Sendable {
        case beforeRunID
        case beforeJobIDs
        /// At the job with this index (current attempt first): before its id is looked up, or after.
        case job(index: Int, beforeItsID: Bool)
        case afterJobIDs
    }

    /// Checks a run as `addRun` does, but for what depends on the state (its repository, and
    /// whether its run and job ids are in use), and makes its job records with the clock `now`.
    public static func check(_ spec: RunSpec, now: Timestamp) -> CheckedRun {
        var shapes = SharedJobShapes()
        return check(spec, now: now, sharing: &shapes)
    }

    /// `check`, with the job records' names, keys and kinds shared through `shapes`: a loader
    /// checking many runs of one workflow makes each shape once (on the thread that checks),
    /// and the repository then finds them shared already.
    public static func check(_ spec: RunSpec, now: Timestamp, sharing shapes: inout SharedJobShapes) -> CheckedRun {
        func refused(_ error: SimulatorError, _ place: RefusalPlace) -> CheckedRun {
            CheckedRun(spec: spec, now: now, records: [], refusal: (error, place))
        }
        let id = spec.id
        guard (1...largestIdentifier).contains(id.rawValue) else {
            return refused(SimulatorError("run id \(id) must be from 1 to \(largestIdentifier)"), .beforeRunID)
        }
        if let problem = StoredName.problem(spec.name, "the name of run \(id)") ?? spec.workflow.flatMap({ StoredName.problem($0, "the workflow of run \(id)") }) {
            return refused(SimulatorError(problem, field: "run"), .beforeJobIDs)
        }
        if let group = spec.concurrency?.group, let problem = StoredName.problem(group, "the concurrency group of run \(id)") {
            return refused(SimulatorError(problem, field: "concurrency_group"), .beforeJobIDs)
        }
        // Indexed as one list, current attempt first: what a `.job(index:)` subject counts.
        let allJobs = spec.earlierJobs.isEmpty ? spec.jobs : spec.jobs + spec.earlierJobs
        var records = JobTable()
        records.reserveCapacity(allJobs.count)
        /// Makes the record of the job at `index`, or answers its refusal. The job is a parameter
        /// borrowed from the list: a `for job in` loop copied each whole spec.
        func record(_ job: JobSpec, at index: Int) -> CheckedRun? {
            do throws(SimulatorError) {
                try checkAlone(job, at: index)
            } catch {
                return refused(error, .job(index: index, beforeItsID: true))
            }
            if records[job.id] != nil {
                return refused(SimulatorError("job \(job.id) is declared twice", subject: .job(index: index)), .job(index: index, beforeItsID: true))
            }
            if let parent = job.parent, records[parent]?.callsReusableWorkflow != true {
                return refused(
                    SimulatorError("job \(job.id)'s parent \(parent) is not a uses: job declared before it in run \(id)", subject: .job(index: index)),
                    .job(index: index, beforeItsID: false))
            }
            let shape = shapes.share(shapeOf: job, at: index)
            records[job.id] = Job(job, run: id, createdAt: spec.times?.createdAt ?? now, shape: shape)
            return nil
        }
        for index in allJobs.indices {
            if let refusal = record(allJobs[index], at: index) { return refusal }
        }
        do throws(SimulatorError) {
            try checkAfterJobs(spec, allJobs: allJobs, records: records)
        } catch {
            return refused(error, .afterJobIDs)
        }
        return CheckedRun(spec: spec, now: now, records: records.values, refusal: nil)
    }

    /// A job's names, id, outputs and gate.
    private static func checkAlone(_ job: JobSpec, at index: Int) throws(SimulatorError) {
        func check(_ value: String?, _ what: String) throws(SimulatorError) {
            guard let value, let problem = StoredName.problem(value, "the \(what) of job \(job.id)") else { return }
            throw SimulatorError(problem, subject: .job(index: index), field: "job")
        }
        try check(job.name, "name")
        try check(job.key, "key")
        try check(job.concurrency?.group, "concurrency group")
        try check(job.calledWorkflowConcurrency?.group, "concurrency group")
        guard (1...largestIdentifier).contains(job.id.rawValue) else {
            throw SimulatorError("job id \(job.id) must be from 1 to \(largestIdentifier)", subject: .job(index: index))
        }
        // Refused as of an attempt its run does not have: no run reaches `largestAttempt`.
        guard (1...largestAttempt).contains(job.attempt) else {
            throw SimulatorError("job \(job.id) is of attempt \(job.attempt), which its run does not have", subject: .job(index: index))
        }
        do {
            try validateOutputs(job.outputs, of: job.id)
        } catch {
            throw SimulatorError(error.message, subject: .job(index: index), field: "outputs")
        }
        if job.status == .queued, job.gate?.base.defersConcurrency == true, job.concurrency != nil {
            throw SimulatorError(
                "job \(job.id) is queued, so its gate has not decided its concurrency yet; leave concurrency out",
                subject: .job(index: index), field: "concurrency")
        }
    }

    /// A run's needs, attempts, configured groups and origin, once each job has its record.
    private static func checkAfterJobs(_ spec: RunSpec, allJobs: [JobSpec], records: JobTable) throws(SimulatorError) {
        let id = spec.id
        // By index, each job borrowed from the list: a `for job in` loop copied each whole spec.
        for index in allJobs.indices {
            let (job, parent) = (allJobs[index].id, allJobs[index].parent)
            for need in allJobs[index].needs where records[need]?.parent != parent || need == job {
                throw SimulatorError("job \(job) needs \(need), which is not a sibling job of run \(id)", subject: .job(index: index))
            }
        }
        guard spec.attempt >= 1, spec.runNumber.map({ $0 >= 1 }) ?? true else {
            throw SimulatorError("run \(id)'s run_number and run_attempt are at least 1")
        }
        // Compared lazily: a huge attempt with no earlier attempts must not build their numbers.
        // It also keeps every run's attempt within the 4 bytes a run holds it in.
        guard spec.previousAttempts.count == spec.attempt - 1, spec.previousAttempts.lazy.map(\.number).elementsEqual(1..<spec.attempt) else {
            throw SimulatorError("run \(id) is at attempt \(spec.attempt), so it has the earlier attempts 1 to \(spec.attempt - 1), in order")
        }
        let lists = spec.previousAttempts.map(\.jobs) + [spec.jobs.map { $0.id }]
        if let problem = attemptProblems(of: id, lists: lists, records: records.values).first {
            throw SimulatorError(problem.message, subject: problem.job.flatMap { job in allJobs.firstIndex { $0.id == job } }.map { .job(index: $0) })
        }
        for (index, groupName) in spec.configuredGroups.enumerated() {
            if let problem = groupNameProblem(groupName) {
                throw SimulatorError(problem, subject: .configuredGroup(index: index), field: "concurrency_group")
            }
        }
        for (value, what) in [(spec.origin.event, "event"), (spec.origin.ref, "ref"), (spec.origin.sha, "sha"), (spec.origin.actor, "actor"),
                              (spec.origin.triggeringActor, "triggering_actor"), (spec.origin.headRef, "head_ref"), (spec.origin.baseRef, "base_ref")] {
            if let problem = StoredName.problem(value, "the \(what) of run \(id)") { throw SimulatorError(problem, field: what) }
        }
    }

    /// Adds a checked run: refuses it where its checks found it wanting, in the order `addRun`
    /// checks, and where its run or a job id is in use.
    public mutating func addRun(in repositoryKey: RepositoryKey, _ checked: CheckedRun) throws(SimulatorError) {
        // Records made with another clock are made again with this one.
        let run = checked.now == now ? checked : Self.check(checked.spec, now: now)
        guard repositories[repositoryKey] != nil else {
            throw SimulatorError("repository \(repositoryKey) does not exist")
        }
        try checkIDsUnused(run)
        let id = run.spec.id
        repositories[repositoryKey]!.insert(run.spec, jobs: run.records, now: now)
        locate(id, in: repositoryKey)
        highestRunID = max(highestRunID, id.rawValue)
        for job in run.records {
            locate(job.id, in: repositoryKey)
            highestJobID = max(highestJobID, job.id.rawValue)
        }
        dropCompletedRunsBeyondRetention(in: repositoryKey)
    }

    /// Refuses a checked run where its checks found it wanting, in the order `addRun` checks,
    /// and where its run or a job id is in use anywhere in the mock.
    private func checkIDsUnused(_ run: CheckedRun) throws(SimulatorError) {
        func refuse(at place: RefusalPlace) throws(SimulatorError) {
            if let refusal = run.refusal, refusal.place == place { throw refusal.error }
        }
        // Looked up once: the home repository holds nearly every id. This copy ends with the
        // function, before `addRun` changes the repository (it would make the change copy it).
        let home = homeRepository.flatMap { repositories[$0] }
        let id = run.spec.id
        try refuse(at: .beforeRunID)
        if home?.runs[id] != nil || runLocations[id] != nil { throw SimulatorError("run \(id) is declared twice") }
        try refuse(at: .beforeJobIDs)
        // A refused run has records for the jobs before its refusal only: its ids come from the spec.
        let jobIDs = run.refusal == nil ? run.records.map(\.id) : (run.spec.jobs + run.spec.earlierJobs).map(\.id)
        for (index, jobID) in jobIDs.enumerated() {
            try refuse(at: .job(index: index, beforeItsID: true))
            if home?.jobs[jobID] != nil || jobLocations[jobID] != nil {
                throw SimulatorError("job \(jobID) is declared twice", subject: .job(index: index))
            }
            try refuse(at: .job(index: index, beforeItsID: false))
        }
        try refuse(at: .afterJobIDs)
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
        do {
            try restoreQueues(in: repositoryKey, [(groupName, items)])
        } catch {
            throw error.refusal
        }
    }

    /// Why `restoreQueues` refused: the group at `groupIndex`, for `refusal`'s reason.
    public struct QueueRestoreRefusal: Error, Sendable {
        public let groupIndex: Int
        public let refusal: SimulatorError
    }

    /// Puts a repository's queues in place at once, as a fixture or an imported state lists them:
    /// each checked as `restoreQueue` checks one, in order, all of them before any is put in place
    /// (a refused call changes nothing). The sorted index of active groups takes them in one merge,
    /// not one insertion each (which moves the whole index every time: quadratic in the groups).
    public mutating func restoreQueues(
        in repositoryKey: RepositoryKey, _ queues: [(groupName: String, items: [QueueItem])]
    ) throws(QueueRestoreRefusal) {
        try restoreQueues(in: repositoryKey, queues.map { queue in
            Result { () throws(SimulatorError) in try checkQueue(in: repositoryKey, groupName: queue.groupName, items: queue.items) }
        })
    }

    /// A queue as `restoreQueues` puts it in place, checked on its own (`checkQueue`).
    public struct CheckedQueue: Sendable {
        fileprivate let group: ConcurrencyGroup
        fileprivate let spelling: String
    }

    /// `restoreQueues` of queues already checked one by one (`checkQueue`, which only reads, so a
    /// large state's queues can be checked on two threads): refused at the first that failed its
    /// check or repeats an earlier one's name, as the queues would have been checked in order.
    public mutating func restoreQueues(
        in repositoryKey: RepositoryKey, _ checked: [Result<CheckedQueue, SimulatorError>]
    ) throws(QueueRestoreRefusal) {
        defer { checkInvariantsInDebugBuilds() }
        var groups: [(group: ConcurrencyGroup, spelling: String)] = []
        groups.reserveCapacity(checked.count)
        var spellings: [GroupKey: String] = [:]
        for (index, result) in checked.enumerated() {
            do throws(SimulatorError) {
                let queue = try result.get()
                if let earlier = spellings.updateValue(queue.spelling, forKey: queue.group.key) {
                    throw SimulatorError("concurrency group '\(queue.spelling)' is declared twice (also as '\(earlier)'; names are case-insensitive)")
                }
                groups.append((queue.group, queue.spelling))
            } catch {
                throw QueueRestoreRefusal(groupIndex: index, refusal: error)
            }
        }
        repositories[repositoryKey]!.activate(groups)
    }

    /// The group `restoreQueue` would put in place; reads only, so queues can be checked on
    /// several threads and the caller then mutate the repository in place (a copy kept alive
    /// would make every mutation copy its storage).
    public func checkQueue(
        in repositoryKey: RepositoryKey, groupName: String, items: [QueueItem]
    ) throws(SimulatorError) -> CheckedQueue {
        guard let repository = repositories[repositoryKey] else {
            throw SimulatorError("repository \(repositoryKey) does not exist")
        }
        if let problem = Self.groupNameProblem(groupName) { throw SimulatorError(problem, field: "concurrency_group") }
        let key = GroupKey(groupName)
        if let existing = repository.group(key) {
            throw SimulatorError("concurrency group '\(groupName)' is declared twice (also as '\(existing.name)'; names are case-insensitive)")
        }
        guard !items.isEmpty else {
            throw SimulatorError("concurrency group '\(groupName)' has an empty queue; an inactive group is simply left out")
        }
        guard items.count <= maximumQueueLength else {
            throw SimulatorError(
                "concurrency group '\(groupName)' has \(items.count) items; a queue holds at most \(maximumQueueLength) (one holder and 100 pending)")
        }
        var group = ConcurrencyGroup(key: key, name: repository.knownName(of: key) ?? groupName, queue: [])
        // At its final size: grown one item at a time, a queue of 10 kept room for 16.
        group.queue.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            try Self.validate(item, at: index, previous: group.queue.last, in: repository, now: now)
            if let earlier = repository.positionOfEnclosingItem(for: item, in: group) {
                throw SimulatorError(
                    "run \(item.run) waits on concurrency group '\(groupName)' inside its own lease at position \(earlier): GitHub cancels such a run as a deadlock",
                    subject: .queueItem(index: index))
            }
            group.queue.append(item)
        }
        return CheckedQueue(group: group, spelling: groupName)
    }

    static func validate(
        _ item: QueueItem, at index: Int, previous: QueueItem?, in repository: Repository, now: Timestamp
    ) throws(SimulatorError) {
        func fail(_ message: String) -> SimulatorError { SimulatorError(message, subject: .queueItem(index: index)) }
        guard let run = repository.runs[item.run] else {
            throw fail("run \(item.run) is not a run of \(repository.owner)/\(repository.name)")
        }
        // A completed run or job holds and awaits nothing; an item of one could never be released.
        guard run.status != .completed, item.job.flatMap({ repository.jobs[$0]?.status }) != .completed else {
            throw fail("run \(item.run)\(item.job.map { " (job \($0))" } ?? "") has completed, so it cannot hold or wait for a lease")
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
            // A job of an earlier attempt only has completed: it can hold nothing.
            guard run.jobs.contains(job) else { throw fail("job \(job) belongs to an earlier attempt of run \(item.run)") }
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

    // MARK: - Raw leases

    /// Appends an item to a group's queue, waiting from now, with no queue policy: in an empty
    /// (inactive) group it acquires the lease at once. Answers the item's position.
    @discardableResult
    public mutating func requestLease(
        in repositoryKey: RepositoryKey, groupName: String, run: RunID, job: JobID?, kind: LeaseKind
    ) throws(SimulatorError) -> Int {
        defer { checkInvariantsInDebugBuilds() }
        let item = QueueItem(run: run, job: job, kind: kind, waitingSince: now)
        try validateRequest(item, in: repositoryKey, groupName: groupName)
        return repositories[repositoryKey]!.append(item, to: groupName, now: now)
    }

    private func validateRequest(_ item: QueueItem, in repositoryKey: RepositoryKey, groupName: String) throws(SimulatorError) {
        guard let repository = repositories[repositoryKey] else {
            throw SimulatorError("repository \(repositoryKey) does not exist")
        }
        if let problem = Self.groupNameProblem(groupName) { throw SimulatorError(problem, field: "concurrency_group") }
        let key = GroupKey(groupName)
        let group = repository.group(key) ?? ConcurrencyGroup(key: key, name: repository.knownName(of: key) ?? groupName, queue: [])
        try Self.validate(item, at: group.queue.count, previous: group.queue.last, in: repository, now: now)
        guard group.queue.count < maximumQueueLength else {
            throw SimulatorError("concurrency group '\(group.name)' already holds \(maximumQueueLength) items")
        }
        if let earlier = repository.positionOfEnclosingItem(for: item, in: group) {
            throw SimulatorError(
                "run \(item.run) already holds or waits on concurrency group '\(group.name)' at position \(earlier), around this request")
        }
    }

    /// Removes an item from its group, with no further consequence for its owner. When it held
    /// the lease, the next item in FIFO order acquires it now; when it was the last item, the
    /// group becomes inactive.
    public mutating func releaseLease(
        in repositoryKey: RepositoryKey, groupName: String, item: QueueItem
    ) throws(SimulatorError) {
        defer { checkInvariantsInDebugBuilds() }
        guard let group = repositories[repositoryKey]?.group(GroupKey(groupName)),
              group.queue.contains(where: { $0.isSameLease(as: item) })
        else {
            throw SimulatorError("concurrency group '\(groupName)' has no such item")
        }
        repositories[repositoryKey]!.remove(item, from: group.key, now: now)
    }
}

extension QueueItem {
    /// Whether two items are the same lease request (same run, job and kind), whatever their times.
    public func isSameLease(as other: QueueItem) -> Bool {
        run == other.run && job == other.job && kind == other.kind
    }
}

extension Simulator {
    /// Records group spellings before anything uses them, so the names shown follow this order
    /// (an exported state lists them as first used).
    public mutating func rememberGroupNames(_ names: [String], in repositoryKey: RepositoryKey) throws(SimulatorError) {
        for (index, name) in names.enumerated() {
            if let problem = Self.groupNameProblem(name) {
                throw SimulatorError(problem, subject: .configuredGroup(index: index), field: "concurrency_group")
            }
        }
        for name in names { repositories[repositoryKey]?.rememberName(name) }
    }

    /// Why a concurrency group cannot have this name, or `nil`.
    static func groupNameProblem(_ name: String) -> String? {
        name.isEmpty ? "a concurrency group name cannot be empty" : StoredName.problem(name, "the concurrency group name")
    }
}

extension Simulator {
    /// Creates the repository, or changes the visibility of the one with that owner and name.
    /// Answers whether it was created.
    @discardableResult
    public mutating func putRepository(owner: String, name: String, visibility: Visibility) throws(SimulatorError) -> Bool {
        let key = RepositoryKey(owner: owner, name: name)
        if repositories[key] != nil {
            repositories[key]!.visibility = visibility
            return false
        }
        try addRepository(owner: owner, name: name, visibility: visibility)
        return true
    }
}
