import ConcurrencySimulator
import SourceDocuments
import Yams

/// What starts a run: GitHub's trigger, as the control API receives it.
public struct TriggerEvent: Sendable {
    public var workflow: String
    public var ref: String
    public var event: String
    public var inputs: [(key: String, value: ExpressionValue)]
    public var vars: [(key: String, value: ExpressionValue)]
    public var actor: String
    public var sha: String
    public var headRef: String
    public var baseRef: String
    /// Laid over the payload GitHub would send for `event` (see `EventPayload`); `nil` for none.
    public var payload: ExpressionValue?

    public init(
        workflow: String, ref: String = "refs/heads/main", event: String = "push",
        inputs: [(key: String, value: ExpressionValue)] = [], vars: [(key: String, value: ExpressionValue)] = [],
        actor: String = "octocat", sha: String = RunOrigin.unknownSHA, headRef: String = "", baseRef: String = "",
        payload: ExpressionValue? = nil
    ) {
        self.workflow = workflow
        self.ref = ref
        self.event = event
        self.inputs = inputs
        self.vars = vars
        self.actor = actor
        self.sha = sha
        self.headRef = headRef
        self.baseRef = baseRef
        self.payload = payload
    }
}

/// Evaluates a workflow for one trigger into the `RunPlan` the simulator runs: the run name,
/// every `concurrency` block evaluated, matrix legs expanded, `uses:` jobs expanded into their
/// called workflows' jobs.
///
/// A job's `if:` and job-level `concurrency` are not evaluated here: they become a
/// `WorkflowJobGate` (with this trigger's `github`, `inputs`, `vars`, `matrix` and `strategy`)
/// that the simulator consults when the job becomes ready, with its needs' real results and
/// outputs. Job `name` and `with:` are evaluated here, seeing `needs.<job>.result` as `success`
/// and no outputs.
public struct RunPlanner {
    /// GitHub allows reusable workflows nested this deep (a caller and nine levels below it).
    public static let maximumNestingDepth = 10
    /// The most jobs one run may expand to (matrix legs and called workflows' jobs included), so
    /// that nested matrices of calls cannot blow a trigger up; GitHub documents no such number.
    public static let maximumJobsPerRun = 1000
    /// GitHub's limit on the legs of one job's matrix.
    public static let maximumMatrixLegs = 256

    let registry: WorkflowRegistry
    let simulator: Simulator

    public init(registry: WorkflowRegistry, simulator: Simulator) {
        self.registry = registry
        self.simulator = simulator
    }

    public func plan(_ trigger: TriggerEvent, in repositoryKey: RepositoryKey) throws(SourceError) -> RunPlan {
        guard let repository = simulator.repositories[repositoryKey] else {
            throw SourceError(file: trigger.workflow, line: 0, column: 0, message: "repository \(repositoryKey) does not exist")
        }
        guard let workflow = registry.workflow(trigger.workflow, in: repositoryKey) else {
            throw SourceError(file: trigger.workflow, line: 0, column: 0, message: "workflow \(trigger.workflow) is not registered in \(repository.owner)/\(repository.name)")
        }
        guard workflow.events.contains(trigger.event) else {
            throw SourceError(
                file: workflow.file, line: 0, column: 0,
                message: "workflow \(workflow.file) does not run on \(trigger.event) (its triggers: \(workflow.events.joined(separator: ", ")))")
        }
        let runID = simulator.nextRunID
        let github = githubContext(trigger, workflow: workflow, repository: repository, runID: runID)
        let inputs = trigger.event == "workflow_dispatch" ? try Self.dispatchInputs(trigger, of: workflow) : .object(trigger.inputs)
        let vars = ExpressionValue.object(trigger.vars)
        let workflowContext = ExpressionContext(["github": github, "inputs": inputs, "vars": vars])
        let runName = try workflow.runName.map { template throws(SourceError) in
            try Self.string(template, in: workflowContext, file: workflow.file)
        } ?? workflow.name ?? ".github/workflows/\(workflow.file)"
        let concurrency = try workflow.concurrency.map { definition throws(SourceError) in
            try Self.settings(definition, in: workflowContext, file: workflow.file)
        }
        var drafts: [Draft] = []
        try expand(
            workflow, in: repositoryKey, github: github, inputs: inputs, vars: vars, parent: nil, keyPrefix: "",
            namePrefix: "", chain: [(repositoryKey, workflow.file)], into: &drafts)
        let jobs = drafts.map { draft in
            PlannedJob(
                key: draft.key, name: draft.name, parent: draft.parent, needs: draft.needs,
                callsReusableWorkflow: draft.callsReusableWorkflow, concurrency: draft.concurrency,
                calledWorkflowConcurrency: draft.calledWorkflowConcurrency, gate: draft.gate.map(AnyJobGate.init))
        }
        let origin = RunOrigin(
            event: trigger.event, ref: trigger.ref, sha: trigger.sha, actor: trigger.actor, headRef: trigger.headRef, baseRef: trigger.baseRef)
        // A workflow-level group reading `github.run_attempt` is evaluated again for a re-run's
        // attempt (nothing else it can read changes between attempts, so other runs need no gate).
        var runGate: AnyJobGate?
        if let definition = workflow.concurrency, definition.readsRunAttempt {
            runGate = AnyJobGate(try WorkflowJobGate(parts: .init(
                file: workflow.file, condition: nil, group: definition.group.value.source,
                cancelInProgress: definition.cancelInProgressSource, queue: definition.queue, needs: [],
                context: ExpressionValue.object([("github", github), ("inputs", inputs), ("vars", vars)]))))
        }
        return RunPlan(name: runName, workflow: workflow.file, concurrency: concurrency, jobs: jobs, origin: origin, gate: runGate)
    }

