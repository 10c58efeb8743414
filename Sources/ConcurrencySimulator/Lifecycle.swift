/// A run as a workflow file defines it, evaluated for one trigger: what `Simulator.trigger` runs.
public struct RunPlan: Sendable {
    public let name: String
    /// The workflow file, `deploy.yml`.
    public let workflow: String
    /// The workflow-level `concurrency`.
    public let concurrency: ConcurrencySettings?
    /// Jobs in declaration order; a `uses:` job comes before the called workflow's jobs.
    public let jobs: [PlannedJob]
    /// What the trigger gave: event, ref, sha, actor.
    public let origin: RunOrigin
    /// Re-evaluates `concurrency` for a re-run's attempt.
    public let gate: AnyJobGate?

    public init(
        name: String, workflow: String, concurrency: ConcurrencySettings?, jobs: [PlannedJob], origin: RunOrigin = RunOrigin(),
        gate: AnyJobGate? = nil
    ) {
        self.gate = gate
        self.origin = origin
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
    /// Decides `if:` and a deferred job-level `concurrency` when the job becomes ready.
    public let gate: AnyJobGate?

    public init(
        key: String, name: String, parent: Int? = nil, needs: [Int] = [], callsReusableWorkflow: Bool = false,
        concurrency: ConcurrencySettings? = nil, calledWorkflowConcurrency: ConcurrencySettings? = nil, gate: AnyJobGate? = nil
    ) {
        self.gate = gate
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
        if let problem = jobIDsUsedUp(byJobs: plan.jobs.count, of: "this run") { throw SimulatorError(problem) }
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
                concurrency: job.concurrency, calledWorkflowConcurrency: job.calledWorkflowConcurrency, gate: job.gate, status: .queued))
        }
        try Self.checkAcyclic(plan)
        try addRun(in: repositoryKey, RunSpec(
            id: runID, name: plan.name, workflow: plan.workflow, jobs: specs, configuredGroups: [],
            concurrency: plan.concurrency, gate: plan.gate, status: .queued, origin: plan.origin, times: .at(now)))
        // Read in one expression: a copy of the repository held past it would make the engine copy its storage.
        let repositoryName = repositories[repositoryKey].map { "\($0.owner)/\($0.name)" }
        events.append(SimulationEvent(.runCreated, at: now, repository: repositoryName, run: runID))
        withEngine(on: repositoryKey) { $0.start(runID) }
        return runID
    }

    /// The id the next triggered run gets.
    public var nextRunID: RunID { RunID(max(highestRunID + 1, runIDStart?.rawValue ?? 1)) }

    /// The id the first job of the next triggered run gets.
    public var nextJobID: JobID { JobID(max(highestJobID + 1, jobIDStart?.rawValue ?? 1)) }

    /// Why `count` new jobs of `what` cannot get ids from `nextJobID` on (the last would pass
    /// `largestIdentifier`), or `nil` when they fit.
    func jobIDsUsedUp(byJobs count: Int, of what: String) -> String? {
        let first = nextJobID.rawValue
        guard count > Self.largestIdentifier - first + 1 else { return nil }
        return "job ids are used up: \(what)'s \(count) jobs would end at \(first + count - 1), past \(Self.largestIdentifier) (2^53 - 1, beyond which JavaScript clients lose precision)"
    }

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

    /// GitHub's limit on one job's outputs: 1 MiB, names and values counted in UTF-8.
    public static let maximumJobOutputBytes = 1 << 20

    /// Completes an in-progress job that runs steps (not a `uses:` job, which completes with its
    /// called workflow's jobs) with the outputs it produced, then lets whatever waited on it move.
    public mutating func completeJob(_ id: JobID, conclusion: Conclusion, outputs: [String: String] = [:]) throws(SimulatorError) {
        defer { checkInvariantsInDebugBuilds() }
        guard let key = repositoryKey(ofJob: id), let job = repositories[key]?.jobs[id] else {
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
        try Self.validateOutputs(outputs, of: id)
        withEngine(on: key) { $0.finish(id, conclusion: conclusion, outputs: outputs) }
    }

    /// Output names are non-empty stored names; names and values together fit
    /// `maximumJobOutputBytes`.
    public static func validateOutputs(_ outputs: [String: String], of id: JobID) throws(SimulatorError) {
        var bytes = 0
        for (name, value) in outputs.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty else { throw SimulatorError("an output of job \(id) has an empty name", field: "outputs") }
            if let problem = StoredName.problem(name, "the output name '\(name)' of job \(id)") {
                throw SimulatorError(problem, field: "outputs")
            }
            bytes += name.utf8.count + value.utf8.count
        }
        guard bytes <= maximumJobOutputBytes else {
            throw SimulatorError("the outputs of job \(id) take \(bytes) bytes; a job's outputs take at most \(maximumJobOutputBytes)", field: "outputs")
        }
    }

    /// Completes the run's in-progress jobs with success, again and again, until none is in
    /// progress. Jobs still waiting on a lease keep waiting.
    public mutating func completeRun(_ id: RunID) throws(SimulatorError) {
        defer { checkInvariantsInDebugBuilds() }
        guard let key = repositoryKey(ofRun: id), let run = repositories[key]?.runs[id] else {
            throw SimulatorError("run \(id) does not exist")
        }
        withEngine(on: key) { $0.completeRun(id, jobCount: run.jobs.count) }
    }

    /// Cancels a run that has not completed and releases all its items.
    public mutating func cancelRun(_ id: RunID, reason: String) throws(SimulatorError) {
        defer { checkInvariantsInDebugBuilds() }
        guard let key = repositoryKey(ofRun: id), let run = repositories[key]?.runs[id] else {
            throw SimulatorError("run \(id) does not exist")
        }
        guard run.status != .completed else { throw SimulatorError("run \(id) has already completed") }
        withEngine(on: key) { $0.cancelRun(id, cause: .requested(reason)) }
    }
}


