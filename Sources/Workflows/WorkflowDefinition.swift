import ConcurrencySimulator
import SourceDocuments
import Yams

/// A value with the place in a workflow file it came from.
public struct Located<Value: Sendable>: Sendable {
    public let value: Value
    public let line: Int
    public let column: Int
}

/// `concurrency:` at workflow or job level, expressions not yet evaluated.
public struct ConcurrencyDefinition: Sendable {
    public enum CancelInProgress: Sendable {
        case literal(Bool)
        case expression(Located<TemplateString>)
    }

    public let group: Located<TemplateString>
    public let cancelInProgress: CancelInProgress
    public let queue: QueueMode
    /// Whether the group or `cancel-in-progress` mentions `run_attempt`, which differs between a
    /// run's attempts: then a workflow-level group is evaluated again for a re-run. Found once,
    /// when the file is read (searching the text at each trigger was a tenth of its cost).
    public let readsRunAttempt: Bool

    init(group: Located<TemplateString>, cancelInProgress: CancelInProgress, queue: QueueMode) {
        self.group = group
        self.cancelInProgress = cancelInProgress
        self.queue = queue
        readsRunAttempt = (group.value.source + Self.source(of: cancelInProgress)).lowercased().contains("run_attempt")
    }

    /// `cancel-in-progress` as the text of an expression (`true` and `false` for the literals).
    public var cancelInProgressSource: String { Self.source(of: cancelInProgress) }

    private static func source(of cancelInProgress: CancelInProgress) -> String {
        switch cancelInProgress {
        case .literal(let value): value ? "true" : "false"
        case .expression(let template): template.value.source
        }
    }
}

/// One input of `on.workflow_call.inputs` (or `on.workflow_dispatch.inputs`).
public struct WorkflowInput: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case string, boolean, number, choice, environment
    }

    public let name: String
    public let kind: Kind
    public let required: Bool
    public let defaultValue: ExpressionValue?
    /// The allowed values of a `choice` input.
    public let options: [String]
}

/// Where a `uses:` job's workflow lives.
public enum ReusableWorkflowTarget: Hashable, Sendable, CustomStringConvertible {
    /// `./.github/workflows/FILE` in the same repository.
    case local(file: String)
    /// `OWNER/REPO/.github/workflows/FILE@REF`.
    case remote(owner: String, repository: String, file: String, ref: String)

    public var description: String {
        switch self {
        case .local(let file): return "./.github/workflows/\(file)"
        case .remote(let owner, let repository, let file, let ref): return "\(owner)/\(repository)/.github/workflows/\(file)@\(ref)"
        }
    }
}

/// `strategy.matrix`: axes in file order, with `include` and `exclude`.
public struct MatrixDefinition: Sendable {
    public let axes: [(name: String, values: [ExpressionValue])]
    public let include: [[(key: String, value: ExpressionValue)]]
    public let exclude: [[(key: String, value: ExpressionValue)]]
}

/// One entry of `jobs:`.
public struct JobDefinition: Sendable {
    public let key: String
    public let line: Int
    public let column: Int
    public let name: Located<TemplateString>?
    public let needs: [String]
    public let concurrency: ConcurrencyDefinition?
    public let matrix: MatrixDefinition?
    public let uses: Located<ReusableWorkflowTarget>?
    /// `with:` inputs for the called workflow; string values may hold expressions.
    public let with: [(name: String, value: Located<TemplateString>)]
    /// `if:` as written (with or without `${{ }}`), checked; decided when the job becomes ready.
    public let condition: Located<String>?
}

