/// How a run's attempts hold its job records.
///
/// A re-run gives every job it starts again a new record (a new id, the new attempt's number)
/// and carries the jobs it does not start into the new attempt as they are. So each record
/// belongs to exactly one attempt (`Job.attempt`, the one that created it) and is listed by that
/// attempt and by the later attempts that carried it over; the current attempt's list is
/// `WorkflowRun.jobs`, the earlier ones' `RunAttempt.jobs`. Records of earlier attempts are never
/// changed again and hold no queue item.
extension WorkflowRun {
    /// The jobs of the attempt with this number (the current one or an earlier one), in
    /// declaration order; `nil` for an attempt the run has not had.
    public func jobs(ofAttempt number: Int) -> [JobID]? {
        if number == attempt { return Array(jobs) }
        guard (1..<attempt).contains(number), previousAttempts.indices.contains(number - 1) else { return nil }
        return previousAttempts[number - 1].jobs
    }

    /// Every job record of every attempt, each once: by attempt, then in declaration order
    /// (GitHub's `filter=all`; what retention drops with the run).
    public var jobsOfEveryAttempt: [JobID] {
        guard !previousAttempts.isEmpty else { return Array(jobs) }
        var seen: Set<JobID> = []
        var all: [JobID] = []
        for list in previousAttempts.map(\.jobs) + [Array(jobs)] {
            for id in list where seen.insert(id).inserted { all.append(id) }
        }
        return all
    }
}

extension Simulator {
    /// A way a run's attempt lists and job records do not fit together, with the job it is about.
    struct AttemptProblem {
        let message: String
        let job: JobID?
    }

    /// What is wrong with how a run's attempts list its job records (`lists[k]` is attempt
    /// k + 1's, the last the current one's; `records` every record of the run); empty when they
    /// fit. Each list names records of the run at most once, none of a later attempt, with their
    /// `uses:` parents, called jobs and needs in the same list; each record belongs to an attempt
    /// the run has had and is in that attempt's list (when it is known: a fixture may leave an
    /// earlier attempt's list out); a record the current attempt does not list is completed and
    /// listed by an earlier attempt. `addRun` refuses what this finds; the invariants check it
    /// after every operation.
    static func attemptProblems(of run: RunID, lists: [[JobID]], records: [Job]) -> [AttemptProblem] {
        // A run never re-run whose one list names exactly its records (whose parents and needs
        // `addRun` and the invariants check to be of the same run): only their attempt can be
        // off. Loading a large state takes this path for nearly every run, its list and records
        // in the same order: compared in order first, which needs no sets.
        if lists.count == 1, lists[0].count == records.count,
           lists[0].elementsEqual(records.lazy.map(\.id)) || Set(lists[0]) == Set(records.map(\.id)) {
            return records.filter { $0.attempt != 1 }.map {
                AttemptProblem(message: "job \($0.id) is of attempt \($0.attempt), but run \(run) is at attempt 1", job: $0.id)
            }
        }
        var problems: [AttemptProblem] = []
        var byID: [JobID: Job] = [:]
        var calledJobs: [JobID: [JobID]] = [:]
        for record in records {
            byID[record.id] = record
            if let parent = record.parent { calledJobs[parent, default: []].append(record.id) }
        }
        var listed: [Set<JobID>] = []
        for (offset, list) in lists.enumerated() {
            let number = offset + 1
            var members: Set<JobID> = []
            for id in list {
                guard let job = byID[id] else {
                    problems.append(AttemptProblem(message: "attempt \(number) of run \(run) lists job \(id), which is not a job of the run", job: nil))
                    continue
                }
                if !members.insert(id).inserted {
                    problems.append(AttemptProblem(message: "attempt \(number) of run \(run) lists job \(id) twice", job: id))
                }
                if job.attempt > number {
                    problems.append(AttemptProblem(message: "attempt \(number) of run \(run) lists job \(id) of its later attempt \(job.attempt)", job: id))
                }
            }
            for id in list {
                guard let job = byID[id] else { continue }
                for other in job.needs + (job.parent.map { [$0] } ?? []) where !members.contains(other) {
                    problems.append(AttemptProblem(message: "attempt \(number) of run \(run) lists job \(id) without job \(other), its parent or need", job: id))
                }
                // A called workflow runs (and is carried over) as a whole with its `uses:` job.
                for called in calledJobs[id] ?? [] where !members.contains(called) {
                    problems.append(AttemptProblem(message: "attempt \(number) of run \(run) lists uses: job \(id) without its called job \(called)", job: id))
                }
            }
            listed.append(members)
        }
        guard let current = listed.last else { return problems }
        for job in records {
            guard (1...listed.count).contains(job.attempt) else {
                problems.append(AttemptProblem(message: "job \(job.id) is of attempt \(job.attempt), but run \(run) is at attempt \(listed.count)", job: job.id))
                continue
            }
            let own = listed[job.attempt - 1]
            if !own.isEmpty, !own.contains(job.id) {
                problems.append(AttemptProblem(message: "job \(job.id) is of attempt \(job.attempt), whose job list does not name it", job: job.id))
            }
            guard !current.contains(job.id) else { continue }
            if !listed.contains(where: { $0.contains(job.id) }) {
                problems.append(AttemptProblem(message: "job \(job.id) is listed by no attempt of run \(run)", job: job.id))
            }
            if job.status != .completed {
                problems.append(AttemptProblem(message: "job \(job.id) belongs only to an earlier attempt of run \(run), so it must be completed", job: job.id))
            }
        }
        return problems
    }
}
