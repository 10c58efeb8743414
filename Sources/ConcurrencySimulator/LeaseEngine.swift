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
    /// What the operation did, in order, for the event journal.
    private(set) var events: [SimulationEvent] = []

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

    private mutating func emit(
        _ type: SimulationEvent.EventType, run: RunID?, job: JobID? = nil, group: GroupKey? = nil, kind: LeaseKind? = nil,
        conclusion: Conclusion? = nil, cause: CancellationCause? = nil
    ) {
        events.append(SimulationEvent(
            type, at: now, repository: "\(repository.owner)/\(repository.name)", run: run, job: job,
            group: group.map(repository.displayName), leaseKind: kind, conclusion: conclusion, cause: cause))
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

    /// Starts (or skips) every queued job below `parent` whose `needs` have completed. This is
    /// where a job becomes ready, and so where its gate (`if:`, a deferred job-level group) is
    /// consulted; without a gate a job runs when every need succeeded (GitHub's `success()`).
    private mutating func startReadyJobs(of run: RunID, under parent: JobID?) {
        var progressed = true
        while progressed, repository.runs[run]?.status == .inProgress {
            progressed = false
            for id in repository.runs[run]!.jobs {
                guard let job = repository.jobs[id], job.parent == parent, job.status == .queued else { continue }
                let needs = job.needs.compactMap { repository.jobs[$0] }
                guard needs.allSatisfy({ $0.status == .completed }) else { continue }
                let decision = job.gate?.base.decide(gateInput(for: job, needs: needs))
                    ?? (needs.allSatisfy { $0.conclusion == .success } ? .run(job.concurrency) : .skip(needsFailed: true))
                switch decision {
                case .skip(let needsFailed):
                    var cause: CancellationCause?
                    if needsFailed, let failed = needs.first(where: { $0.conclusion != .success }) {
                        cause = CancellationCause(
                            reason: .needsFailed, byRun: run, byJob: failed.id,
                            message: "Skipped since job '\(failed.name)' it needs concluded \(failed.conclusion?.rawValue ?? "without a conclusion")")
                    }
                    markCompleted(id, conclusion: .skipped, cause: cause)
                case .fail:
                    markCompleted(id, conclusion: .failure, cause: nil)
                case .run(let settings):
                    if job.gate?.base.defersConcurrency == true {
                        if let settings, Simulator.groupNameProblem(settings.group) != nil {
                            markCompleted(id, conclusion: .failure, cause: nil)
                            progressed = true
                            continue
                        }
                        repository.jobs[id]!.concurrency = settings
                        if let settings { repository.include(groupNamed: settings.group, inRun: run) }
                    }
                    startJob(id)
                }
                progressed = true
            }
        }
    }

    /// What a job's gate reads: its needs' results and outputs, whether anything it depends on
    /// failed or was cancelled, and the attempt.
    private func gateInput(for job: Job, needs: [Job]) -> JobGateInput {
        var seen: Set<JobID> = []
        var pending = job.needs
        var failed = false
        var cancelled = false
        while let next = pending.popLast() {
            guard seen.insert(next).inserted, let record = repository.jobs[next] else { continue }
            if record.conclusion == .failure { failed = true }
            if record.conclusion == .cancelled { cancelled = true }
            pending += record.needs
        }
        return JobGateInput(
            needs: needs.map { JobGateInput.Finished(key: $0.key, result: $0.conclusion ?? .skipped, outputs: $0.outputs) },
            ancestorFailed: failed, ancestorCancelled: cancelled, attempt: repository.runs[job.run]?.attempt ?? 1)
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
        emit(.jobStarted, run: job.run, job: id)
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
        let label = repository.knownName(of: key) ?? settings.group
        if let group = repository.group(key), repository.positionOfEnclosingItem(for: item, in: group) != nil {
            let jobName = item.job.flatMap { repository.jobs[$0]?.name } ?? repository.runs[item.run]?.name ?? ""
            cancel(item.run, cause: CancellationCause(reason: .deadlock, group: label, message: CancellationReason.deadlock(label, job: jobName)))
            return false
        }
        switch settings.queue {
        case .single:
            for _ in 0..<maximumQueueLength {
                guard let pending = repository.group(key)?.queue.dropFirst().first else { break }
                cancelOwner(of: pending, cause: CancellationCause(
                    reason: .superseded, byRun: item.run, byJob: item.job, group: label, message: CancellationReason.higherPriorityWaiting(label)))
            }
        case .max:
            if let group = repository.group(key), group.queue.count >= maximumQueueLength {
                cancelOwner(of: item, cause: CancellationCause(reason: .queueFull, group: label, message: CancellationReason.queueFull(label)))
                return false
            }
        }
        if settings.cancelInProgress, let holder = repository.group(key)?.queue.first {
            cancelOwner(of: holder, cause: CancellationCause(
                reason: .cancelInProgress, byRun: item.run, byJob: item.job, group: label, message: CancellationReason.higherPriorityWaiting(label)))
        }
        guard ownerIsWaiting(item) else { return false }
        if let group = repository.group(key), group.queue.count >= maximumQueueLength {
            cancelOwner(of: item, cause: CancellationCause(reason: .queueFull, group: label, message: CancellationReason.queueFull(label)))
            return false
        }
        let position = repository.append(item, to: settings.group, now: now)
        emit(.groupRequested, run: item.run, job: item.job, group: key, kind: item.kind)
        if position == 0 { emit(.groupAcquired, run: item.run, job: item.job, group: key, kind: item.kind) }
        return position == 0
    }

    private func ownerIsWaiting(_ item: QueueItem) -> Bool {
        switch item.kind {
        case .workflow: return repository.runs[item.run]?.status == .pending
        case .job, .reusableWorkflow: return item.job.flatMap { repository.jobs[$0] }?.status == .pending
        }
    }

    private func position(of item: QueueItem, in key: GroupKey) -> Int? {
        repository.group(key)?.queue.firstIndex { $0.isSameLease(as: item) }
    }

    /// Releases an item; the item that acquires the lease because of it moves its owner on (as a
    /// follow-up).
    private mutating func release(_ item: QueueItem, from key: GroupKey) {
        let promoted = repository.remove(item, from: key, now: now)
        emit(.groupReleased, run: item.run, job: item.job, group: key, kind: item.kind)
        guard let promoted else { return }
        emit(.groupAcquired, run: promoted.run, job: promoted.job, group: key, kind: promoted.kind)
        followUps.append(.acquired(promoted))
    }

    /// Every item the run holds or awaits, with its group.
    private func items(of run: RunID, where include: (QueueItem) -> Bool) -> [(GroupKey, QueueItem)] {
        var found: [(GroupKey, QueueItem)] = []
        guard let record = repository.runs[run] else { return [] }
        for key in repository.configuredGroups(of: record) {
            for item in repository.group(key)?.queue ?? [] where item.run == run && include(item) {
                found.append((key, item))
            }
        }
        return found
    }

    private mutating func cancelOwner(of item: QueueItem, cause: CancellationCause) {
        switch item.kind {
        case .workflow: cancel(item.run, cause: cause)
        case .job, .reusableWorkflow: if let job = item.job { cancelJob(job, cause: cause) }
        }
    }

    /// Cancels a run from outside (the control API) and follows the cascade through.
    mutating func cancelRun(_ run: RunID, cause: CancellationCause) {
        cancel(run, cause: cause)
        drainFollowUps()
    }

    private mutating func cancel(_ run: RunID, cause: CancellationCause) {
        guard let record = repository.runs[run], record.status != .completed else { return }
        repository.runs[run]!.status = .completed
        repository.completionOrder.append(run)
        repository.runs[run]!.conclusion = .cancelled
        repository.runs[run]!.cancellationReason = cause.message
        repository.runs[run]!.cancelledBy = cause
        repository.runs[run]!.times.completedAt = now
        touch(run)
        emit(.runCancelled, run: run, cause: cause)
        for job in record.jobs { markCompleted(job, conclusion: .cancelled, cause: cause) }
        for (key, item) in items(of: run, where: { _ in true }) {
            release(item, from: key)
        }
        emit(.runCompleted, run: run, conclusion: .cancelled)
    }

    private mutating func cancelJob(_ id: JobID, cause: CancellationCause) {
        guard let job = repository.jobs[id], job.status != .completed else { return }
        markCompleted(id, conclusion: .cancelled, cause: cause)
        releaseItems(of: descendantsOrSelf(of: id), run: job.run)
        followUps.append(.jobFinished(id))
    }

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

    /// Completes a job that ran steps, releases its leases and moves the run on.
    mutating func finish(_ id: JobID, conclusion: Conclusion, outputs: [String: String] = [:]) {
        guard let job = repository.jobs[id], job.status == .inProgress else { return }
        repository.jobs[id]!.outputs = outputs
        markCompleted(id, conclusion: conclusion, cause: nil)
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
        if let gate = job.gate {
            let finished = children.map { JobGateInput.Finished(key: $0.key, result: $0.conclusion ?? .skipped, outputs: $0.outputs) }
            repository.jobs[id]!.outputs = gate.base.outputs(ofCalledJobs: finished, attempt: repository.runs[job.run]?.attempt ?? 1)
        }
        markCompleted(id, conclusion: Self.aggregate(children.map(\.conclusion)), cause: nil)
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
        repository.completionOrder.append(run)
        let conclusion = Self.aggregate(all.map(\.conclusion))
        repository.runs[run]!.conclusion = conclusion
        if conclusion == .cancelled, let cancelled = all.first(where: { $0.conclusion == .cancelled }) {
            repository.runs[run]!.cancellationReason = cancelled.cancellationReason
            repository.runs[run]!.cancelledBy = cancelled.cancelledBy
            emit(.runCancelled, run: run, cause: cancelled.cancelledBy)
        }
        for (key, item) in items(of: run, where: { $0.kind == .workflow }) {
            release(item, from: key)
        }
        emit(.runCompleted, run: run, conclusion: conclusion)
    }

    /// Failure outweighs cancellation, which outweighs success; skipped jobs count for nothing,
    /// except that when every job was skipped the whole is skipped.
    static func aggregate(_ conclusions: [Conclusion?]) -> Conclusion {
        if conclusions.contains(.failure) { return .failure }
        if conclusions.contains(.cancelled) { return .cancelled }
        if !conclusions.isEmpty, conclusions.allSatisfy({ $0 == .skipped }) { return .skipped }
        return .success
    }

    /// Completes the job and the jobs inside it. `cause` says why for a cancellation, and for a
    /// skip because a need failed (recorded on the job for a cancellation only).
    private mutating func markCompleted(_ id: JobID, conclusion: Conclusion, cause: CancellationCause?) {
        for member in descendantsOrSelf(of: id) where repository.jobs[member]?.status != .completed {
            let cancelled = conclusion == .cancelled
            repository.jobs[member]!.status = .completed
            repository.jobs[member]!.conclusion = conclusion
            repository.jobs[member]!.cancellationReason = cancelled ? cause?.message : nil
            repository.jobs[member]!.cancelledBy = cancelled ? cause : nil
            repository.jobs[member]!.times.completedAt = now
            if repository.jobs[member]!.times.startedAt == nil { repository.jobs[member]!.times.startedAt = now }
            let run = repository.jobs[member]!.run
            if cancelled { emit(.jobCancelled, run: run, job: member, cause: cause) }
            emit(.jobCompleted, run: run, job: member, conclusion: conclusion, cause: cancelled ? nil : cause)
        }
        if let run = repository.jobs[id]?.run { touch(run) }
    }

    /// Records a change of the run or one of its jobs: GitHub's `updated_at`.
    private mutating func touch(_ run: RunID) {
        repository.runs[run]?.times.updatedAt = now
    }

    /// Starts a new attempt of a completed run: the selected jobs get new records, numbered
    /// from `firstID` in declaration order, queued; the jobs not selected are carried over with
    /// their results (so their dependents can start); the run re-enters its groups by the queue
    /// rules. The earlier attempt keeps its job list and its records, unchanged. `selected`
    /// must be closed under the rules of `Simulator.rerunSelection`, the run completed and the
    /// new ids free; the simulator validated all three.
    mutating func rerun(_ run: RunID, jobs selected: Set<JobID>, newIDsFrom firstID: Int, actor: String) {
        guard var record = repository.runs.removeValue(forKey: run), record.status == .completed, let conclusion = record.conclusion else { return }
        repository.completionOrder.remove(run)
        record.previousAttempts.append(RunAttempt(
            number: record.attempt, conclusion: conclusion, triggeringActor: record.origin.triggeringActor,
            startedAt: record.times.startedAt, updatedAt: record.times.updatedAt, jobs: Array(record.jobs)))
        record.attempt += 1
        record.status = .queued
        record.conclusion = nil
        record.cancellationReason = nil
        record.cancelledBy = nil
        record.origin.triggeringActor = actor
        record.times.startedAt = now
        record.times.updatedAt = now
        record.times.completedAt = nil
        // The workflow-level group is evaluated again for the new attempt (`github.run_attempt`).
        var reevaluatedGroup: String?
        if let gate = record.gate,
           case .run(let settings) = gate.base.decide(JobGateInput(needs: [], ancestorFailed: false, ancestorCancelled: false, attempt: record.attempt)),
           settings.map({ Simulator.groupNameProblem($0.group) == nil }) ?? true {
            record.concurrency = settings
            reevaluatedGroup = settings?.group
        }
        var renamed: [JobID: JobID] = [:]
        for id in record.jobs where selected.contains(id) { renamed[id] = JobID(firstID + renamed.count) }
        for id in record.jobs {
            guard let newID = renamed[id] else { continue }
            repository.jobs[newID] = repository.jobs[id]!.startedAgain(as: newID, renaming: renamed, attempt: record.attempt, at: now)
        }
        record.jobs = JobIDList(record.jobs.map { renamed[$0] ?? $0 })
        repository.runs[run] = record
        if let reevaluatedGroup { repository.include(groupNamed: reevaluatedGroup, inRun: run) }
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

extension Job {
    /// The record that runs this job again in a new attempt: a new id, queued, without results,
    /// its `uses:` parent and needs renamed to their new records where they run again too (a
    /// need carried over keeps its id). A deferred job-level group is evaluated again when the
    /// new record becomes ready.
    func startedAgain(as id: JobID, renaming renamed: [JobID: JobID], attempt: Int, at now: Timestamp) -> Job {
        let spec = Simulator.JobSpec(
            id: id, name: name, key: key, parent: parent.map { renamed[$0] ?? $0 }, callsReusableWorkflow: callsReusableWorkflow,
            needs: needs.map { renamed[$0] ?? $0 }, concurrency: gate?.base.defersConcurrency == true ? nil : concurrency,
            calledWorkflowConcurrency: calledWorkflowConcurrency, gate: gate, status: .queued, attempt: attempt)
        // The same shape when its parent and needs run again too (at the same distances); a need
        // carried over keeps its id, so the distance to it changes.
        let renamedShape = JobShape(of: spec)
        return Job(spec, run: run, createdAt: now, shape: renamedShape == shape ? shape : renamedShape)
    }
}

extension Simulator {
    /// Lends the repository to a lease engine for one operation. It is moved out of
    /// `repositories` and back, never copied, so the engine mutates the only reference.
    mutating func withEngine(on key: RepositoryKey, _ operation: (inout LeaseEngine) -> Void) {
        guard let repository = repositories.removeValue(forKey: key) else { return }
        var engine = LeaseEngine(repository: repository, now: now)
        operation(&engine)
        events += engine.events
        // Consumed, not copied: an engine still holding the repository would make the next
        // change to it (dropping completed runs) copy all its runs.
        repositories[key] = (consume engine).repository
        dropCompletedRunsBeyondRetention(in: key)
    }
}
