/// What started a run, as its trigger gave it: GitHub's `event`, `head_branch`, `head_sha`,
/// `actor` and `triggering_actor` come from here.
public struct RunOrigin: Hashable, Sendable {
    public var event: String
    /// The full ref, `refs/heads/main`.
    public var ref: String
    public var sha: String
    public var actor: String
    /// Who started the current attempt (the actor until someone re-runs it).
    public var triggeringActor: String
    public var headRef: String
    public var baseRef: String

    public init(
        event: String = "push", ref: String = "refs/heads/main", sha: String = RunOrigin.unknownSHA,
        actor: String = "octocat", triggeringActor: String? = nil, headRef: String = "", baseRef: String = ""
    ) {
        self.event = event
        self.ref = ref
        self.sha = sha
        self.actor = actor
        self.triggeringActor = triggeringActor ?? actor
        self.headRef = headRef
        self.baseRef = baseRef
    }

    /// The commit of a run whose trigger named none: one text shared by all of them.
    public static let unknownSHA = String(repeating: "0", count: 40)

    /// GitHub's `head_branch`: the ref without `refs/heads/` or `refs/tags/`.
    public var branch: String {
        for prefix in ["refs/heads/", "refs/tags/"] where ref.hasPrefix(prefix) { return String(ref.dropFirst(prefix.count)) }
        return ref
    }
}

/// When things happened to a run, on the simulator clock.
public struct RunTimes: Hashable, Sendable {
    public var createdAt: Timestamp
    /// The last change of the run or any of its jobs.
    public var updatedAt: Timestamp
    /// When the current attempt started (GitHub's `run_started_at`).
    public var startedAt: Timestamp
    /// `Timestamp.absent` while the attempt has not completed: 8 bytes less than an optional.
    private var completed: Timestamp

    /// When the current attempt completed; `nil` while it has not.
    public var completedAt: Timestamp? {
        get { completed.unlessAbsent }
        set { completed = newValue ?? .absent }
    }

    public init(createdAt: Timestamp, updatedAt: Timestamp? = nil, startedAt: Timestamp? = nil, completedAt: Timestamp? = nil) {
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.startedAt = startedAt ?? createdAt
        self.completed = completedAt ?? .absent
    }

    /// Every time at `time`: a run created then and not yet changed.
    public static func at(_ time: Timestamp) -> RunTimes { RunTimes(createdAt: time) }
}

/// A completed earlier attempt of a run, as `…/attempts/{n}` and `…/attempts/{n}/jobs` show it.
public struct RunAttempt: Hashable, Sendable {
    public let number: Int
    public let conclusion: Conclusion
    public let triggeringActor: String
    public let startedAt: Timestamp
    public let updatedAt: Timestamp
    /// The attempt's jobs in declaration order, as `WorkflowRun.jobs` held them when it
    /// completed; empty when a fixture did not say.
    public let jobs: [JobID]

    public init(number: Int, conclusion: Conclusion, triggeringActor: String, startedAt: Timestamp, updatedAt: Timestamp, jobs: [JobID] = []) {
        self.number = number
        self.conclusion = conclusion
        self.triggeringActor = triggeringActor
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.jobs = jobs
    }
}

/// When things happened to a job, on the simulator clock.
public struct JobTimes: Hashable, Sendable {
    public var createdAt: Timestamp
    // Times not yet reached are `Timestamp.absent`, not optionals: 8 bytes less in every job.
    private var started: Timestamp
    private var completed: Timestamp

    public var startedAt: Timestamp? {
        get { started.unlessAbsent }
        set { started = newValue ?? .absent }
    }
    public var completedAt: Timestamp? {
        get { completed.unlessAbsent }
        set { completed = newValue ?? .absent }
    }

    public init(createdAt: Timestamp, startedAt: Timestamp? = nil, completedAt: Timestamp? = nil) {
        self.createdAt = createdAt
        self.started = startedAt ?? .absent
        self.completed = completedAt ?? .absent
    }
}

