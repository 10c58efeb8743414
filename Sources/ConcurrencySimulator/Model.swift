/// Whether a repository can be read without credentials.
public enum Visibility: String, Sendable, CaseIterable {
    case `public`
    case `private`
}

/// What a queue item holds or waits for a lease on behalf of.
public enum LeaseKind: String, Sendable, CaseIterable {
    /// The run's workflow-level `concurrency`. The item has no job.
    case workflow
    /// A job's `jobs.<id>.concurrency`. The item's job is that job.
    case job
    /// A called workflow's workflow-level `concurrency`, held on behalf of the run and tied to
    /// the calling `uses:` job, which is the item's job.
    case reusableWorkflow = "reusable_workflow"
}

/// One entry in a concurrency group's queue.
public struct QueueItem: Hashable, Sendable {
    public let run: RunID
    /// `nil` exactly when `kind == .workflow`.
    public let job: JobID?
    public let kind: LeaseKind
    /// When the item started waiting on the group; the queue is FIFO on this time.
    public let waitingSince: Timestamp
    /// When the item acquired the lease. Only the item at position 0 holds the lease, so only it
    /// has this; it is `nil` there too when a fixture did not say.
    public var acquiredAt: Timestamp?

    public init(run: RunID, job: JobID?, kind: LeaseKind, waitingSince: Timestamp, acquiredAt: Timestamp? = nil) {
        self.run = run
        self.job = job
        self.kind = kind
        self.waitingSince = waitingSince
        self.acquiredAt = acquiredAt
    }
}

/// A job of a run. Jobs form a tree: a `uses:` job's children are the called workflow's jobs.
public struct Job: Hashable, Sendable {
    public let id: JobID
    public let run: RunID
    /// The display name, as GitHub shows it (`build (linux)` for a matrix leg).
    public let name: String
    /// The enclosing `uses:` job, `nil` for a top-level job.
    public let parent: JobID?
    /// Whether this job calls a reusable workflow (`uses:`), and so may hold reusable-workflow leases.
    public let callsReusableWorkflow: Bool

    public init(id: JobID, run: RunID, name: String, parent: JobID?, callsReusableWorkflow: Bool) {
        self.id = id
        self.run = run
        self.name = name
        self.parent = parent
        self.callsReusableWorkflow = callsReusableWorkflow
    }
}

/// A workflow run as far as concurrency is concerned.
public struct WorkflowRun: Hashable, Sendable {
    public let id: RunID
    public let name: String
    /// The run's jobs in declaration order (parents before their children).
    public let jobs: [JobID]
    /// Every group of the run's configuration, reached or not, sorted by key. Invariant: holds
    /// every group in which the run has an item.
    public internal(set) var configuredGroups: [GroupKey]

    public init(id: RunID, name: String, jobs: [JobID], configuredGroups: [GroupKey]) {
        self.id = id
        self.name = name
        self.jobs = jobs
        self.configuredGroups = Array(Set(configuredGroups)).sorted()
    }
}

/// A concurrency group with at least one item: it is active exactly while its queue is non-empty.
public struct ConcurrencyGroup: Hashable, Sendable {
    public let key: GroupKey
    /// The display name: the spelling first used for this key in the repository.
    public let name: String
    /// Position 0 holds the lease (`in_progress`); the others are pending, FIFO by `waitingSince`.
    public internal(set) var queue: [QueueItem]
}

/// The most items one group's queue can hold: one holder and `queue: max`'s 100 pending items.
public let maximumQueueLength = 101
