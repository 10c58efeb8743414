/// What a job's gate sees when the job becomes ready (its `needs` have completed).
public struct JobGateInput: Sendable {
    /// A completed job the gate may read: a need, or a job of a called workflow.
    public struct Finished: Sendable {
        /// The job's key path (`Job.key`), `build (linux)` for a matrix leg.
        public let key: String
        public let result: Conclusion
        public let outputs: [String: String]

        public init(key: String, result: Conclusion, outputs: [String: String]) {
            self.key = key
            self.result = result
            self.outputs = outputs
        }
    }

    /// The job's direct `needs`, in order.
    public let needs: [Finished]
    /// Whether a job it needs, directly or through others, failed (`failure()`).
    public let ancestorFailed: Bool
    /// Whether a job it needs, directly or through others, was cancelled (`cancelled()`).
    public let ancestorCancelled: Bool
    /// The run attempt now starting the job (`github.run_attempt`).
    public let attempt: Int

    public init(needs: [Finished], ancestorFailed: Bool, ancestorCancelled: Bool, attempt: Int) {
        self.needs = needs
        self.ancestorFailed = ancestorFailed
        self.ancestorCancelled = ancestorCancelled
        self.attempt = attempt
    }
}

/// A gate's answer for a job that became ready.
public enum JobGateDecision: Hashable, Sendable {
    /// The job runs; with `defersConcurrency`, under these job-level settings (`nil`: none).
    case run(ConcurrencySettings?)
    /// The job is skipped. `needsFailed`: because the implicit `success()` was false (a need did
    /// not succeed), not because of the job's own condition.
    case skip(needsFailed: Bool)
    /// Evaluating the job's `if:` or `concurrency` failed: the job fails with this message.
    case fail(String)
}

/// What decides, when a job becomes ready, whether it runs (`if:`) and under which job-level
/// `concurrency`, and what a `uses:` job's outputs are once its called workflow has finished.
///
/// The simulator does not know the workflow language: the Workflows module implements this
/// with the expressions and the evaluation context captured when the run was triggered. A gate
/// is a plain value (no closures), so the state stays a value and can be exported.
public protocol JobGate: Hashable, Sendable {
    /// Whether the job's `concurrency` is decided by `decide` (then `Job.concurrency` is `nil`
    /// until the job becomes ready).
    var defersConcurrency: Bool { get }
    func decide(_ input: JobGateInput) -> JobGateDecision
    /// A `uses:` job's outputs from its called workflow's finished jobs (`on.workflow_call.outputs`).
    func outputs(ofCalledJobs jobs: [JobGateInput.Finished], attempt: Int) -> [String: String]
}

/// A gate of any kind, as a job stores it.
public struct AnyJobGate: Hashable, Sendable {
    public let base: any JobGate

    public init(_ base: some JobGate) {
        self.base = base
    }

    public static func == (left: AnyJobGate, right: AnyJobGate) -> Bool {
        left.base.isEqual(to: right.base)
    }

    public func hash(into hasher: inout Hasher) {
        base.hash(into: &hasher)
    }
}

extension JobGate {
    func isEqual(to other: any JobGate) -> Bool {
        (other as? Self) == self
    }
}
