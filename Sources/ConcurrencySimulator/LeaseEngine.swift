/// The rules that move runs and jobs along, applied to one repository for one operation.
///
/// The engine takes the repository out of the simulator for the operation (see
/// `Simulator.withEngine`), so it holds the only reference and mutates it in place. Every entry
/// point (`start`, `finish`, `completeRun`, `cancelRun`) leaves the invariants of `Repository`
/// intact: cascades (a release handing the lease on, a cancellation skipping dependents) are
/// queued in `followUps` and followed to the end before it returns, instead of by recursion,
/// so however long a chain of hand-overs and cancellations is, the stack stays shallow.
struct LeaseEngine {
    var repository: Repository
    /// The time of the operation: lease acquisitions and waiting times are stamped with it.
    let now: Timestamp
    /// Steps a cascade left to do; empty whenever no entry point is running.
    private var followUps: [FollowUp] = []

    /// A step of a cascade, queued rather than taken by recursion.
    private enum FollowUp {
        /// The item acquired the lease; its owner moves on.
        case acquired(QueueItem)
        /// The job completed; its dependents, its `uses:` parent and its run move on.
        case jobFinished(JobID)
    }

    init(repository: Repository, now: Timestamp) {
        self.repository = repository
        self.now = now
    }

    mutating func start(_ run: RunID) {
        defer { drainFollowUps() }
        guard let record = repository.runs[run], record.status == .queued else { return }
        touch(run)
        if let settings = record.concurrency {
            repository.runs[run]!.status = .pending
            guard request(QueueItem(run: run, job: nil, kind: .workflow, waitingSince: now), settings) else { return }
        }
        runAcquiredLease(run)
    }

    /// Runs the follow-ups cascades left, in order, until none is left. Cascades go through this
    /// queue instead of recursing, so however long a chain of hand-overs and cancellations is,
    /// the stack stays shallow.
    private mutating func drainFollowUps() {
        var index = 0
        while index < followUps.count {
            let next = followUps[index]
            index += 1
            switch next {
            case .acquired(let promoted):
                switch promoted.kind {
                case .workflow:
                    if repository.runs[promoted.run]?.status == .pending { runAcquiredLease(promoted.run) }
                case .job, .reusableWorkflow:
                    if let job = promoted.job, repository.jobs[job]?.status == .pending { startJob(job) }
                }
            case .jobFinished(let id):
                guard let job = repository.jobs[id] else { continue }
                startReadyJobs(of: job.run, under: job.parent)
                if let parent = job.parent { finishUsesJobIfDone(parent) }
                settle(job.run)
            }
        }
        followUps.removeAll()
    }

    private mutating func runAcquiredLease(_ run: RunID) {
        guard repository.runs[run]?.status == .pending || repository.runs[run]?.status == .queued else { return }
        repository.runs[run]!.status = .inProgress
        touch(run)
        startReadyJobs(of: run, under: nil)
        settle(run)
    }

    /// Starts (or skips) every queued job below `parent` whose `needs` have completed.
    private mutating func startReadyJobs(of run: RunID, under parent: JobID?) {
        var progressed = true
        while progressed, repository.runs[run]?.status == .inProgress {
            progressed = false
            for id in repository.runs[run]!.jobs {
                guard let job = repository.jobs[id], job.parent == parent, job.status == .queued else { continue }
                let needs = job.needs.compactMap { repository.jobs[$0] }
                guard needs.allSatisfy({ $0.status == .completed }) else { continue }
                if needs.allSatisfy({ $0.conclusion == .success }) {
                    startJob(id)
                } else {
                    markCompleted(id, conclusion: .skipped, reason: nil)
                }
                progressed = true
            }
        }
    }

