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
    /// When the current attempt completed; `nil` while it has not.
    public var completedAt: Timestamp?

    public init(createdAt: Timestamp, updatedAt: Timestamp? = nil, startedAt: Timestamp? = nil, completedAt: Timestamp? = nil) {
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.startedAt = startedAt ?? createdAt
        self.completedAt = completedAt
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
    public var startedAt: Timestamp?
    public var completedAt: Timestamp?

    public init(createdAt: Timestamp, startedAt: Timestamp? = nil, completedAt: Timestamp? = nil) {
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
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

extension Simulator {
    /// Gives runs a fixture describes without times the times their queue items imply: created
    /// when their first item started waiting (else now), updated at their latest lease event;
    /// their jobs created with them, started when created unless still waiting, completed at the
    /// run's last update.
    public mutating func deriveTimes(in repositoryKey: RepositoryKey, runs: Set<RunID>) {
        guard !runs.isEmpty, var repository = repositories.removeValue(forKey: repositoryKey) else { return }
        var earliest: [RunID: Timestamp] = [:]
        var latest: [RunID: Timestamp] = [:]
        for group in repository.groups.values {
            for item in group.queue where runs.contains(item.run) {
                earliest[item.run] = min(earliest[item.run] ?? item.waitingSince, item.waitingSince)
                let last = item.acquiredAt ?? item.waitingSince
                latest[item.run] = max(latest[item.run] ?? last, last)
            }
        }
        for id in runs {
            guard let run = repository.runs[id] else { continue }
            let created = earliest[id] ?? now
            let updated = latest[id] ?? created
            repository.runs[id]!.times = RunTimes(
                createdAt: created, updatedAt: updated, startedAt: created, completedAt: run.status == .completed ? updated : nil)
            for job in run.jobs {
                guard let record = repository.jobs[job] else { continue }
                let started = record.status == .queued || record.status == .pending ? nil : created
                repository.jobs[job]!.times = JobTimes(
                    createdAt: created, startedAt: started, completedAt: record.status == .completed ? updated : nil)
            }
        }
        repositories[repositoryKey] = repository
    }
}
