import ConcurrencySimulator
import SourceDocuments

/// A job's `if:`, its job-level `concurrency` and (for a `uses:` job) its called workflow's
/// `on.workflow_call.outputs`, kept as written with the evaluation context of the trigger, so the
/// simulator can decide them when the job becomes ready (see `JobGate`).
///
/// Every rule of *when* lives in the lease engine; every rule of *what* an expression means here:
/// - no `if:`, or an `if:` without a status function, means `success() && (...)`: the job is
///   skipped (as for a failed need) unless every job it needs succeeded;
/// - `success()`: every job it needs succeeded; `failure()`: a job it needs, directly or through
///   others, failed; `cancelled()`: one was cancelled; `always()`: true;
/// - `needs.<job>.result` is `success`, `failure`, `cancelled` or `skipped` (a matrix job's legs
///   together: failure, else cancelled, else skipped when all were, else success), and
///   `needs.<job>.outputs.<name>` what the job completed with (for legs, the last leg's wins);
/// - `github.run_attempt` is the attempt starting the job.
///
/// A value built only from text, so an exported state rebuilds it (`init(parts:)`).
public struct WorkflowJobGate: JobGate {
    /// A job named in `needs` (or a called workflow's job): its YAML key and the run's jobs
    /// (matrix legs) it stands for, by `Job.key`.
    public struct Named: Hashable, Sendable {
        public let name: String
        public let keys: [String]

        public init(name: String, keys: [String]) {
            self.name = name
            self.keys = keys
        }
    }

    /// What an exported gate consists of.
    public struct Parts: Hashable, Sendable {
        /// The workflow file, for messages.
        public var file: String
        /// `if:` as written (`${{ }}` optional), `nil` for none.
        public var condition: String?
        /// `concurrency.group` as written, `nil` when the job has no `concurrency`.
        public var group: String?
        /// `cancel-in-progress`: `true`, `false` or an expression as written.
        public var cancelInProgress: String
        public var queue: QueueMode
        public var needs: [Named]
        /// For a `uses:` job, `on.workflow_call.outputs.<name>.value` as written.
        public var callOutputs: [String: String]
        /// The called workflow's jobs, for `jobs.<job>` in `callOutputs`.
        public var calledJobs: [Named]
        /// `github`, `inputs`, `vars`, `matrix` and `strategy` at the trigger, as JSON.
        public var context: String {
            switch contextSource {
            case .text(let text): return text
            case .value(let value): return JSONText.write(value)
            }
        }
        /// A planned gate keeps its context as a value and writes it as JSON only for an export;
        /// an imported one keeps the text it was given.
        fileprivate var contextSource: ContextSource

        fileprivate enum ContextSource: Sendable {
            case text(String)
            case value(ExpressionValue)
        }

        public init(
            file: String, condition: String?, group: String?, cancelInProgress: String = "false", queue: QueueMode = .single,
            needs: [Named], callOutputs: [String: String] = [:], calledJobs: [Named] = [], context: String
        ) {
            self.init(
                file: file, condition: condition, group: group, cancelInProgress: cancelInProgress, queue: queue, needs: needs,
                callOutputs: callOutputs, calledJobs: calledJobs, contextSource: .text(context))
        }

        /// Parts with their context as a value (what the planner has).
        init(
            file: String, condition: String?, group: String?, cancelInProgress: String = "false", queue: QueueMode = .single,
            needs: [Named], context: ExpressionValue
        ) {
            self.init(
                file: file, condition: condition, group: group, cancelInProgress: cancelInProgress, queue: queue, needs: needs,
                callOutputs: [:], calledJobs: [], contextSource: .value(context))
        }

        private init(
            file: String, condition: String?, group: String?, cancelInProgress: String, queue: QueueMode,
            needs: [Named], callOutputs: [String: String], calledJobs: [Named], contextSource: ContextSource
        ) {
            self.file = file
            self.condition = condition
            self.group = group
            self.cancelInProgress = cancelInProgress
            self.queue = queue
            self.needs = needs
            self.callOutputs = callOutputs
            self.calledJobs = calledJobs
            self.contextSource = contextSource
        }

        /// Equal when they export alike.
        public static func == (left: Parts, right: Parts) -> Bool {
            left.file == right.file && left.condition == right.condition && left.group == right.group
                && left.cancelInProgress == right.cancelInProgress && left.queue == right.queue && left.needs == right.needs
                && left.callOutputs == right.callOutputs && left.calledJobs == right.calledJobs && left.context == right.context
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(file)
            hasher.combine(condition)
            hasher.combine(group)
            hasher.combine(needs)
            hasher.combine(context)
        }
    }

    public let parts: Parts
    private let condition: TemplateString?
    private let group: TemplateString?
    private let cancelInProgress: TemplateString?
    private let callOutputs: [(name: String, value: TemplateString)]
    private let context: ExpressionValue

