/// Why a run or job was cancelled (or, for `needsFailed`, skipped): what a test asks when its
/// run disappears, and what GitHub's API does not say.
public struct CancellationCause: Hashable, Sendable {
    public enum Reason: String, Sendable, CaseIterable {
        /// A newer request under `queue: single` took the pending place.
        case superseded
        /// A newcomer with `cancel-in-progress` replaced the holder.
        case cancelInProgress = "cancel_in_progress"
        /// The newcomer found 100 pending requests under `queue: max`.
        case queueFull = "queue_full"
        /// The run waited on a group inside a lease it holds or awaits on that group.
        case deadlock
        /// A job it needs did not succeed, so it was skipped.
        case needsFailed = "needs_failed"
        /// Someone asked: the control API, GitHub's cancel endpoints.
        case requested
    }

    public let reason: Reason
    /// The newcomer (or the failed need) that caused it, when there is one.
    public let byRun: RunID?
    public let byJob: JobID?
    /// The group it happened in, as spelled in the repository.
    public let group: String?
    /// The `cancellation_reason` text.
    public let message: String

    public init(reason: Reason, byRun: RunID? = nil, byJob: JobID? = nil, group: String? = nil, message: String) {
        self.reason = reason
        self.byRun = byRun
        self.byJob = byJob
        self.group = group
        self.message = message
    }

    /// Someone asked for the cancellation, with the text GitHub shows.
    public static func requested(_ message: String) -> CancellationCause {
        CancellationCause(reason: .requested, message: message)
    }
}

/// One change the simulation made, as the event journal records it. Sequence numbers are given
/// by the journal; fields that do not apply to a type are `nil`.
public struct SimulationEvent: Hashable, Sendable {
    public enum EventType: String, Sendable, CaseIterable {
        case runCreated = "run.created"
        case runCompleted = "run.completed"
        case runCancelled = "run.cancelled"
        case jobStarted = "job.started"
        case jobCompleted = "job.completed"
        case jobCancelled = "job.cancelled"
        case groupRequested = "group.requested"
        case groupAcquired = "group.acquired"
        case groupReleased = "group.released"
        case clockChanged = "clock.changed"
        case stateReplaced = "state.replaced"
        case stateReset = "state.reset"
    }

    public let type: EventType
    /// Simulator time.
    public let at: Timestamp
    /// `owner/name` as spelled.
    public let repository: String?
    public let run: RunID?
    public let job: JobID?
    /// The group's display name, on `group.*` events.
    public let group: String?
    /// The lease kind, on `group.*` events.
    public let leaseKind: LeaseKind?
    /// On `*.completed`.
    public let conclusion: Conclusion?
    /// On `*.cancelled`, and on `job.completed` of a job skipped because a need failed.
    public let cause: CancellationCause?

    public init(
        _ type: EventType, at: Timestamp, repository: String? = nil, run: RunID? = nil, job: JobID? = nil,
        group: String? = nil, leaseKind: LeaseKind? = nil, conclusion: Conclusion? = nil, cause: CancellationCause? = nil
    ) {
        self.type = type
        self.at = at
        self.repository = repository
        self.run = run
        self.job = job
        self.group = group
        self.leaseKind = leaseKind
        self.conclusion = conclusion
        self.cause = cause
    }
}

extension Simulator {
    /// The events of the operations since the last call, oldest first, handed over to whoever
    /// journals them.
    public mutating func takeEvents() -> [SimulationEvent] {
        defer { events.removeAll() }
        return events
    }
}
