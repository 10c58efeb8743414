/// A run as a workflow file defines it, evaluated for one trigger: what `Simulator.trigger` runs.
public struct RunPlan: Sendable {
    public let name: String
    /// The workflow file, `deploy.yml`.
    public let workflow: String
    /// The workflow-level `concurrency`.
    public let concurrency: ConcurrencySettings?
    /// Jobs in declaration order; a `uses:` job comes before the called workflow's jobs.
    public let jobs: [PlannedJob]

    public init(name: String, workflow: String, concurrency: ConcurrencySettings?, jobs: [PlannedJob]) {
        self.name = name
        self.workflow = workflow
        self.concurrency = concurrency
        self.jobs = jobs
    }
}

/// One job of a `RunPlan` (a matrix leg is a job of its own).
public struct PlannedJob: Sendable {
    /// The YAML key path: `build`, `call-deploy/deploy`, `test (linux, 20)`.
    public let key: String
    public let name: String
    /// The index in `RunPlan.jobs` of the enclosing `uses:` job, which comes earlier.
    public let parent: Int?
    /// Indices of sibling jobs (same parent) that must succeed first.
    public let needs: [Int]
    public let callsReusableWorkflow: Bool
    public let concurrency: ConcurrencySettings?
    /// For a `uses:` job, the called workflow's workflow-level `concurrency`.
    public let calledWorkflowConcurrency: ConcurrencySettings?

    public init(
        key: String, name: String, parent: Int? = nil, needs: [Int] = [], callsReusableWorkflow: Bool = false,
        concurrency: ConcurrencySettings? = nil, calledWorkflowConcurrency: ConcurrencySettings? = nil
    ) {
        self.key = key
        self.name = name
        self.parent = parent
        self.needs = needs
        self.callsReusableWorkflow = callsReusableWorkflow
        self.concurrency = concurrency
        self.calledWorkflowConcurrency = calledWorkflowConcurrency
    }
}

/// The annotations GitHub writes when concurrency cancels something.
public enum CancellationReason {
    public static func higherPriorityWaiting(_ group: String) -> String {
        "Canceling since a higher priority waiting request for '\(group)' exists"
    }

    public static func deadlock(_ group: String, job: String) -> String {
        "Canceling since a deadlock was detected for concurrency group: '\(group)' between a top level workflow and '\(job)'"
    }

    /// GitHub's wording is not documented for this case; this is the mock's.
    public static func queueFull(_ group: String) -> String {
        "Canceling since the concurrency queue for '\(group)' already holds \(maximumQueueLength - 1) pending requests"
    }

    public static let controlAPI = "The run was canceled by @concurrency-mock."
}

extension Simulator {
    /// Creates a run from a plan and starts it: the run asks for its workflow-level lease, then
    /// its jobs start as their `needs` and leases allow. Ids count up from those in use.
    @discardableResult
    public mutating func trigger(in repositoryKey: RepositoryKey, plan: RunPlan) throws(SimulatorError) -> RunID {
        defer { checkInvariantsInDebugBuilds() }
        guard repositories[repositoryKey] != nil else { throw SimulatorError("repository \(repositoryKey) does not exist") }
        guard !plan.jobs.isEmpty else { throw SimulatorError("workflow \(plan.workflow) has no jobs") }
        let runID = nextRunID
        let firstJob = nextJobID.rawValue
        guard runID.rawValue <= Self.largestIdentifier else {
            throw SimulatorError("run ids are used up: the next would be \(runID), past \(Self.largestIdentifier) (2^53 - 1, beyond which JavaScript clients lose precision)")
        }
        guard plan.jobs.count <= Self.largestIdentifier - firstJob + 1 else {
            throw SimulatorError(
                "job ids are used up: this run's \(plan.jobs.count) jobs would end at \(firstJob + plan.jobs.count - 1), past \(Self.largestIdentifier) (2^53 - 1, beyond which JavaScript clients lose precision)")
        }
        let ids = plan.jobs.indices.map { JobID(firstJob + $0) }
        var specs: [JobSpec] = []
        for (index, job) in plan.jobs.enumerated() {
            if let parent = job.parent, parent >= index || !plan.jobs[parent].callsReusableWorkflow {
                throw SimulatorError("job \(job.key)'s parent must be a uses: job before it")
            }
            for need in job.needs where !plan.jobs.indices.contains(need) || plan.jobs[need].parent != job.parent || need == index {
                throw SimulatorError("job \(job.key) needs a job that is not its sibling")
            }
            specs.append(JobSpec(
                id: ids[index], name: job.name, key: job.key, parent: job.parent.map { ids[$0] },
                callsReusableWorkflow: job.callsReusableWorkflow, needs: job.needs.map { ids[$0] },
                concurrency: job.concurrency, calledWorkflowConcurrency: job.calledWorkflowConcurrency, status: .queued))
        }
        try Self.checkAcyclic(plan)
        try addRun(in: repositoryKey, RunSpec(
            id: runID, name: plan.name, workflow: plan.workflow, jobs: specs, configuredGroups: [],
            concurrency: plan.concurrency, status: .queued))
        repositories[repositoryKey]!.start(runID, now: now)
        return runID
    }