/// A parsed workflow file: what the simulator needs of GitHub's workflow syntax.
public struct WorkflowDefinition: Sendable {
    /// The file name under `.github/workflows/`, e.g. `deploy.yml`.
    public let file: String
    /// The text as registered, kept so the whole state can be exported.
    public let source: String
    public let name: String?
    public let runName: Located<TemplateString>?
    /// The events of `on:`.
    public let events: [String]
    /// `on.workflow_call.inputs`, in file order.
    public let callInputs: [WorkflowInput]
    /// `on.workflow_dispatch.inputs`, in file order.
    public let dispatchInputs: [WorkflowInput]
    /// `on.workflow_call.outputs.<name>.value` as written, checked (`jobs` and `github` allowed).
    public let callOutputs: [String: String]
    public let isCallable: Bool
    public let concurrency: ConcurrencyDefinition?
    public let jobs: [JobDefinition]

    /// Named values allowed in workflow-level expressions (`concurrency`, `run-name`).
    public static let workflowLevelNamedValues: Set<String> = ["github", "inputs", "vars"]
    /// Named values allowed in job-level expressions (`concurrency`, `name`, `with`).
    public static let jobLevelNamedValues: Set<String> = ["github", "inputs", "vars", "needs", "strategy", "matrix"]
    /// Named values allowed in a job's `if:` (GitHub's: no `matrix` or `strategy` there).
    public static let conditionNamedValues: Set<String> = ["github", "inputs", "vars", "needs"]
    /// Named values allowed in `on.workflow_call.outputs.<name>.value`.
    public static let callOutputNamedValues: Set<String> = ["github", "jobs"]

    static let topLevelKeys = ["name", "run-name", "on", "concurrency", "jobs", "env", "permissions", "defaults"]
    static let jobKeys = [
        "name", "needs", "runs-on", "steps", "concurrency", "strategy", "uses", "with", "secrets", "if", "env",
        "permissions", "outputs", "timeout-minutes", "continue-on-error", "container", "services", "environment", "defaults",
    ]

    /// Parses and validates a workflow file; errors carry `file:line:column`.
    public static func parse(_ source: String, file: String) throws(SourceError) -> WorkflowDefinition {
        let reader = YAMLReader(file: file)
        let root = try reader.compose(source)
        let fields = try reader.mapping(root, "a workflow", allowed: topLevelKeys, required: ["on", "jobs"])
        let name = try fields["name"].map { node throws(SourceError) in try reader.string(node, "name") }
        let runName = try fields["run-name"].map { node throws(SourceError) in
            try template(node, "run-name", allowed: workflowLevelNamedValues, reader: reader)
        }
        let (events, callInputs, dispatchInputs, callOutputs) = try parseTriggers(fields["on"]!, reader: reader)
        let concurrency = try fields["concurrency"].map { node throws(SourceError) in
            try parseConcurrency(node, allowed: workflowLevelNamedValues, reader: reader)
        }
        guard case .mapping(let jobsMapping) = fields["jobs"]!, !jobsMapping.isEmpty else {
            throw reader.error(at: fields["jobs"]!, "jobs must be a mapping with at least one job")
        }
        var jobs: [JobDefinition] = []
        for (keyNode, jobNode) in jobsMapping {
            let key = try reader.nonEmptyString(keyNode, "a job id")
            guard key.first.map({ $0.isLetter || $0 == "_" }) == true,
                  key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
            else {
                throw reader.error(at: keyNode, "the job id '\(key)' is invalid: it must start with a letter or '_' and contain only letters, digits, '-' and '_'")
            }
            jobs.append(try parseJob(key, jobNode, keyNode: keyNode, reader: reader))
        }
        try checkNeeds(jobs, reader: reader)
        return WorkflowDefinition(
            file: file, source: source, name: name, runName: runName, events: events, callInputs: callInputs, dispatchInputs: dispatchInputs,
            callOutputs: callOutputs, isCallable: events.contains("workflow_call"), concurrency: concurrency, jobs: jobs)
    }

    // MARK: - Pieces

