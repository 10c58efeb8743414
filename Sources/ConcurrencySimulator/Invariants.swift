/// The invariants every operation of the simulator keeps, written out as checks.
///
/// They are what the answers rely on: the list endpoints page through `activeGroupKeys`, the
/// `ahead_of_*` queries and `position_url` rely on FIFO queues free of deadlocked pairs, and the
/// engine relies on every item having a live owner that can release it. Tests call
/// `checkInvariants()` after every operation; debug builds of the server do it after every
/// control request. Each check walks the whole state, so release builds never run them.
extension Simulator {
    /// Stops the process with the list of broken invariants, if any.
    public func checkInvariants(file: StaticString = #fileID, line: UInt = #line) {
        let violations = invariantViolations()
        if !violations.isEmpty {
            preconditionFailure("simulator invariants broken:\n" + violations.joined(separator: "\n"), file: file, line: line)
        }
    }

    /// What every lifecycle operation does last: in debug builds (and so in every test) the
    /// whole state is checked; release builds skip it, since it walks everything.
    func checkInvariantsInDebugBuilds(file: StaticString = #fileID, line: UInt = #line) {
        #if DEBUG
        checkInvariants(file: file, line: line)
        #endif
    }

    /// Every broken invariant, in words; empty when the state is sound.
    public func invariantViolations() -> [String] {
        var violations: [String] = []
        // The home repository's ids have no location entry; every other repository's have theirs.
        var locatedRuns = 0
        var locatedJobs = 0
        if let home = homeRepository, repositories[home] == nil { violations.append("the home repository \(home) does not exist") }
        for (key, repository) in repositories {
            if repository.key != key { violations.append("repository \(repository.key) is stored under \(key)") }
            violations += repository.invariantViolations()
            let location = key == homeRepository ? nil : key
            if location != nil {
                locatedRuns += repository.runs.count
                locatedJobs += repository.jobs.count
            }
            for id in repository.runs.keys {
                if runLocations[id] != location { violations.append("run \(id) of \(key) is located in \(runLocations[id].map(String.init(describing:)) ?? "no repository")") }
                if id.rawValue > highestRunID { violations.append("run \(id) is above the highest run id \(highestRunID)") }
            }
            for id in repository.jobs.keys {
                if jobLocations[id] != location { violations.append("job \(id) of \(key) is located in \(jobLocations[id].map(String.init(describing:)) ?? "no repository")") }
                if id.rawValue > highestJobID { violations.append("job \(id) is above the highest job id \(highestJobID)") }
            }
        }
        for repository in repositories.values where repository.completionOrder.count > retainedCompletedRuns {
            violations.append("\(repository.key) keeps \(repository.completionOrder.count) completed runs, more than \(retainedCompletedRuns)")
        }
        if runLocations.count != locatedRuns { violations.append("\(runLocations.count) run locations for \(locatedRuns) runs outside the home repository") }
        if jobLocations.count != locatedJobs { violations.append("\(jobLocations.count) job locations for \(locatedJobs) jobs outside the home repository") }
        return violations
    }
}