    /// A planned job while its siblings are still being placed.
    private struct Draft {
        let key: String
        /// The job's key in its own workflow file.
        let fileKey: String
        let name: String
        let parent: Int?
        var needs: [Int]
        let callsReusableWorkflow: Bool
        let concurrency: ConcurrencySettings?
        let calledWorkflowConcurrency: ConcurrencySettings?
        /// What the gate is made of, once the needs and called jobs are placed.
        var gateParts: WorkflowJobGate.Parts?
        var gate: WorkflowJobGate?
    }

    private func githubContext(_ trigger: TriggerEvent, workflow: WorkflowDefinition, repository: Repository, runID: RunID) -> ExpressionValue {
        let refName = EventPayload.refName(trigger.ref)
        let event = EventPayload.build(for: trigger, repository: (repository.owner, repository.name))
        var headRef = trigger.headRef
        var baseRef = trigger.baseRef
        // A payload that names the pull request's head and base decides them, as on GitHub.
        if case .string(let ref)? = event.member("pull_request")?.member("head")?.member("ref"), !ref.isEmpty { headRef = ref }
        if case .string(let ref)? = event.member("pull_request")?.member("base")?.member("ref"), !ref.isEmpty { baseRef = ref }
        let runNumber = simulator.runCount(of: workflow.file, in: repository.key) + 1
        return .object([
            ("workflow", .string(workflow.name ?? ".github/workflows/\(workflow.file)")),
            ("ref", .string(trigger.ref)),
            ("ref_name", .string(refName)),
            ("head_ref", .string(headRef)),
            ("base_ref", .string(baseRef)),
            ("event_name", .string(trigger.event)),
            ("event", event),
            ("run_id", .string(String(runID.rawValue))),
            ("run_number", .string(String(runNumber))),
            ("run_attempt", .string("1")),
            ("repository", .string("\(repository.owner)/\(repository.name)")),
            ("repository_owner", .string(repository.owner)),
            ("actor", .string(trigger.actor)),
            ("sha", .string(trigger.sha)),
            ("job", .string("")),
        ])
    }

