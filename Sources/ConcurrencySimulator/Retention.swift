/// Completed runs are history: they hold no queue items and no answer depends on them except
/// their own. A long-running mock keeps the newest `retainedCompletedRuns` of them per
/// repository and drops older ones with their jobs, so memory stays flat however many runs
/// pass through.
extension Simulator {
    /// Completed runs kept per repository unless `--retain-completed` says otherwise.
    public static let defaultRetainedCompletedRuns = 10_000

    /// Sets how many completed runs each repository keeps and drops the oldest beyond it now.
    /// At least 1, so the run an operation has just completed is still there to answer.
    public mutating func retainCompletedRuns(_ limit: Int) {
        precondition(limit >= 1, "at least one completed run is retained")
        retainedCompletedRuns = limit
        for key in repositories.keys { dropCompletedRunsBeyondRetention(in: key) }
        checkInvariantsInDebugBuilds()
    }

    /// Drops the repository's oldest completed runs beyond the limit, with their jobs and their
    /// places in the id maps. Each run is dropped once, so this costs O(1) amortised per run
    /// completed (times its jobs, of every attempt). Run counts per workflow stay, so `run_number` keeps counting;
    /// the highest ids stay, so ids are never reused.
    mutating func dropCompletedRunsBeyondRetention(in key: RepositoryKey) {
        // Moved out and back, never read through a copy: a copy alive while the runs are dropped
        // would make the first removal copy every run of the repository (it did: 7 ms a
        // completion at 10,000 retained runs). Nor moved at all when there is nothing to drop:
        // the optimizer makes the jobs' storage unique before the loop below, whether or not it
        // drops anything, which copied every job of a state shared with the server's initial
        // state (37 MiB and 0.1 s for the 100,000-item fixture).
        guard let completed = repositories[key]?.completionOrder.count, completed > retainedCompletedRuns,
              var repository = repositories.removeValue(forKey: key)
        else { return }
        var dropped: [WorkflowRun] = []
        while repository.completionOrder.count > retainedCompletedRuns, let run = repository.dropOldestCompletedRun() {
            dropped.append(run)
        }
        repositories[key] = repository
        guard key != homeRepository else { return }
        for run in dropped {
            runLocations.removeValue(forKey: run.id)
            for job in run.jobsOfEveryAttempt { jobLocations.removeValue(forKey: job) }
        }
    }
}

extension Simulator {
    /// Restores how many runs a workflow has had where that is more than the runs present (an
    /// exported state whose oldest completed runs were dropped), so `run_number` goes on counting.
    public mutating func raiseRunCount(of workflow: String, to count: Int, in key: RepositoryKey) {
        guard repositories[key] != nil else { return }
        repositories[key]!.runCounts[workflow] = max(repositories[key]!.runCounts[workflow, default: 0], count)
    }
}

extension Repository {
    /// The run counts that the runs present do not account for, because retention dropped
    /// some of the runs: what an export must carry for `run_number` to go on counting.
    public var runCountsBeyondRunsPresent: [(workflow: String, count: Int)] {
        var present: [String: Int] = [:]
        for run in runs.values { if let workflow = run.workflow { present[workflow, default: 0] += 1 } }
        return runCounts.filter { $0.value > present[$0.key, default: 0] }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Removes the run that completed first, with its jobs; answers it.
    mutating func dropOldestCompletedRun() -> WorkflowRun? {
        guard let id = completionOrder.popFirst(), let run = runs.removeValue(forKey: id) else { return nil }
        for job in run.jobsOfEveryAttempt { jobs.removeValue(forKey: job) }
        return run
    }
}

/// Run ids in the order their runs completed (runs given as completed, in a fixture or an
/// imported state, in the order they are listed), oldest first.
///
/// A FIFO over an array with a moving start: appending and taking the oldest are O(1)
/// amortised, and the taken prefix is cut off once it outweighs the rest, so the storage stays
/// within twice the completed runs kept.
struct CompletionOrder: Sendable {
    private var ids: [RunID] = []
    private var start = 0

    var count: Int { ids.count - start }

    /// The ids, oldest first.
    var elements: ArraySlice<RunID> { ids[start...] }

    mutating func append(_ id: RunID) {
        ids.append(id)
    }

    /// Takes out a run that is no longer completed (a re-run). O(n) in the runs kept, which a
    /// re-run, a rare and deliberate act, can afford.
    mutating func remove(_ id: RunID) {
        guard let index = ids[start...].firstIndex(of: id) else { return }
        ids.remove(at: index)
    }

    mutating func popFirst() -> RunID? {
        guard start < ids.count else { return nil }
        let id = ids[start]
        start += 1
        if start * 2 >= ids.count {
            ids.removeFirst(start)
            start = 0
        }
        return id
    }
}