    /// The id the next triggered run gets.
    public var nextRunID: RunID { RunID(max(highestRunID + 1, runIDStart?.rawValue ?? 1)) }

    /// The id the first job of the next triggered run gets.
    public var nextJobID: JobID { JobID(max(highestJobID + 1, jobIDStart?.rawValue ?? 1)) }

    /// How many runs of this workflow file the repository has had: GitHub's `run_number` of the
    /// previous one.
    public func runCount(of workflow: String, in repositoryKey: RepositoryKey) -> Int {
        repositories[repositoryKey]?.runCounts[workflow] ?? 0
    }

    private static func checkAcyclic(_ plan: RunPlan) throws(SimulatorError) {
        var state = [UInt8](repeating: 0, count: plan.jobs.count)
        func visit(_ index: Int) -> Bool {
            if state[index] == 2 { return true }
            if state[index] == 1 { return false }
            state[index] = 1
            for need in plan.jobs[index].needs where !visit(need) { return false }
            state[index] = 2
            return true
        }
        for index in plan.jobs.indices where !visit(index) {
            throw SimulatorError("the needs of job \(plan.jobs[index].key) form a cycle")
        }
    }

    /// Completes an in-progress job that runs steps (not a `uses:` job, which completes with its
    /// called workflow's jobs), then lets whatever waited on it move.
    public mutating func completeJob(_ id: JobID, conclusion: Conclusion) throws(SimulatorError) {
        defer { checkInvariantsInDebugBuilds() }
        guard let key = jobLocations[id], let job = repositories[key]?.jobs[id] else {
            throw SimulatorError("job \(id) does not exist")
        }
        guard job.status == .inProgress else {
            throw SimulatorError("job \(id) is \(job.status.rawValue), not in_progress")
        }
        guard !job.callsReusableWorkflow else {
            throw SimulatorError("job \(id) calls a reusable workflow; it completes when the called workflow's jobs do")
        }
        guard conclusion == .success || conclusion == .failure else {
            throw SimulatorError("a job completes with success or failure, not \(conclusion.rawValue)")
        }
        repositories[key]!.finish(id, conclusion: conclusion, now: now)
    }

    /// Completes the run's in-progress jobs with success, again and again, until none is in
    /// progress. Jobs still waiting on a lease keep waiting.
    public mutating func completeRun(_ id: RunID) throws(SimulatorError) {
        defer { checkInvariantsInDebugBuilds() }
        guard let key = runLocations[id], let run = repositories[key]?.runs[id] else {
            throw SimulatorError("run \(id) does not exist")
        }
        for _ in 0...run.jobs.count {
            let running = repositories[key]!.runs[id]!.jobs.filter { job in
                let record = repositories[key]!.jobs[job]!
                return record.status == .inProgress && !record.callsReusableWorkflow
            }
            if running.isEmpty { return }
            for job in running where repositories[key]!.jobs[job]!.status == .inProgress {
                repositories[key]!.finish(job, conclusion: .success, now: now)
            }
        }
    }