    /// Places a workflow's jobs (matrix legs expanded, called workflows inlined) after `drafts`.
    private func expand(
        _ workflow: WorkflowDefinition, in repositoryKey: RepositoryKey, github: ExpressionValue, inputs: ExpressionValue,
        vars: ExpressionValue, parent: Int?, keyPrefix: String, namePrefix: String,
        chain: [(RepositoryKey, String)], into drafts: inout [Draft]
    ) throws(SourceError) {
        var legsByKey: [String: [Int]] = [:]
        var pendingNeeds: [(leg: Int, needs: [String])] = []
        for job in workflow.jobs {
            let combinations = try Self.combinations(of: job, file: workflow.file, alreadyPlanned: drafts.count)
            let jobGitHub = github.setting("job", to: .string(job.key))
            let needs = ExpressionValue.object(job.needs.map { ($0, .object([("result", .string("success")), ("outputs", .object([]))])) })
            for (index, combination) in combinations.enumerated() {
                let matrix = ExpressionValue.object(combination)
                let strategy = ExpressionValue.object([
                    ("fail-fast", .bool(true)), ("job-index", .number(Double(index))),
                    ("job-total", .number(Double(combinations.count))), ("max-parallel", .number(Double(combinations.count))),
                ])
                let context = ExpressionContext([
                    "github": jobGitHub, "inputs": inputs, "vars": vars, "needs": needs, "strategy": strategy, "matrix": matrix,
                ])
                let legSuffix = combination.isEmpty ? "" : " (\(combination.map(\.value.stringValue).joined(separator: ", ")))"
                var name = try job.name.map { template throws(SourceError) in try Self.string(template, in: context, file: workflow.file) } ?? job.key
                if job.name.map({ !$0.value.referencedNamedValues.contains("matrix") }) ?? true { name += legSuffix }
                let leg = drafts.count
                guard leg < Self.maximumJobsPerRun else { throw Self.tooManyJobs(job, file: workflow.file) }
                legsByKey[job.key, default: []].append(leg)
                pendingNeeds.append((leg, job.needs))
                let key = keyPrefix + job.key + legSuffix
                let gateContext = ExpressionValue.object([
                    ("github", jobGitHub), ("inputs", inputs), ("vars", vars), ("matrix", matrix), ("strategy", strategy),
                ])
                var parts = WorkflowJobGate.Parts(
                    file: workflow.file, condition: job.condition?.value, group: job.concurrency?.group.value.source,
                    cancelInProgress: job.concurrency?.cancelInProgressSource ?? "false", queue: job.concurrency?.queue ?? .single,
                    needs: [], context: gateContext)
                guard let uses = job.uses else {
                    drafts.append(Draft(
                        key: key, fileKey: job.key, name: namePrefix + name, parent: parent, needs: [], callsReusableWorkflow: false,
                        concurrency: nil, calledWorkflowConcurrency: nil,
                        gateParts: job.condition != nil || job.concurrency != nil ? parts : nil))
                    continue
                }
                let (calledKey, called) = try resolve(uses, of: job, in: repositoryKey, file: workflow.file, chain: chain)
                let calledInputs = try Self.inputs(for: called, from: job, in: context, file: workflow.file)
                let calledContext = ExpressionContext(["github": github, "inputs": calledInputs, "vars": vars])
                let calledConcurrency = try called.concurrency.map { definition throws(SourceError) in
                    try Self.settings(definition, in: calledContext, file: called.file)
                }
                parts.callOutputs = called.callOutputs
                drafts.append(Draft(
                    key: key, fileKey: job.key, name: namePrefix + name, parent: parent, needs: [], callsReusableWorkflow: true,
                    concurrency: nil, calledWorkflowConcurrency: calledConcurrency,
                    gateParts: job.condition != nil || job.concurrency != nil || !called.callOutputs.isEmpty ? parts : nil))
                try expand(
                    called, in: calledKey, github: github, inputs: calledInputs, vars: vars, parent: leg,
                    keyPrefix: key + "/", namePrefix: namePrefix + name + " / ", chain: chain + [(calledKey, called.file)],
                    into: &drafts)
                if drafts[leg].gateParts != nil {
                    drafts[leg].gateParts!.calledJobs = Self.named(drafts.indices.filter { drafts[$0].parent == leg }, in: drafts)
                }
            }
        }
        for (leg, needs) in pendingNeeds {
            drafts[leg].needs = needs.flatMap { legsByKey[$0] ?? [] }
            guard var parts = drafts[leg].gateParts else { continue }
            parts.needs = Self.named(drafts[leg].needs, in: drafts)
            drafts[leg].gate = try WorkflowJobGate(parts: parts)
        }
    }

    /// Jobs grouped by their key in their file, in order: what `needs.<job>` and `jobs.<job>` name.
    private static func named(_ indices: [Int], in drafts: [Draft]) -> [WorkflowJobGate.Named] {
        var named: [WorkflowJobGate.Named] = []
        for index in indices {
            let draft = drafts[index]
            if let position = named.firstIndex(where: { $0.name == draft.fileKey }) {
                named[position] = WorkflowJobGate.Named(name: draft.fileKey, keys: named[position].keys + [draft.key])
            } else {
                named.append(WorkflowJobGate.Named(name: draft.fileKey, keys: [draft.key]))
            }
        }
        return named
    }