    /// Moves a job through its leases: its own job-level lease, then (for a `uses:` job) the
    /// called workflow's lease, then in progress. Called again each time one of them is acquired.
    private mutating func startJob(_ id: JobID) {
        guard let job = repository.jobs[id], job.status == .queued || job.status == .pending else { return }
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
                repository.jobs[id]!.status = .pending
                touch(job.run)
                guard request(item, settings), repository.jobs[id]?.status == .pending else { return }
            }
        }
        repository.jobs[id]!.status = .inProgress
        repository.jobs[id]!.times.startedAt = now
        touch(job.run)
        if job.callsReusableWorkflow {
            startReadyJobs(of: job.run, under: id)
            finishUsesJobIfDone(id)
        }
    }

    /// Asks for a lease under the newcomer's settings. Answers whether the newcomer holds it now;
    /// otherwise it waits (or its owner was cancelled, as a deadlock or for a full queue).
    private mutating func request(_ item: QueueItem, _ settings: ConcurrencySettings) -> Bool {
        let key = GroupKey(settings.group)
        let label = repository.groups[key]?.name ?? repository.groupNames[key] ?? settings.group
        if let group = repository.groups[key], repository.positionOfEnclosingItem(for: item, in: group) != nil {
            let jobName = item.job.flatMap { repository.jobs[$0]?.name } ?? repository.runs[item.run]?.name ?? ""
            cancel(item.run, reason: CancellationReason.deadlock(label, job: jobName))
            return false
        }
        switch settings.queue {
        case .single:
            for _ in 0..<maximumQueueLength {
                guard let pending = repository.groups[key]?.queue.dropFirst().first else { break }
                cancelOwner(of: pending, reason: CancellationReason.higherPriorityWaiting(label))
            }
        case .max:
            if let group = repository.groups[key], group.queue.count >= maximumQueueLength {
                cancelOwner(of: item, reason: CancellationReason.queueFull(label))
                return false
            }
        }
        if settings.cancelInProgress, let holder = repository.groups[key]?.queue.first {
            cancelOwner(of: holder, reason: CancellationReason.higherPriorityWaiting(label))
        }
        guard ownerIsWaiting(item) else { return false }
        if let group = repository.groups[key], group.queue.count >= maximumQueueLength {
            cancelOwner(of: item, reason: CancellationReason.queueFull(label))
            return false
        }
        return repository.append(item, to: settings.group, now: now) == 0
    }

    private func ownerIsWaiting(_ item: QueueItem) -> Bool {
        switch item.kind {
        case .workflow: return repository.runs[item.run]?.status == .pending
        case .job, .reusableWorkflow: return item.job.flatMap { repository.jobs[$0] }?.status == .pending
        }
    }

    private func position(of item: QueueItem, in key: GroupKey) -> Int? {
        repository.groups[key]?.queue.firstIndex { $0.isSameLease(as: item) }
    }

    /// Releases an item; the item that acquires the lease because of it moves its owner on (as a
    /// follow-up).
    private mutating func release(_ item: QueueItem, from key: GroupKey) {
        guard let promoted = repository.remove(item, from: key, now: now) else { return }
        followUps.append(.acquired(promoted))
    }

    /// Every item the run holds or awaits, with its group.
    private func items(of run: RunID, where include: (QueueItem) -> Bool) -> [(GroupKey, QueueItem)] {
        var found: [(GroupKey, QueueItem)] = []
        for key in repository.runs[run]?.configuredGroups ?? [] {
            for item in repository.groups[key]?.queue ?? [] where item.run == run && include(item) {
                found.append((key, item))
            }
        }
        return found
    }

    private mutating func cancelOwner(of item: QueueItem, reason: String) {
        switch item.kind {
        case .workflow: cancel(item.run, reason: reason)
        case .job, .reusableWorkflow: if let job = item.job { cancelJob(job, reason: reason) }
        }
    }

    /// Cancels a run from outside (the control API) and follows the cascade through.
    mutating func cancelRun(_ run: RunID, reason: String) {
        cancel(run, reason: reason)
        drainFollowUps()
    }

    private mutating func cancel(_ run: RunID, reason: String) {
        guard let record = repository.runs[run], record.status != .completed else { return }
        repository.runs[run]!.status = .completed
        repository.runs[run]!.conclusion = .cancelled
        repository.runs[run]!.cancellationReason = reason
        repository.runs[run]!.times.completedAt = now
        touch(run)
        for job in record.jobs { markCompleted(job, conclusion: .cancelled, reason: reason) }
        for (key, item) in items(of: run, where: { _ in true }) {
            release(item, from: key)
        }
    }

    private mutating func cancelJob(_ id: JobID, reason: String) {
        guard let job = repository.jobs[id], job.status != .completed else { return }
        markCompleted(id, conclusion: .cancelled, reason: reason)
        releaseItems(of: descendantsOrSelf(of: id), run: job.run)
        followUps.append(.jobFinished(id))
    }

    /// Completes a job that ran steps, releases its leases and moves the run on.
    /// Completes the run's in-progress jobs with success, round after round, until none is in
    /// progress; a run of `jobCount` jobs needs at most that many rounds.
    mutating func completeRun(_ id: RunID, jobCount: Int) {
        for _ in 0...jobCount {
            let running = repository.runs[id]!.jobs.filter { job in
                let record = repository.jobs[job]!
                return record.status == .inProgress && !record.callsReusableWorkflow
            }
            if running.isEmpty { return }
            for job in running where repository.jobs[job]!.status == .inProgress {
                finish(job, conclusion: .success)
            }
        }
    }

    mutating func finish(_ id: JobID, conclusion: Conclusion) {
        guard let job = repository.jobs[id], job.status == .inProgress else { return }
        markCompleted(id, conclusion: conclusion, reason: nil)
        releaseItems(of: [id], run: job.run)
        followUps.append(.jobFinished(id))
        drainFollowUps()
    }

    private mutating func releaseItems(of family: [JobID], run: RunID) {
        for (key, item) in items(of: run, where: { $0.job.map(family.contains) ?? false }) {
            release(item, from: key)
        }
    }

    /// A `uses:` job completes when every job of its called workflow has.
    private mutating func finishUsesJobIfDone(_ id: JobID) {
        guard let job = repository.jobs[id], job.status == .inProgress, job.callsReusableWorkflow else { return }
        let children = repository.runs[job.run]!.jobs.compactMap { repository.jobs[$0] }.filter { $0.parent == id }
        guard children.allSatisfy({ $0.status == .completed }) else { return }
        markCompleted(id, conclusion: Self.aggregate(children.map(\.conclusion)), reason: nil)
        releaseItems(of: [id], run: job.run)
        followUps.append(.jobFinished(id))
    }

    /// A run completes when all its jobs have, releasing its workflow-level lease.
    private mutating func settle(_ run: RunID) {
        guard let record = repository.runs[run], record.status == .inProgress else { return }
        let all = record.jobs.compactMap { repository.jobs[$0] }
        guard all.allSatisfy({ $0.status == .completed }) else { return }
        repository.runs[run]!.status = .completed
        repository.runs[run]!.times.completedAt = now
        touch(run)
        let conclusion = Self.aggregate(all.map(\.conclusion))
        repository.runs[run]!.conclusion = conclusion
        if conclusion == .cancelled {
            repository.runs[run]!.cancellationReason = all.first { $0.conclusion == .cancelled }?.cancellationReason
        }
        for (key, item) in items(of: run, where: { $0.kind == .workflow }) {
            release(item, from: key)
        }
    }

    /// Failure outweighs cancellation, which outweighs success; skipped jobs count for nothing.
    static func aggregate(_ conclusions: [Conclusion?]) -> Conclusion {
        if conclusions.contains(.failure) { return .failure }
        if conclusions.contains(.cancelled) { return .cancelled }
        return .success
    }

    private mutating func markCompleted(_ id: JobID, conclusion: Conclusion, reason: String?) {
        for member in descendantsOrSelf(of: id) where repository.jobs[member]?.status != .completed {
            repository.jobs[member]!.status = .completed
            repository.jobs[member]!.conclusion = conclusion
            repository.jobs[member]!.cancellationReason = conclusion == .cancelled ? reason : nil
            repository.jobs[member]!.times.completedAt = now
            if repository.jobs[member]!.times.startedAt == nil { repository.jobs[member]!.times.startedAt = now }
        }
        if let run = repository.jobs[id]?.run { touch(run) }
    }

    /// Records a change of the run or one of its jobs: GitHub's `updated_at`.
    private mutating func touch(_ run: RunID) {
        repository.runs[run]?.times.updatedAt = now
    }

    /// Starts a new attempt of a completed run: the selected jobs go back to queued, the run
    /// re-enters its groups by the queue rules, and jobs not selected keep their results (so
    /// their dependents can start). `selected` must be closed under the rules of
    /// `Simulator.rerunSelection` and the run completed; the simulator validated both.
    mutating func rerun(_ run: RunID, jobs selected: Set<JobID>, actor: String) {
        guard var record = repository.runs.removeValue(forKey: run), record.status == .completed, let conclusion = record.conclusion else { return }
        record.previousAttempts.append(RunAttempt(
            number: record.attempt, conclusion: conclusion, triggeringActor: record.origin.triggeringActor,
            startedAt: record.times.startedAt, updatedAt: record.times.updatedAt))
        record.attempt += 1
        record.status = .queued
        record.conclusion = nil
        record.cancellationReason = nil
        record.origin.triggeringActor = actor
        record.times.startedAt = now
        record.times.updatedAt = now
        record.times.completedAt = nil
        let attempt = record.attempt
        for id in record.jobs where selected.contains(id) {
            repository.jobs[id]!.status = .queued
            repository.jobs[id]!.conclusion = nil
            repository.jobs[id]!.cancellationReason = nil
            repository.jobs[id]!.attempt = attempt
            repository.jobs[id]!.times = JobTimes(createdAt: now)
        }
        repository.runs[run] = record
        start(run)
    }

    /// The job and every job inside it (for a `uses:` job, the called workflow's jobs, nested).
    func descendantsOrSelf(of id: JobID) -> [JobID] {
        guard let run = repository.jobs[id].flatMap({ repository.runs[$0.run] }) else { return [id] }
        var family = [id]
        for job in run.jobs where repository.jobs[job]?.parent.map(family.contains) == true {
            family.append(job)
        }
        return family
    }
}

extension Simulator {
    /// Lends the repository to a lease engine for one operation. It is moved out of
    /// `repositories` and back, never copied, so the engine mutates the only reference.
    mutating func withEngine(on key: RepositoryKey, _ operation: (inout LeaseEngine) -> Void) {
        guard let repository = repositories.removeValue(forKey: key) else { return }
        var engine = LeaseEngine(repository: repository, now: now)
        operation(&engine)
        repositories[key] = engine.repository
    }
}