    /// Cancels a run that has not completed and releases all its items.
    public mutating func cancelRun(_ id: RunID, reason: String) throws(SimulatorError) {
        defer { checkInvariantsInDebugBuilds() }
        guard let key = runLocations[id], let run = repositories[key]?.runs[id] else {
            throw SimulatorError("run \(id) does not exist")
        }
        guard run.status != .completed else { throw SimulatorError("run \(id) has already completed") }
        repositories[key]!.cancelRun(id, reason: reason, now: now)
    }
}

// MARK: - The engine

/// The rules that move runs and jobs along. Every method leaves the invariants of `Repository`
/// intact; cascades (a release handing the lease on, a cancellation skipping dependents) are
/// followed to the end, through `followUps`, before an entry point (`start`, `finish`,
/// `cancelRun`) returns.
extension Repository {
    mutating func start(_ run: RunID, now: Timestamp) {
        defer { drainFollowUps(now: now) }
        guard let record = runs[run], record.status == .queued else { return }
        if let settings = record.concurrency {
            runs[run]!.status = .pending
            guard request(QueueItem(run: run, job: nil, kind: .workflow, waitingSince: now), settings, now: now) else { return }
        }
        runAcquiredLease(run, now: now)
    }

    /// Runs the follow-ups cascades left, in order, until none is left. Cascades go through this
    /// queue instead of recursing, so however long a chain of hand-overs and cancellations is,
    /// the stack stays shallow.
    private mutating func drainFollowUps(now: Timestamp) {
        var index = 0
        while index < followUps.count {
            let next = followUps[index]
            index += 1
            switch next {
            case .acquired(let promoted):
                switch promoted.kind {
                case .workflow:
                    if runs[promoted.run]?.status == .pending { runAcquiredLease(promoted.run, now: now) }
                case .job, .reusableWorkflow:
                    if let job = promoted.job, jobs[job]?.status == .pending { startJob(job, now: now) }
                }
            case .jobFinished(let id):
                guard let job = jobs[id] else { continue }
                startReadyJobs(of: job.run, under: job.parent, now: now)
                if let parent = job.parent { finishUsesJobIfDone(parent, now: now) }
                settle(job.run, now: now)
            }
        }
        followUps.removeAll()
    }

    private mutating func runAcquiredLease(_ run: RunID, now: Timestamp) {
        guard runs[run]?.status == .pending || runs[run]?.status == .queued else { return }
        runs[run]!.status = .inProgress
        startReadyJobs(of: run, under: nil, now: now)
        settle(run, now: now)
    }

    /// Starts (or skips) every queued job below `parent` whose `needs` have completed.
    private mutating func startReadyJobs(of run: RunID, under parent: JobID?, now: Timestamp) {
        var progressed = true
        while progressed, runs[run]?.status == .inProgress {
            progressed = false
            for id in runs[run]!.jobs {
                guard let job = jobs[id], job.parent == parent, job.status == .queued else { continue }
                let needs = job.needs.compactMap { jobs[$0] }
                guard needs.allSatisfy({ $0.status == .completed }) else { continue }
                if needs.allSatisfy({ $0.conclusion == .success }) {
                    startJob(id, now: now)
                } else {
                    markCompleted(id, conclusion: .skipped, reason: nil)
                }
                progressed = true
            }
        }
    }