    /// `cancel-in-progress` as a gate keeps it: `true`, `false` or the expression as written.
    private func resolve(
        _ uses: Located<ReusableWorkflowTarget>, of job: JobDefinition, in repositoryKey: RepositoryKey, file: String,
        chain: [(RepositoryKey, String)]
    ) throws(SourceError) -> (RepositoryKey, WorkflowDefinition) {
        guard let target = registry.resolve(uses.value, from: repositoryKey, simulator: simulator),
              let called = registry.workflow(target.file, in: target.repository)
        else {
            throw SourceError(file: file, line: uses.line, column: uses.column, message: "job '\(job.key)' uses \(uses.value), which is not a registered workflow of a mocked repository")
        }
        guard called.isCallable else {
            throw SourceError(file: file, line: uses.line, column: uses.column, message: "job '\(job.key)' uses \(uses.value), which has no 'on: workflow_call' trigger")
        }
        if chain.contains(where: { $0.0 == target.repository && $0.1 == target.file }) {
            throw SourceError(
                file: file, line: uses.line, column: uses.column,
                message: "job '\(job.key)' calls \(uses.value) again from inside itself: \(chain.map(\.1).joined(separator: " -> ")) -> \(target.file)")
        }
        guard chain.count < Self.maximumNestingDepth else {
            throw SourceError(file: file, line: uses.line, column: uses.column, message: "reusable workflows nest at most \(Self.maximumNestingDepth) levels deep")
        }
        return (target.repository, called)
    }