    private static func parseTriggers(
        _ node: Node, reader: YAMLReader
    ) throws(SourceError) -> (events: [String], call: [WorkflowInput], dispatch: [WorkflowInput], outputs: [String: String]) {
        switch node {
        case .scalar(let scalar):
            return ([scalar.string], [], [], [:])
        case .sequence(let sequence):
            var events: [String] = []
            for event in sequence { events.append(try reader.nonEmptyString(event, "an event")) }
            return (events, [], [], [:])
        case .mapping(let mapping):
            var events: [String] = []
            var call: [WorkflowInput] = []
            var dispatch: [WorkflowInput] = []
            var outputs: [String: String] = [:]
            for (keyNode, value) in mapping {
                let event = try reader.nonEmptyString(keyNode, "an event")
                events.append(event)
                if event == "workflow_call", case .mapping(let settings) = value, let outputsNode = settings["outputs"] {
                    outputs = try parseCallOutputs(outputsNode, reader: reader)
                }
                guard case .mapping(let settings) = value, let inputsNode = settings["inputs"] else { continue }
                switch event {
                case "workflow_call": call = try parseInputs(inputsNode, reader: reader)
                case "workflow_dispatch": dispatch = try parseInputs(inputsNode, reader: reader)
                default: break
                }
            }
            return (events, call, dispatch, outputs)
        default:
            throw reader.error(at: node, "on must be an event, a list of events or a mapping of events")
        }
    }

    /// `on.workflow_call.outputs`: each output's `value`, checked.
    private static func parseCallOutputs(_ node: Node, reader: YAMLReader) throws(SourceError) -> [String: String] {
        guard case .mapping(let mapping) = node else { throw reader.error(at: node, "outputs must be a mapping") }
        var outputs: [String: String] = [:]
        for (keyNode, value) in mapping {
            let name = try reader.nonEmptyString(keyNode, "an output name")
            let fields = try reader.mapping(value, "output '\(name)'", allowed: ["description", "value"], required: ["value"])
            let template = try template(fields["value"]!, "outputs.\(name).value", allowed: callOutputNamedValues, reader: reader)
            outputs[name] = template.value.source
        }
        return outputs
    }

    private static func parseInputs(_ node: Node, reader: YAMLReader) throws(SourceError) -> [WorkflowInput] {
        guard case .mapping(let mapping) = node else { throw reader.error(at: node, "inputs must be a mapping") }
        var inputs: [WorkflowInput] = []
        for (keyNode, value) in mapping {
            let name = try reader.nonEmptyString(keyNode, "an input name")
            let fields = try reader.mapping(value, "input '\(name)'", allowed: ["description", "required", "default", "type", "options"])
            let kind = try fields["type"].map { node throws(SourceError) in try reader.oneOf(node, "type", WorkflowInput.Kind.self) } ?? .string
            let required = try fields["required"].map { node throws(SourceError) in try reader.bool(node, "required") } ?? false
            var options: [String] = []
            for option in try fields["options"].map({ node throws(SourceError) in try reader.sequence(node, "options") }) ?? [] {
                options.append(try reader.string(option, "an option"))
            }
            if kind == .choice, options.isEmpty {
                throw reader.error(at: value, "the choice input '\(name)' needs options")
            }
            let defaultValue = fields["default"].map { Self.value(of: $0, reader: reader) }
            if let defaultValue, let node = fields["default"] {
                guard let typed = kind.coerce(defaultValue) else {
                    throw reader.error(at: node, "the default of input '\(name)' is not a \(kind.rawValue)")
                }
                if kind == .choice, !options.contains(typed.stringValue) {
                    throw reader.error(at: node, "the default of input '\(name)' is not one of its options")
                }
            }
            inputs.append(WorkflowInput(
                name: name, kind: kind, required: required, defaultValue: defaultValue.flatMap(kind.coerce), options: options))
        }
        return inputs
    }