    public static func == (left: WorkflowJobGate, right: WorkflowJobGate) -> Bool { left.parts == right.parts }
    public func hash(into hasher: inout Hasher) { hasher.combine(parts) }

    /// Parses the parts; errors name the part (an exported gate has no lines to point at).
    public init(parts: Parts) throws(SourceError) {
        func fail(_ what: String, _ message: String) -> SourceError {
            SourceError(file: parts.file, line: 0, column: 0, message: "\(what): \(message)")
        }
        self.parts = parts
        do {
            condition = try parts.condition.map { text throws(ExpressionError) in try Self.conditionTemplate(text) }
        } catch { throw fail("if", error.message) }
        do {
            group = try parts.group.map { text throws(ExpressionError) in try TemplateString(parsing: text) }
        } catch { throw fail("concurrency.group", error.message) }
        switch parts.cancelInProgress {
        case "true", "false":
            cancelInProgress = nil
        default:
            do { cancelInProgress = try TemplateString(parsing: parts.cancelInProgress) } catch { throw fail("cancel-in-progress", error.message) }
        }
        var outputs: [(name: String, value: TemplateString)] = []
        for (name, text) in parts.callOutputs.sorted(by: { $0.key < $1.key }) {
            do { outputs.append((name, try TemplateString(parsing: text))) } catch { throw fail("outputs.\(name)", error.message) }
        }
        callOutputs = outputs
        switch parts.contextSource {
        case .value(let value):
            context = value
        case .text(let text):
            do {
                context = try JSONText.parse(text)
            } catch { throw fail("context", error.description) }
        }
    }

    /// An `if:` as GitHub reads it: without `${{ }}` the whole text is the expression.
    static func conditionTemplate(_ text: String) throws(ExpressionError) -> TemplateString {
        let written = text.contains("${{") ? text : "${{ \(text) }}"
        return try TemplateString(parsing: written, allowingStatusFunctions: true)
    }

    public var defersConcurrency: Bool { parts.group != nil }

    public func decide(_ input: JobGateInput) -> JobGateDecision {
        let succeeded = input.needs.allSatisfy { $0.result == .success }
        let github = (context.member("github") ?? .object([])).setting("run_attempt", to: .string(String(input.attempt)))
        var values: [String: ExpressionValue] = ["needs": Self.jobs(parts.needs, from: input.needs)]
        for name in ["inputs", "vars", "matrix", "strategy"] { values[name] = context.member(name) ?? .object([]) }
        values["github"] = github
        let status = ExpressionContext.JobStatus(success: succeeded, failure: input.ancestorFailed, cancelled: input.ancestorCancelled)
        if condition?.callsStatusFunction != true, !succeeded { return .skip(needsFailed: true) }
        if let condition {
            do {
                guard try condition.evaluate(in: ExpressionContext(values, jobStatus: status)).isTruthy else { return .skip(needsFailed: false) }
            } catch {
                return .fail("Error when evaluating 'if': \(error.message)")
            }
        }
        guard let group else { return .run(nil) }
        let scope = ExpressionContext(values)
        do {
            let name = try group.evaluateAsString(in: scope)
            guard !name.isEmpty else { return .fail("the concurrency group evaluated to an empty string") }
            var cancel = parts.cancelInProgress == "true"
            if let cancelInProgress { cancel = try cancelInProgress.evaluate(in: scope).isTruthy }
            if cancel, parts.queue == .max { return .fail("queue: max cannot be combined with cancel-in-progress: true") }
            return .run(ConcurrencySettings(group: name, cancelInProgress: cancel, queue: parts.queue))
        } catch {
            return .fail("Error when evaluating 'concurrency': \(error.message)")
        }
    }

    public func outputs(ofCalledJobs jobs: [JobGateInput.Finished], attempt: Int) -> [String: String] {
        guard !callOutputs.isEmpty else { return [:] }
        let github = (context.member("github") ?? .object([])).setting("run_attempt", to: .string(String(attempt)))
        let scope = ExpressionContext(["jobs": Self.jobs(parts.calledJobs, from: jobs), "github": github])
        var result: [String: String] = [:]
        for (name, template) in callOutputs {
            result[name] = (try? template.evaluateAsString(in: scope)) ?? ""
        }
        return result
    }

    /// `needs` (or a called workflow's `jobs`) as an object: each job's result and outputs.
    private static func jobs(_ named: [Named], from finished: [JobGateInput.Finished]) -> ExpressionValue {
        .object(named.map { job in
            let legs = finished.filter { job.keys.contains($0.key) }
            let results = legs.map(\.result)
            let result: Conclusion = results.contains(.failure) ? .failure
                : results.contains(.cancelled) ? .cancelled
                : (!results.isEmpty && results.allSatisfy { $0 == .skipped }) ? .skipped : .success
            var outputs: [String: String] = [:]
            for leg in legs { outputs.merge(leg.outputs) { _, later in later } }
            return (job.name, .object([
                ("result", .string(result.rawValue)),
                ("outputs", .object(outputs.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ]))
        })
    }
}