    /// A `workflow_dispatch` run's `inputs`: the given values typed as declared, then defaults;
    /// GitHub's messages for unexpected, missing and disallowed values.
    private static func dispatchInputs(_ trigger: TriggerEvent, of workflow: WorkflowDefinition) throws(SourceError) -> ExpressionValue {
        func refuse(_ message: String) -> SourceError { SourceError(file: workflow.file, line: 0, column: 0, message: message) }
        let unexpected = trigger.inputs.map(\.key).filter { name in !workflow.dispatchInputs.contains { $0.name == name } }
        guard unexpected.isEmpty else {
            throw refuse("Unexpected inputs provided: [\(unexpected.map { "\"\($0)\"" }.joined(separator: ", "))]")
        }
        var values: [(key: String, value: ExpressionValue)] = []
        for input in workflow.dispatchInputs {
            guard let given = trigger.inputs.last(where: { $0.key == input.name })?.value else {
                if input.required, input.defaultValue == nil { throw refuse("Required input '\(input.name)' not provided") }
                values.append((input.name, input.defaultValue ?? input.kind.emptyValue))
                continue
            }
            guard let typed = input.kind.coerce(given) else {
                throw refuse("Provided value '\(given.stringValue)' for input '\(input.name)' is not a \(input.kind.rawValue)")
            }
            if input.kind == .choice, !input.options.contains(typed.stringValue) {
                throw refuse("Provided value '\(typed.stringValue)' for input '\(input.name)' not in the list of allowed values")
            }
            values.append((input.name, typed))
        }
        return .object(values)
    }

    /// The called workflow's `inputs` context: `with:` values typed as declared, then defaults.
    private static func inputs(for called: WorkflowDefinition, from job: JobDefinition, in context: ExpressionContext, file: String) throws(SourceError) -> ExpressionValue {
        var values: [(key: String, value: ExpressionValue)] = []
        for (name, template) in job.with {
            guard let input = called.callInputs.first(where: { $0.name == name }) else {
                throw SourceError(file: file, line: template.line, column: template.column, message: "\(called.file) has no input '\(name)'")
            }
            let raw = try evaluate(template, in: context, file: file)
            guard let typed = input.kind.coerce(raw) else {
                throw SourceError(file: file, line: template.line, column: template.column, message: "input '\(name)' of \(called.file) must be a \(input.kind.rawValue), not '\(raw.stringValue)'")
            }
            values.append((name, typed))
        }
        for input in called.callInputs where !values.contains(where: { $0.key == input.name }) {
            if input.required, input.defaultValue == nil {
                throw SourceError(file: file, line: job.line, column: job.column, message: "job '\(job.key)' does not give \(called.file) its required input '\(input.name)'")
            }
            values.append((input.name, input.defaultValue ?? input.kind.emptyValue))
        }
        return .object(values)
    }

    /// The matrix combinations of a job (one empty combination without a matrix), counted
    /// before any is built; `alreadyPlanned` jobs of the run count towards `maximumJobsPerRun`.
    static func combinations(of job: JobDefinition, file: String, alreadyPlanned: Int) throws(SourceError) -> [[(key: String, value: ExpressionValue)]] {
        guard let matrix = job.matrix else { return [[]] }
        let expansion = MatrixExpansion(matrix)
        let count = expansion.legCount
        guard count > 0 else {
            throw SourceError(file: file, line: job.line, column: job.column, message: "the matrix of job '\(job.key)' has no combinations left")
        }
        guard count <= maximumMatrixLegs else {
            let described = count == .max ? "at least \(Int.max)" : String(count)
            throw SourceError(
                file: file, line: job.line, column: job.column,
                message: "the matrix of job '\(job.key)' has \(described) combinations; GitHub allows at most \(maximumMatrixLegs)")
        }
        guard alreadyPlanned + count <= maximumJobsPerRun else { throw tooManyJobs(job, file: file) }
        return expansion.legs
    }

    private static func tooManyJobs(_ job: JobDefinition, file: String) -> SourceError {
        SourceError(
            file: file, line: job.line, column: job.column,
            message: "the run would have more than \(maximumJobsPerRun) jobs (matrix legs and called workflows' jobs included)")
    }

    static func settings(_ definition: ConcurrencyDefinition, in context: ExpressionContext, file: String) throws(SourceError) -> ConcurrencySettings {
        let group = try string(definition.group, in: context, file: file)
        guard !group.isEmpty else {
            throw SourceError(file: file, line: definition.group.line, column: definition.group.column, message: "the concurrency group evaluated to an empty string")
        }
        let cancelInProgress: Bool
        switch definition.cancelInProgress {
        case .literal(let value):
            cancelInProgress = value
        case .expression(let template):
            cancelInProgress = try evaluate(template, in: context, file: file).isTruthy
            if cancelInProgress, definition.queue == .max {
                throw SourceError(file: file, line: template.line, column: template.column, message: "queue: max cannot be combined with cancel-in-progress: true")
            }
        }
        return ConcurrencySettings(group: group, cancelInProgress: cancelInProgress, queue: definition.queue)
    }

    static func string(_ template: Located<TemplateString>, in context: ExpressionContext, file: String) throws(SourceError) -> String {
        do {
            return try template.value.evaluateAsString(in: context)
        } catch {
            throw SourceError(file: file, line: template.line, column: template.column + error.offset, message: error.message)
        }
    }

    static func evaluate(_ template: Located<TemplateString>, in context: ExpressionContext, file: String) throws(SourceError) -> ExpressionValue {
        do {
            return try template.value.evaluate(in: context)
        } catch {
            throw SourceError(file: file, line: template.line, column: template.column + error.offset, message: error.message)
        }
    }
}

extension ExpressionValue {
    /// The object with one property replaced (or added).
    func setting(_ key: String, to value: ExpressionValue) -> ExpressionValue {
        guard case .object(var pairs) = self else { return self }
        if let index = pairs.firstIndex(where: { $0.key == key }) { pairs[index].value = value } else { pairs.append((key, value)) }
        return .object(pairs)
    }
}

extension WorkflowInput.Kind {
    /// A `with:` value converted to the declared type, or `nil` when it cannot be.
    func coerce(_ value: ExpressionValue) -> ExpressionValue? {
        switch (self, value) {
        case (.boolean, .bool), (.number, .number): return value
        case (.boolean, .string(let text)):
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return nil
            }
        case (.number, .string(let text)): return Double(text).map(ExpressionValue.number)
        case (.string, _), (.choice, _), (.environment, _): return .string(value.stringValue)
        default: return nil
        }
    }

    /// What an optional input without a default holds.
    var emptyValue: ExpressionValue {
        switch self {
        case .boolean: return .bool(false)
        case .number: return .number(0)
        case .string, .choice, .environment: return .string("")
        }
    }
}