    /// Moves a job through its leases: its own job-level lease, then (for a `uses:` job) the
    /// called workflow's lease, then in progress. Called again each time one of them is acquired.
    private mutating func startJob(_ id: JobID, now: Timestamp) {
        guard let job = jobs[id], job.status == .queued || job.status == .pending else { return }
        let stages: [(LeaseKind, ConcurrencySettings?)] = [(.job, job.concurrency), (.reusableWorkflow, job.calledWorkflowConcurrency)]
        for (kind, settings) in stages {
            guard let settings else { continue }
            let item = QueueItem(run: job.run, job: id, kind: kind, waitingSince: now)
            switch position(of: item, in: GroupKey(settings.group)) {
            case 0?:
                continue
            case .some:
                return
            case nil:
                jobs[id]!.status = .pending
                guard request(item, settings, now: now), jobs[id]?.status == .pending else { return }
            }
        }
        jobs[id]!.status = .inProgress
        if job.callsReusableWorkflow {
            startReadyJobs(of: job.run, under: id, now: now)
            finishUsesJobIfDone(id, now: now)
        }
    }

    /// Asks for a lease under the newcomer's settings. Answers whether the newcomer holds it now;
    /// otherwise it waits (or its owner was cancelled, as a deadlock or for a full queue).
    private mutating func request(_ item: QueueItem, _ settings: ConcurrencySettings, now: Timestamp) -> Bool {
        let key = GroupKey(settings.group)
        let label = groups[key]?.name ?? groupNames[key] ?? settings.group
        if let group = groups[key], positionOfEnclosingItem(for: item, in: group) != nil {
            let jobName = item.job.flatMap { jobs[$0]?.name } ?? runs[item.run]?.name ?? ""
            cancel(item.run, reason: CancellationReason.deadlock(label, job: jobName), now: now)
            return false
        }
        switch settings.queue {
        case .single:
            for _ in 0..<maximumQueueLength {
                guard let pending = groups[key]?.queue.dropFirst().first else { break }
                cancelOwner(of: pending, reason: CancellationReason.higherPriorityWaiting(label), now: now)
            }
        case .max:
            if let group = groups[key], group.queue.count >= maximumQueueLength {
                cancelOwner(of: item, reason: CancellationReason.queueFull(label), now: now)
                return false
            }
        }
        if settings.cancelInProgress, let holder = groups[key]?.queue.first {
            cancelOwner(of: holder, reason: CancellationReason.higherPriorityWaiting(label), now: now)
        }
        guard ownerIsWaiting(item) else { return false }
        if let group = groups[key], group.queue.count >= maximumQueueLength {
            cancelOwner(of: item, reason: CancellationReason.queueFull(label), now: now)
            return false
        }
        return append(item, to: settings.group, now: now) == 0
    }

    private func ownerIsWaiting(_ item: QueueItem) -> Bool {
        switch item.kind {
        case .workflow: return runs[item.run]?.status == .pending
        case .job, .reusableWorkflow: return item.job.flatMap { jobs[$0] }?.status == .pending
        }
    }

    private func position(of item: QueueItem, in key: GroupKey) -> Int? {
        groups[key]?.queue.firstIndex { $0.isSameLease(as: item) }
    }

    /// Releases an item; the item that acquires the lease because of it moves its owner on (as a
    /// follow-up).
    private mutating func release(_ item: QueueItem, from key: GroupKey, now: Timestamp) {
        guard let promoted = remove(item, from: key, now: now) else { return }
        followUps.append(.acquired(promoted))
    }

    /// Every item the run holds or awaits, with its group.
    private func items(of run: RunID, where include: (QueueItem) -> Bool) -> [(GroupKey, QueueItem)] {
        var found: [(GroupKey, QueueItem)] = []
        for key in runs[run]?.configuredGroups ?? [] {
            for item in groups[key]?.queue ?? [] where item.run == run && include(item) {
                found.append((key, item))
            }
        }
        return found
    }

    private mutating func cancelOwner(of item: QueueItem, reason: String, now: Timestamp) {
        switch item.kind {
        case .workflow: cancel(item.run, reason: reason, now: now)
        case .job, .reusableWorkflow: if let job = item.job { cancelJob(job, reason: reason, now: now) }
        }
    }

    /// Cancels a run from outside (the control API) and follows the cascade through.
    mutating func cancelRun(_ run: RunID, reason: String, now: Timestamp) {
        cancel(run, reason: reason, now: now)
        drainFollowUps(now: now)
    }