/// Which jobs a re-run starts again: GitHub's three re-run operations.
public enum RerunScope: Hashable, Sendable {
    /// `POST …/rerun`: every job.
    case all
    /// `POST …/rerun-failed-jobs`: failed and cancelled jobs, and the jobs that depend on them.
    case failedJobs
    /// `POST …/jobs/{job_id}/rerun`: the job and the jobs that depend on it.
    case job(JobID)
}

/// Why the simulator refused a re-run, so an API can answer in its own words.
public enum RerunRefusal: Error, Equatable, Sendable {
    case runNotFound
    case jobNotFound
    /// The job belongs to an earlier attempt only: a re-run starts jobs of the current attempt.
    case jobNotInCurrentAttempt
    /// The run has not completed: GitHub's "This workflow is already running".
    case notCompleted
    /// Nothing to run again (no failed or cancelled job for `failedJobs`).
    case nothingToRerun
    /// The new attempt's jobs would get ids past `Simulator.largestIdentifier`; the message says how far.
    case jobIDsUsedUp(String)
}

extension Simulator {
    /// Starts a new attempt of a completed run (same id, `run_attempt` + 1). The selected jobs
    /// get new records with new ids (from the same counter as a trigger's), queued, and the run
    /// re-enters its groups by the same queue rules as a new run; jobs not selected are carried
    /// into the new attempt with their ids and results. The earlier attempt's records stay as
    /// they were, listed in its `RunAttempt`. Validated before applied: a refused re-run
    /// changes nothing.
    public mutating func rerun(_ id: RunID, scope: RerunScope, actor: String) throws(RerunRefusal) {
        defer { checkInvariantsInDebugBuilds() }
        let (key, selected) = try validatedRerun(id, scope: scope)
        if let problem = jobIDsUsedUp(byJobs: selected.count, of: "this re-run") { throw .jobIDsUsedUp(problem) }
        let firstID = nextJobID.rawValue
        for offset in 0..<selected.count { locate(JobID(firstID + offset), in: key) }
        highestJobID = max(highestJobID, firstID + selected.count - 1)
        withEngine(on: key) { $0.rerun(id, jobs: selected, newIDsFrom: firstID, actor: actor) }
    }

    /// The repository and the jobs a re-run would start again; reads only, so no copy of the
    /// repository outlives it into the engine (which would then copy its storage).
    private func validatedRerun(_ id: RunID, scope: RerunScope) throws(RerunRefusal) -> (RepositoryKey, Set<JobID>) {
        guard let key = repositoryKey(ofRun: id), let repository = repositories[key], let run = repository.runs[id] else { throw .runNotFound }
        if case .job(let job) = scope {
            guard repository.jobs[job]?.run == id else { throw .jobNotFound }
            guard run.jobs.contains(job) else { throw .jobNotInCurrentAttempt }
        }
        guard run.status == .completed else { throw .notCompleted }
        let selected = Self.rerunSelection(scope, of: run, in: repository)
        guard !selected.isEmpty else { throw .nothingToRerun }
        return (key, selected)
    }

    /// The jobs a re-run starts again, of the current attempt. Seeds: every job, the failed and
    /// cancelled jobs that run steps, or the one job. Then, until nothing is added: the `uses:`
    /// jobs enclosing a selected job (they must run again for it to run) and every job that
    /// needs a selected job. A `uses:` job that runs again runs its whole called workflow again,
    /// so a called workflow's jobs (and the outputs mapped from them) always belong to one attempt.
    static func rerunSelection(_ scope: RerunScope, of run: WorkflowRun, in repository: Repository) -> Set<JobID> {
        let jobs = run.jobs.compactMap { repository.jobs[$0] }
        func withDescendants(_ ids: [JobID]) -> Set<JobID> {
            var family = Set(ids)
            for job in jobs where job.parent.map(family.contains) == true { family.insert(job.id) }
            return family
        }
        var selected: Set<JobID>
        switch scope {
        case .all:
            return Set(run.jobs)
        case .failedJobs:
            selected = Set(jobs.filter { !$0.callsReusableWorkflow && ($0.conclusion == .failure || $0.conclusion == .cancelled) }.map(\.id))
        case .job(let id):
            selected = withDescendants([id])
        }
        guard !selected.isEmpty else { return [] }
        var changed = true
        while changed {
            changed = false
            let enclosing = Set(selected.flatMap { repository.ancestorsOrSelf(of: $0).dropFirst() })
            for job in jobs where !selected.contains(job.id) && (enclosing.contains(job.id) || job.needs.contains(where: selected.contains)) {
                selected.formUnion(withDescendants([job.id]))
                changed = true
            }
        }
        return selected
    }
}