extension Repository {
    func invariantViolations() -> [String] {
        var violations: [String] = []
        func fail(_ message: String) { violations.append("\(owner)/\(name): \(message)") }

        let sortedKeys = queues.indices.filter { $0 < groupKeysInOrder.count && !queues[$0].isEmpty }.map { groupKeysInOrder[$0] }.sorted()
        if activeGroupKeys != sortedKeys { fail("the sorted index of active groups is not the sorted set of keys of groups with items") }
        if groupKeysInOrder.count != groupNamesInOrder.count || queues.count != groupKeysInOrder.count || groupNumbers.count != groupKeysInOrder.count
            || groupNumbers.contains(where: { key, number in groupKeysInOrder[Int(number)] != key || GroupKey(groupNamesInOrder[Int(number)]) != key }) {
            fail("the group numbers, keys and names do not agree")
        }
        var runsPerWorkflow: [String: Int] = [:]
        // `RunTable` and `JobTable` store each record under its own id.
        for run in runs.values {
            let id = run.id
            runsPerWorkflow[run.workflowFile, default: 0] += 1
            if run.runNumber > runCounts[run.workflowFile, default: 0] { fail("run \(id)'s run_number \(run.runNumber) is above its workflow's run count") }
            if run.previousAttempts.count != run.attempt - 1 { fail("run \(id) is at attempt \(run.attempt) with \(run.previousAttempts.count) earlier attempts") }
            if run.configuredGroupNumbers.contains(where: { Int($0) >= groupKeysInOrder.count }) {
                fail("run \(id) is configured for a group number the repository has not given")
            } else if Array(configuredGroups(of: run)) != Array(Set(configuredGroups(of: run))).sorted() {
                fail("run \(id)'s configured groups are not sorted and unique")
            }
            if (run.status == .completed) != (run.conclusion != nil) { fail("run \(id) is \(run.status.rawValue) with conclusion \(run.conclusion?.rawValue ?? "null")") }
            for jobID in run.jobs {
                guard let job = jobs[jobID] else { fail("run \(id) lists job \(jobID), which does not exist"); continue }
                if job.run != id { fail("run \(id) lists job \(jobID) of run \(job.run)") }
            }
        }
        let completed = Set(runs.values.filter { $0.status == .completed }.map(\.id))
        if completionOrder.count != completed.count || Set(completionOrder.elements) != completed {
            fail("the completion order lists \(completionOrder.count) runs, not the \(completed.count) completed ones")
        }
        for (workflow, count) in runsPerWorkflow where runCounts[workflow, default: 0] < count {
            fail("\(count) runs of \(workflow), but a run count of \(runCounts[workflow, default: 0])")
        }
        var recordsByRun: [RunID: [Job]] = [:]
        for job in jobs.values {
            let id = job.id
            guard runs[job.run] != nil else { fail("job \(id)'s run \(job.run) does not exist"); continue }
            recordsByRun[job.run, default: []].append(job)
            if let parent = job.parent, jobs[parent]?.callsReusableWorkflow != true || jobs[parent]?.run != job.run {
                fail("job \(id)'s parent \(parent) is not a uses: job of its run")
            }
            for need in job.needs where jobs[need]?.parent != job.parent || jobs[need]?.run != job.run {
                fail("job \(id) needs \(need), which is not its sibling")
            }
            if (job.status == .completed) != (job.conclusion != nil) { fail("job \(id) is \(job.status.rawValue) with conclusion \(job.conclusion?.rawValue ?? "null")") }
            // A deferred job-level group is evaluated when the job becomes ready, not before.
            if job.status == .queued, job.gate?.base.defersConcurrency == true, job.concurrency != nil {
                fail("job \(id) is queued with a job-level group its gate has not decided yet")
            }
        }
        // Every record belongs to exactly one attempt of its run and is listed by it; records of
        // earlier attempts only have completed (so hold no queue item, checked with the groups).
        for run in runs.values {
            let id = run.id
            let lists = run.previousAttempts.map(\.jobs) + [Array(run.jobs)]
            for problem in Simulator.attemptProblems(of: id, lists: lists, records: recordsByRun[id] ?? []) { fail(problem.message) }
        }
        for group in activeGroups {
            violations += group.invariantViolations(key: group.key, in: self).map { "\(owner)/\(name): group '\(group.name)': \($0)" }
        }
        return violations
    }
}

extension ConcurrencyGroup {
    func invariantViolations(key: GroupKey, in repository: Repository) -> [String] {
        var violations: [String] = []
        if self.key != key { violations.append("stored under \(key)") }
        if queue.isEmpty { violations.append("active with an empty queue") }
        if queue.count > maximumQueueLength { violations.append("\(queue.count) items, more than \(maximumQueueLength)") }
        var checked = ConcurrencyGroup(key: key, name: name, queue: [])
        for (position, item) in queue.enumerated() {
            func fail(_ message: String) { violations.append("item \(position) (run \(item.run), job \(item.job.map(String.init(describing:)) ?? "null")): \(message)") }
            if let previous = checked.queue.last, item.waitingSince < previous.waitingSince { fail("waits since before the item ahead of it (not FIFO)") }
            if let acquiredAt = item.acquiredAt, acquiredAt < item.waitingSince { fail("acquired before it started waiting") }
            if checked.queue.contains(where: { $0.isSameLease(as: item) }) { fail("is in the queue twice") }
            if repository.positionOfEnclosingItem(for: item, in: checked) != nil { fail("waits inside a lease of its own run (a deadlock)") }
            checked.queue.append(item)
            guard let run = repository.runs[item.run] else { fail("its run does not exist"); continue }
            if run.status == .completed { fail("its run has completed") }
            if !repository.configuredGroups(of: run).contains(key) { fail("its run does not list the group") }
            var settings = run.concurrency
            switch (item.kind, item.job) {
            case (.workflow, nil):
                break
            case (.workflow, .some):
                fail("a workflow-level item has a job")
            case (_, nil):
                fail("a \(item.kind.rawValue) item has no job")
            case (_, .some(let jobID)):
                guard let job = repository.jobs[jobID], job.run == item.run else { fail("its job is not a job of its run"); continue }
                if !run.jobs.contains(jobID) { fail("its job belongs to an earlier attempt of its run") }
                if job.status == .completed { fail("its job has completed") }
                if item.kind == .reusableWorkflow, !job.callsReusableWorkflow { fail("a reusable-workflow item tied to a job that calls no workflow") }
                settings = item.kind == .job ? job.concurrency : job.calledWorkflowConcurrency
            }
            // A newcomer under `queue: single` cancels every pending item before it joins, so
            // nothing pending can stand ahead of it. Runs a fixture describes only by their
            // items have no settings to check against.
            if let settings, GroupKey(settings.group) == key, settings.queue == .single, position > 1 {
                fail("waits under queue: single behind another pending item")
            }
        }
        return violations
    }
}