    private mutating func cancel(_ run: RunID, reason: String, now: Timestamp) {
        guard let record = runs[run], record.status != .completed else { return }
        runs[run]!.status = .completed
        runs[run]!.conclusion = .cancelled
        runs[run]!.cancellationReason = reason
        for job in record.jobs { markCompleted(job, conclusion: .cancelled, reason: reason) }
        for (key, item) in items(of: run, where: { _ in true }) {
            release(item, from: key, now: now)
        }
    }

    private mutating func cancelJob(_ id: JobID, reason: String, now: Timestamp) {
        guard let job = jobs[id], job.status != .completed else { return }
        markCompleted(id, conclusion: .cancelled, reason: reason)
        releaseItems(of: descendantsOrSelf(of: id), run: job.run, now: now)
        followUps.append(.jobFinished(id))
    }

    /// Completes a job that ran steps, releases its leases and moves the run on.
    mutating func finish(_ id: JobID, conclusion: Conclusion, now: Timestamp) {
        guard let job = jobs[id], job.status == .inProgress else { return }
        markCompleted(id, conclusion: conclusion, reason: nil)
        releaseItems(of: [id], run: job.run, now: now)
        followUps.append(.jobFinished(id))
        drainFollowUps(now: now)
    }

    private mutating func releaseItems(of family: [JobID], run: RunID, now: Timestamp) {
        for (key, item) in items(of: run, where: { $0.job.map(family.contains) ?? false }) {
            release(item, from: key, now: now)
        }
    }

    /// A `uses:` job completes when every job of its called workflow has.
    private mutating func finishUsesJobIfDone(_ id: JobID, now: Timestamp) {
        guard let job = jobs[id], job.status == .inProgress, job.callsReusableWorkflow else { return }
        let children = runs[job.run]!.jobs.compactMap { jobs[$0] }.filter { $0.parent == id }
        guard children.allSatisfy({ $0.status == .completed }) else { return }
        markCompleted(id, conclusion: Self.aggregate(children.map(\.conclusion)), reason: nil)
        releaseItems(of: [id], run: job.run, now: now)
        followUps.append(.jobFinished(id))
    }

    /// A run completes when all its jobs have, releasing its workflow-level lease.
    private mutating func settle(_ run: RunID, now: Timestamp) {
        guard let record = runs[run], record.status == .inProgress else { return }
        let all = record.jobs.compactMap { jobs[$0] }
        guard all.allSatisfy({ $0.status == .completed }) else { return }
        runs[run]!.status = .completed
        let conclusion = Self.aggregate(all.map(\.conclusion))
        runs[run]!.conclusion = conclusion
        if conclusion == .cancelled {
            runs[run]!.cancellationReason = all.first { $0.conclusion == .cancelled }?.cancellationReason
        }
        for (key, item) in items(of: run, where: { $0.kind == .workflow }) {
            release(item, from: key, now: now)
        }
    }

    /// Failure outweighs cancellation, which outweighs success; skipped jobs count for nothing.
    static func aggregate(_ conclusions: [Conclusion?]) -> Conclusion {
        if conclusions.contains(.failure) { return .failure }
        if conclusions.contains(.cancelled) { return .cancelled }
        return .success
    }

    private mutating func markCompleted(_ id: JobID, conclusion: Conclusion, reason: String?) {
        for member in descendantsOrSelf(of: id) where jobs[member]?.status != .completed {
            jobs[member]!.status = .completed
            jobs[member]!.conclusion = conclusion
            jobs[member]!.cancellationReason = conclusion == .cancelled ? reason : nil
        }
    }

    /// The job and every job inside it (for a `uses:` job, the called workflow's jobs, nested).
    func descendantsOrSelf(of id: JobID) -> [JobID] {
        guard let run = jobs[id].flatMap({ runs[$0.run] }) else { return [id] }
        var family = [id]
        for job in run.jobs where jobs[job]?.parent.map(family.contains) == true {
            family.append(job)
        }
        return family
    }
}