    private static func parseConcurrency(_ node: Node, allowed: Set<String>, reader: YAMLReader) throws(SourceError) -> ConcurrencyDefinition {
        if case .scalar = node {
            return ConcurrencyDefinition(
                group: try template(node, "concurrency", allowed: allowed, reader: reader),
                cancelInProgress: .literal(false), queue: .single)
        }
        let fields = try reader.mapping(node, "concurrency", allowed: ["group", "cancel-in-progress", "queue"], required: ["group"])
        let group = try template(fields["group"]!, "concurrency.group", allowed: allowed, reader: reader)
        var cancelInProgress = ConcurrencyDefinition.CancelInProgress.literal(false)
        if let cancelNode = fields["cancel-in-progress"] {
            if let literal = try? reader.bool(cancelNode, "cancel-in-progress") {
                cancelInProgress = .literal(literal)
            } else {
                let expression = try template(cancelNode, "cancel-in-progress", allowed: allowed, reader: reader)
                guard !expression.value.isLiteral else {
                    throw reader.error(at: cancelNode, "cancel-in-progress must be true, false or an expression")
                }
                cancelInProgress = .expression(expression)
            }
        }
        let queue = try fields["queue"].map { node throws(SourceError) in try reader.oneOf(node, "queue", QueueMode.self) } ?? .single
        if queue == .max, case .literal(true) = cancelInProgress {
            throw reader.error(at: fields["queue"]!, "queue: max cannot be combined with cancel-in-progress: true")
        }
        return ConcurrencyDefinition(group: group, cancelInProgress: cancelInProgress, queue: queue)
    }

    private static func parseJob(_ key: String, _ node: Node, keyNode: Node, reader: YAMLReader) throws(SourceError) -> JobDefinition {
        let fields = try reader.mapping(node, "job '\(key)'", allowed: jobKeys)
        let name = try fields["name"].map { node throws(SourceError) in try template(node, "name", allowed: jobLevelNamedValues, reader: reader) }
        var needs: [String] = []
        if let needsNode = fields["needs"] {
            switch needsNode {
            case .scalar: needs = [try reader.nonEmptyString(needsNode, "needs")]
            case .sequence(let sequence):
                for need in sequence { needs.append(try reader.nonEmptyString(need, "needs")) }
            default: throw reader.error(at: needsNode, "needs must be a job id or a list of job ids")
            }
        }
        let concurrency = try fields["concurrency"].map { node throws(SourceError) in
            try parseConcurrency(node, allowed: jobLevelNamedValues, reader: reader)
        }
        var matrix: MatrixDefinition?
        if let strategy = fields["strategy"] {
            let strategyFields = try reader.mapping(strategy, "strategy", allowed: ["matrix", "fail-fast", "max-parallel"])
            matrix = try strategyFields["matrix"].map { node throws(SourceError) in try parseMatrix(node, reader: reader) }
        }
        var uses: Located<ReusableWorkflowTarget>?
        if let usesNode = fields["uses"] {
            let text = try reader.nonEmptyString(usesNode, "uses")
            guard let target = ReusableWorkflowTarget(parsing: text) else {
                throw reader.error(at: usesNode, "uses must name a reusable workflow as ./.github/workflows/FILE or OWNER/REPO/.github/workflows/FILE@REF, not '\(text)'")
            }
            uses = Located(value: target, line: usesNode.mark?.line ?? 0, column: usesNode.mark?.column ?? 0)
            for conflicting in ["steps", "runs-on"] where fields[conflicting] != nil {
                throw reader.error(at: fields[conflicting]!, "a job that uses a reusable workflow cannot have \(conflicting)")
            }
        }
        var with: [(name: String, value: Located<TemplateString>)] = []
        if let withNode = fields["with"] {
            guard uses != nil else { throw reader.error(at: withNode, "with is only for jobs that use a reusable workflow") }
            guard case .mapping(let mapping) = withNode else { throw reader.error(at: withNode, "with must be a mapping") }
            for (inputNode, valueNode) in mapping {
                let input = try reader.nonEmptyString(inputNode, "an input name")
                with.append((input, try template(valueNode, "with.\(input)", allowed: jobLevelNamedValues, reader: reader)))
            }
        }
        var condition: Located<String>?
        if let conditionNode = fields["if"] {
            condition = try parseCondition(conditionNode, reader: reader)
        }
        return JobDefinition(
            key: key, line: keyNode.mark?.line ?? 0, column: keyNode.mark?.column ?? 0, name: name, needs: needs,
            concurrency: concurrency, matrix: matrix, uses: uses, with: with, condition: condition)
    }