extension WorkflowRun {
    /// The workflow file shown for the run: its own, or for a run a fixture describes without
    /// one, a file named after the run (`Deploy to production` → `deploy-to-production.yml`).
    public var workflowFile: String { workflow ?? Self.fileName(forRunNamed: name) }

    public static func fileName(forRunNamed name: String) -> String {
        // Runs of letters and digits, joined by one hyphen each: linear in the name's bytes.
        var slug: [UInt8] = []
        var wordEnded = false
        for byte in name.lowercased().utf8 {
            guard (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                wordEnded = true
                continue
            }
            if wordEnded, !slug.isEmpty { slug.append(UInt8(ascii: "-")) }
            wordEnded = false
            slug.append(byte)
        }
        return (slug.isEmpty ? "workflow" : String(decoding: slug, as: UTF8.self)) + ".yml"
    }
}

/// What a fixture left out of its runs and jobs, each list in the order they were loaded.
public struct UnstatedFields: Sendable {
    public var runStatuses: [RunID] = []
    public var jobStatuses: [JobID] = []
    public var runTimes: [RunID] = []

    public init() {}
}

extension Simulator {
    /// Gives runs and jobs what a fixture left out, as their queue items imply. A status:
    /// `pending` while one of their items waits behind another, else `in_progress`. A run's
    /// times: created when its first item started waiting (else now), updated at its latest
    /// lease event; its jobs created with it, started when created unless still waiting,
    /// completed at the run's last update.
    public mutating func deriveUnstatedFields(_ unstated: UnstatedFields, in repositoryKey: RepositoryKey) {
        guard !(unstated.runStatuses.isEmpty && unstated.jobStatuses.isEmpty && unstated.runTimes.isEmpty),
              // Moved out and back, never written while a copy is alive: the first write through
              // a copy would copy every run and job of the repository (it did: 15 % of a large load).
              var repository = repositories.removeValue(forKey: repositoryKey)
        else { return }
        // What the queues imply, in one pass over them, for each run and job at its place in
        // its table (no hashing of ids beyond the tables' own).
        var runWaits = [Bool](repeating: false, count: repository.runs.count)
        var jobWaits = [Bool](repeating: false, count: repository.jobs.count)
        var firstWaiting = [Timestamp?](repeating: nil, count: repository.runs.count)
        var lastLeaseEvent = [Timestamp?](repeating: nil, count: repository.runs.count)
        for group in repository.activeGroups {
            for (position, item) in group.queue.enumerated() {
                guard let run = repository.runs.place(of: item.run) else { continue }
                if position > 0 {
                    if let job = item.job {
                        if let place = repository.jobs.place(of: job) { jobWaits[place] = true }
                    } else {
                        runWaits[run] = true
                    }
                }
                firstWaiting[run] = min(firstWaiting[run] ?? item.waitingSince, item.waitingSince)
                let leaseEvent = item.acquiredAt ?? item.waitingSince
                lastLeaseEvent[run] = max(lastLeaseEvent[run] ?? leaseEvent, leaseEvent)
            }
        }
        for id in unstated.runStatuses {
            guard let place = repository.runs.place(of: id) else { continue }
            repository.runs.update(id) { $0.status = runWaits[place] ? .pending : .inProgress }
        }
        for id in unstated.jobStatuses {
            guard let place = repository.jobs.place(of: id) else { continue }
            repository.jobs.update(id) { $0.status = jobWaits[place] ? .pending : .inProgress }
        }
        for id in unstated.runTimes {
            guard let place = repository.runs.place(of: id), let run = repository.runs[id] else { continue }
            let created = firstWaiting[place] ?? now
            let updated = lastLeaseEvent[place] ?? created
            repository.runs.update(id) {
                $0.times = RunTimes(createdAt: created, updatedAt: updated, startedAt: created, completedAt: run.status == .completed ? updated : nil)
            }
            for job in run.jobs {
                repository.jobs.update(job) { record in
                    let started = record.status == .queued || record.status == .pending ? nil : created
                    record.times = JobTimes(createdAt: created, startedAt: started, completedAt: record.status == .completed ? updated : nil)
                }
            }
        }
        repositories[repositoryKey] = repository
    }
}
