/// The named values an evaluation can read: `github`, `inputs`, `vars`, `needs`, `strategy`,
/// `matrix`, `env`, `secrets`, ... each usually an ``ExpressionValue/object(_:)``.
///
/// Names match ignoring case, as on GitHub. A name that is absent evaluates to `null`; deciding
/// which names a workflow field may use is the caller's business (see
/// ``Expression/referencedNamedValues``).
public struct ExpressionContext: Sendable {
    /// What the status functions of a job's `if:` answer.
    public struct JobStatus: Sendable, Equatable {
        /// `success()`: every job it needs succeeded.
        public var success: Bool
        /// `failure()`: a job it needs, directly or through others, failed.
        public var failure: Bool
        /// `cancelled()`: a job it needs, directly or through others, was cancelled.
        public var cancelled: Bool

        public init(success: Bool, failure: Bool, cancelled: Bool) {
            self.success = success
            self.failure = failure
            self.cancelled = cancelled
        }
    }

    public var namedValues: [String: ExpressionValue]
    /// `nil` outside an `if:`; the status functions then answer `false` (they do not parse there).
    public var jobStatus: JobStatus?

    public init(_ namedValues: [String: ExpressionValue] = [:], jobStatus: JobStatus? = nil) {
        self.namedValues = namedValues
        self.jobStatus = jobStatus
    }

    /// The value named `name` (already lowercased by the parser), matching keys ignoring case.
    func value(named name: String) -> ExpressionValue? {
        if let exact = namedValues[name] { return exact }
        return namedValues.first(where: { $0.key.lowercased() == name })?.value
    }
}