    /// A job's `if:`: a boolean or a string, an expression with or without `${{ }}`, in which the
    /// status functions are allowed.
    private static func parseCondition(_ node: Node, reader: YAMLReader) throws(SourceError) -> Located<String> {
        guard case .scalar(let scalar) = node else { throw reader.error(at: node, "if must be a string or a boolean") }
        let line = node.mark?.line ?? 0
        let column = (node.mark?.column ?? 0) + (scalar.style == .singleQuoted || scalar.style == .doubleQuoted ? 1 : 0)
        let text = scalar.string.trimmingWhitespace
        guard !text.isEmpty else { throw reader.error(at: node, "if must not be empty") }
        let template: TemplateString
        do {
            template = try WorkflowJobGate.conditionTemplate(text)
        } catch {
            throw SourceError(file: reader.file, line: line, column: column, message: "invalid expression in if: \(error.message)")
        }
        if let unknown = template.referencedNamedValues.subtracting(conditionNamedValues).sorted().first {
            throw SourceError(
                file: reader.file, line: line, column: column,
                message: "Unrecognized named-value: '\(unknown)' in if; available here: \(conditionNamedValues.sorted().joined(separator: ", "))")
        }
        return Located(value: text, line: line, column: column)
    }

    private static func parseMatrix(_ node: Node, reader: YAMLReader) throws(SourceError) -> MatrixDefinition {
        guard case .mapping(let mapping) = node else {
            throw reader.error(at: node, "strategy.matrix must be a mapping (a matrix computed by an expression is not supported)")
        }
        var axes: [(name: String, values: [ExpressionValue])] = []
        var include: [[(key: String, value: ExpressionValue)]] = []
        var exclude: [[(key: String, value: ExpressionValue)]] = []
        func combinations(_ node: Node, _ what: String) throws(SourceError) -> [[(key: String, value: ExpressionValue)]] {
            var result: [[(key: String, value: ExpressionValue)]] = []
            for entry in try reader.sequence(node, what) {
                guard case .mapping(let pairs) = entry else { throw reader.error(at: entry, "each \(what) entry must be a mapping") }
                var combination: [(key: String, value: ExpressionValue)] = []
                for (keyNode, value) in pairs {
                    combination.append((try reader.nonEmptyString(keyNode, "a matrix key"), Self.value(of: value, reader: reader)))
                }
                result.append(combination)
            }
            return result
        }
        for (keyNode, value) in mapping {
            let key = try reader.nonEmptyString(keyNode, "a matrix key")
            switch key {
            case "include": include = try combinations(value, "include")
            case "exclude": exclude = try combinations(value, "exclude")
            default:
                let values = try reader.sequence(value, "matrix axis '\(key)'").map { Self.value(of: $0, reader: reader) }
                guard !values.isEmpty else { throw reader.error(at: value, "matrix axis '\(key)' has no values") }
                axes.append((key, values))
            }
        }
        guard !axes.isEmpty || !include.isEmpty else { throw reader.error(at: node, "strategy.matrix has no axes and no include") }
        return MatrixDefinition(axes: axes, include: include, exclude: exclude)
    }

    /// Jobs named in `needs` exist, and `needs` form no cycle.
    private static func checkNeeds(_ jobs: [JobDefinition], reader: YAMLReader) throws(SourceError) {
        let byKey = Dictionary(jobs.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for job in jobs {
            for need in job.needs where byKey[need] == nil {
                throw SourceError(file: reader.file, line: job.line, column: job.column, message: "job '\(job.key)' needs '\(need)', which is not a job of this workflow")
            }
        }
        var state: [String: Int] = [:]
        var path: [String] = []
        func visit(_ key: String) -> [String]? {
            if state[key] == 2 { return nil }
            if state[key] == 1 { return Array(path[path.firstIndex(of: key)!...]) + [key] }
            state[key] = 1
            path.append(key)
            for need in byKey[key]!.needs {
                if let cycle = visit(need) { return cycle }
            }
            path.removeLast()
            state[key] = 2
            return nil
        }
        for job in jobs {
            if let cycle = visit(job.key) {
                let first = byKey[cycle[0]]!
                throw SourceError(file: reader.file, line: first.line, column: first.column, message: "needs form a cycle: \(cycle.joined(separator: " -> "))")
            }
        }
    }

    /// A string that may hold `${{ }}`, checked for syntax and for named values not allowed here.
    static func template(_ node: Node, _ what: String, allowed: Set<String>, reader: YAMLReader) throws(SourceError) -> Located<TemplateString> {
        guard case .scalar(let scalar) = node else { throw reader.error(at: node, "\(what) must be a string") }
        let line = node.mark?.line ?? 0
        let column = (node.mark?.column ?? 0) + (scalar.style == .singleQuoted || scalar.style == .doubleQuoted ? 1 : 0)
        let template: TemplateString
        do {
            template = try TemplateString(parsing: scalar.string)
        } catch {
            throw SourceError(file: reader.file, line: line, column: column + error.offset, message: "invalid expression in \(what): \(error.message)")
        }
        if let unknown = template.referencedNamedValues.subtracting(allowed).sorted().first {
            throw SourceError(
                file: reader.file, line: line, column: column,
                message: "Unrecognized named-value: '\(unknown)' in \(what); available here: \(allowed.sorted().joined(separator: ", "))")
        }
        return Located(value: template, line: line, column: column)
    }

    /// A YAML value as an expression value: plain scalars resolve to null, booleans and numbers.
    public static func value(of node: some ReadableNode, reader: YAMLReader) -> ExpressionValue {
        switch node.content {
        case .scalar(let text, let plain):
            guard plain else { return .string(text) }
            if reader.isNull(node) { return .null }
            switch text {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: return Double(text).map(ExpressionValue.number) ?? .string(text)
            }
        case .sequence(let sequence):
            return .array(sequence.map { value(of: $0, reader: reader) })
        case .mapping(let mapping):
            return .object(mapping.map { (key: reader.scalarText($0.key) ?? "", value: value(of: $0.value, reader: reader)) })
        }
    }
}

extension ReusableWorkflowTarget {
    /// Parses `./.github/workflows/FILE` or `OWNER/REPO/.github/workflows/FILE@REF`.
    public init?(parsing text: String) {
        let localPrefix = "./.github/workflows/"
        if text.hasPrefix(localPrefix) {
            let file = String(text.dropFirst(localPrefix.count))
            guard !file.isEmpty, !file.contains("/"), !file.contains("@") else { return nil }
            self = .local(file: file)
            return
        }
        guard let at = text.lastIndex(of: "@") else { return nil }
        let ref = String(text[text.index(after: at)...])
        let parts = text[..<at].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[2] == ".github", parts[3] == "workflows", !ref.isEmpty,
              parts.allSatisfy({ !$0.isEmpty })
        else { return nil }
        self = .remote(owner: parts[0], repository: parts[1], file: parts[4], ref: ref)
    }
}

extension String {
    /// The text without leading and trailing whitespace (and line breaks).
    var trimmingWhitespace: String {
        let scalars = Array(unicodeScalars)
        var start = 0
        var end = scalars.count
        while start < end, scalars[start].properties.isWhitespace { start += 1 }
        while end > start, scalars[end - 1].properties.isWhitespace { end -= 1 }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }
}
