import AccessPolicy
import ConcurrencySimulator
import SourceDocuments
import Workflows
import Yams

/// Errors name the fixture's file, line and column.
public typealias FixtureError = SourceError

/// Loads a fixture document (YAML or JSON) into a new mock state.
///
/// All or nothing: the state is built in a local value and returned only when every part of the
/// document is valid and every event replayed, so a bad fixture never yields a half-loaded
/// server. The format is described in README.md ("Fixture format"); `StateExporter` writes it.
public enum FixtureLoader {
    /// The version this loader reads; documents may state it as `version: 1`.
    public static let formatVersion = 1

    public static func load(_ text: String, file: String) throws(SourceError) -> MockState {
        let reader = YAMLReader(file: file)
        // Fixtures and state exports are JSON, read without Yams when they can be (see `withJSON`).
        if let state = try reader.withJSON(text, { root throws(SourceError) in try load(root, reader: reader) }) { return state }
        return try load(try reader.compose(text), reader: reader)
    }

    /// `load` of a document's bytes, read where they are when they are JSON; other bytes are
    /// read as text, what is not UTF-8 in them replaced by U+FFFD.
    public static func load(utf8 bytes: [UInt8], file: String) throws(SourceError) -> MockState {
        let reader = YAMLReader(file: file)
        if let state = try reader.withJSON(utf8: bytes, { root throws(SourceError) in try load(root, reader: reader) }) { return state }
        return try load(String(decoding: bytes, as: UTF8.self), file: file)
    }

    private static func load<Node: ReadableNode>(_ root: Node, reader: YAMLReader) throws(SourceError) -> MockState {
        let document = try reader.mapping(
            root, "the fixture",
            allowed: ["version", "now", "frozen", "run_id_start", "job_id_start", "auth", "tokens", "rate_limits", "faults", "repositories", "events"],
            required: ["now"])
        if let versionNode = document["version"] {
            let version = try reader.identifier(versionNode, "version")
            guard version == formatVersion else {
                throw reader.error(at: versionNode, "fixture format version \(version) is not supported; this build reads version \(formatVersion)")
            }
        }
        var state = MockState(simulator: Simulator(now: try reader.timestamp(document["now"]!, "now")))
        state.clockFrozen = try document["frozen"].map { node throws(SourceError) in try reader.bool(node, "frozen") } ?? false
        state.simulator.runIDStart = try document["run_id_start"].map { node throws(SourceError) in RunID(try reader.identifier(node, "run_id_start")) }
        state.simulator.jobIDStart = try document["job_id_start"].map { node throws(SourceError) in JobID(try reader.identifier(node, "job_id_start")) }
        state.authenticationMode = try document["auth"].map { node throws(SourceError) in try reader.oneOf(node, "auth", AuthenticationMode.self) } ?? .permissive
        for tokenNode in try document["tokens"].map({ node throws(SourceError) in try reader.sequence(node, "tokens") }) ?? [] {
            let token = try AccessToken.parse(tokenNode, reader: reader, extraKeys: ["token"])
            let fields = try reader.mapping(tokenNode, "a token", allowed: AccessToken.documentKeys + ["token"], required: ["token"])
            let text = try reader.nonEmptyString(fields["token"]!, "token")
            if let problem = StoredName.problem(text, "the token") { throw reader.error(at: fields["token"]!, problem) }
            guard state.tokens[text] == nil else { throw reader.error(at: fields["token"]!, "token '\(text)' is declared twice") }
            state.tokens[text] = token
        }
        if let limits = document["rate_limits"] {
            state.rateLimits = try RateLimitPolicy.parse(limits, reader: reader)
        }
        for faultNode in try document["faults"].map({ node throws(SourceError) in try reader.sequence(node, "faults") }) ?? [] {
            let hasID: Bool
            if case .mapping(let entries) = faultNode.content { hasID = entries.contains { reader.scalarText($0.key) == "id" } } else { hasID = false }
            let rule = try FaultRule.parse(faultNode, id: state.faults.nextID, reader: reader, allowingID: true)
            guard !state.faults.contains(id: rule.id) else { throw reader.error(at: faultNode, "fault id \(rule.id) is declared twice") }
            guard state.faults.rules.count < FaultRules.maximumCount else {
                throw reader.error(at: faultNode, "at most \(FaultRules.maximumCount) faults")
            }
            state.faults.add(rule, keepingID: hasID)
        }
        var workflows: [PendingWorkflow<Node>] = []
        for repositoryNode in try document["repositories"].map({ node throws(SourceError) in try reader.sequence(node, "repositories") }) ?? [] {
            workflows += try loadRepository(repositoryNode, into: &state.simulator, reader: reader)
        }
        try register(workflows, into: &state, reader: reader)
        for eventNode in try document["events"].map({ node throws(SourceError) in try reader.sequence(node, "events") }) ?? [] {
            try EventReplayer.apply(eventNode, to: &state, reader: reader)
        }
        // Loading is one change (the owner journals it as the state being replaced), not the
        // events that built it.
        _ = state.simulator.takeEvents()
        return state
    }

    /// A workflow file found in the fixture, registered once every repository exists.
    private struct PendingWorkflow<Node: ReadableNode> {
        let repository: RepositoryKey
        let file: String
        let source: String
        let node: Node
    }

    private static func loadRepository<Node: ReadableNode>(
        _ node: Node, into simulator: inout Simulator, reader: YAMLReader
    ) throws(SourceError) -> [PendingWorkflow<Node>] {
        let fields = try reader.mapping(
            node, "a repository", allowed: ["owner", "name", "visibility", "group_names", "workflows", "run_counts", "runs", "concurrency_groups"],
            required: ["owner", "name"])
        let owner = try reader.nonEmptyString(fields["owner"]!, "owner")
        let name = try reader.nonEmptyString(fields["name"]!, "name")
        let visibility = try fields["visibility"].map { node throws(SourceError) in try reader.oneOf(node, "visibility", Visibility.self) } ?? .public
        do {
            try simulator.addRepository(owner: owner, name: name, visibility: visibility)
        } catch {
            throw reader.error(at: error.field.flatMap { fields[$0] } ?? node, error.message)
        }
        let key = RepositoryKey(owner: owner, name: name)
        var names: [String] = []
        let nameNodes = try fields["group_names"].map { node throws(SourceError) in try reader.sequence(node, "group_names") } ?? []
        for nameNode in nameNodes {
            names.append(try reader.nonEmptyString(nameNode, "a group name"))
        }
        do {
            try simulator.rememberGroupNames(names, in: key)
        } catch {
            guard case .configuredGroup(let index)? = error.subject else { throw reader.error(at: node, error.message) }
            throw reader.error(at: nameNodes[index], error.message)
        }
        var unstated = UnstatedFields()
        let runNodes = try fields["runs"].map { node throws(SourceError) in try reader.sequence(node, "runs") } ?? []
        let now = simulator.now
        try forEachReadAhead(runNodes, makeReader: {
            // Each thread reading runs shares the shapes of the jobs it checks in a table of its own.
            var shapes = SharedJobShapes()
            return { node throws(SourceError) in try readRun(node, now: now, shapes: &shapes, reader: reader) }
        }) { run throws(SourceError) in
            try add(run, in: key, into: &simulator, unstated: &unstated, reader: reader)
        }
        let groupNodes = try fields["concurrency_groups"].map { node throws(SourceError) in try reader.sequence(node, "concurrency_groups") } ?? []
        let queues = try readAndCheckQueues(groupNodes, in: key, of: simulator, reader: reader)
        do {
            try simulator.restoreQueues(in: key, queues.map(\.checked))
        } catch {
            let (groupNode, itemNodes) = (groupNodes[error.groupIndex], queues[error.groupIndex].itemNodes)
            if case .queueItem(let index)? = error.refusal.subject { throw reader.error(at: itemNodes[index], error.refusal.message) }
            throw reader.error(at: groupNode, error.refusal.message)
        }
        simulator.deriveUnstatedFields(unstated, in: key)
        for countNode in try fields["run_counts"].map({ node throws(SourceError) in try reader.sequence(node, "run_counts") }) ?? [] {
            let entry = try reader.mapping(countNode, "a run count", allowed: ["workflow", "count"], required: ["workflow", "count"])
            let workflow = try reader.nonEmptyString(entry["workflow"]!, "workflow")
            if let problem = StoredName.problem(workflow, "the workflow of a run count") { throw reader.error(at: entry["workflow"]!, problem) }
            simulator.raiseRunCount(of: workflow, to: try reader.identifier(entry["count"]!, "count"), in: key)
        }
        var workflows: [PendingWorkflow<Node>] = []
        for workflowNode in try fields["workflows"].map({ node throws(SourceError) in try reader.sequence(node, "workflows") }) ?? [] {
            let workflow = try reader.mapping(workflowNode, "a workflow", allowed: ["file", "source"], required: ["file", "source"])
            workflows.append(PendingWorkflow(
                repository: key, file: try reader.nonEmptyString(workflow["file"]!, "file"),
                source: try reader.string(workflow["source"]!, "source"), node: workflowNode))
        }
        return workflows
    }

    /// Registers workflows in rounds, so a caller listed before the workflow it calls still loads.
    private static func register<Node: ReadableNode>(
        _ pending: [PendingWorkflow<Node>], into state: inout MockState, reader: YAMLReader
    ) throws(SourceError) {
        var remaining = pending
        while !remaining.isEmpty {
            var failures: [(PendingWorkflow<Node>, SourceError)] = []
            for workflow in remaining {
                do {
                    try state.registerWorkflow(workflow.source, file: workflow.file, in: workflow.repository)
                } catch {
                    failures.append((workflow, error))
                }
            }
            if failures.count == remaining.count, let (workflow, error) = failures.first {
                throw reader.error(at: workflow.node, "workflow \(workflow.file) (its source starts near line \(workflow.node.line + 1)): \(error)")
            }
            remaining = failures.map(\.0)
        }
    }

    /// A run as read from its node and checked on its own: what `addRun` takes, the nodes its
    /// refusals point at, and what the document left out.
    private struct ReadRun<Node: ReadableNode> {
        let node: Node
        let id: RunID
        let run: Simulator.CheckedRun
        let jobNodes: [Node]
        let groupNodes: [Node]
        let jobsWithoutStatus: [JobID]
        let hasStatus: Bool
        let hasTimes: Bool
    }

    /// Reads a run and checks it on its own, with the clock at `now`; changes nothing, so runs
    /// can be read on another thread while the ones read before them are added.
    private static func readRun<Node: ReadableNode>(
        _ node: Node, now: Timestamp, shapes: inout SharedJobShapes, reader: YAMLReader
    ) throws(SourceError) -> ReadRun<Node> {
        let fields = try reader.mapping(node, "a run", keys: RunKey.self, required: [.id, .name])
        let id = RunID(try reader.identifier(fields[.id]!, "a run's id"))
        var jobs: [Simulator.JobSpec] = []
        var jobNodes: [Node] = []
        var jobsWithoutStatus: [JobID] = []
        if let jobsNode = fields[.jobs] {
            try collectJobs(jobsNode, parent: nil, into: &jobs, nodes: &jobNodes, unstated: &jobsWithoutStatus, reader: reader)
        }
        // After the current attempt's jobs, so `jobNodes` indexes them as `addRun` does.
        var earlierJobs: [Simulator.JobSpec] = []
        let metadata = try runMetadata(fields, earlierJobs: &earlierJobs, nodes: &jobNodes, unstated: &jobsWithoutStatus, reader: reader)
        let groupNodes = try fields[.concurrencyGroups].map { node throws(SourceError) in try reader.sequence(node, "a run's concurrency_groups") } ?? []
        var groups: [String] = []
        for groupNode in groupNodes { groups.append(try reader.nonEmptyString(groupNode, "a concurrency group name")) }
        let status = try fields[.status].map { node throws(SourceError) in try reader.oneOf(node, "status", ExecutionStatus.self) }
        let spec = Simulator.RunSpec(
            id: id, name: try reader.string(fields[.name]!, "a run's name"),
            workflow: try optionalString(fields[.workflow], "workflow", reader: reader),
            jobs: jobs, configuredGroups: groups,
            concurrency: try fields[.concurrency].flatMap { node throws(SourceError) in try settings(node, reader: reader) },
            gate: try fields[.gate].flatMap { node throws(SourceError) in try gate(node, reader: reader) },
            status: status ?? .inProgress,
            conclusion: try optionalConclusion(fields[.conclusion], reader: reader),
            cancellationReason: try optionalString(fields[.cancellationReason], "cancellation_reason", reader: reader),
            cancelledBy: try fields[.cancelledBy].flatMap { node throws(SourceError) in try CancellationCause.parse(node, reader: reader) },
            origin: metadata.origin, runNumber: metadata.runNumber, attempt: metadata.attempt, times: metadata.times,
            previousAttempts: metadata.previousAttempts, earlierJobs: earlierJobs)
        return ReadRun(
            node: node, id: id, run: Simulator.check(spec, now: now, sharing: &shapes), jobNodes: jobNodes, groupNodes: groupNodes, jobsWithoutStatus: jobsWithoutStatus,
            hasStatus: status != nil, hasTimes: metadata.times != nil)
    }

    private static func add<Node: ReadableNode>(
        _ run: ReadRun<Node>, in repository: RepositoryKey, into simulator: inout Simulator, unstated: inout UnstatedFields,
        reader: YAMLReader
    ) throws(SourceError) {
        unstated.jobStatuses += run.jobsWithoutStatus
        if !run.hasStatus { unstated.runStatuses.append(run.id) }
        if !run.hasTimes { unstated.runTimes.append(run.id) }
        do {
            try simulator.addRun(in: repository, run.run)
        } catch {
            switch error.subject {
            case .job(let index)?: throw reader.error(at: run.jobNodes[index], error.message)
            case .configuredGroup(let index)?: throw reader.error(at: run.groupNodes[index], error.message)
            default: throw reader.error(at: run.node, error.message)
            }
        }
    }

    /// Flattens the job tree depth-first, parents before children, keeping each job's node.
    private static func collectJobs<Node: ReadableNode>(
        _ node: Node, parent: JobID?, into jobs: inout [Simulator.JobSpec], nodes: inout [Node],
        unstated: inout [JobID], reader: YAMLReader
    ) throws(SourceError) {
        for jobNode in try reader.sequence(node, "jobs") {
            let fields = try reader.mapping(jobNode, "a job", keys: JobKey.self, required: [.id, .name])
            let metadata = try jobMetadata(fields, reader: reader)
            let id = JobID(try reader.identifier(fields[.id]!, "a job's id"))
            let (uses, children, calledConcurrency) = (fields[.uses], fields[.jobs], fields[.workflowConcurrency])
            if let uses { _ = try reader.nonEmptyString(uses, "uses") }
            var needs: [JobID] = []
            for need in try fields[.needs].map({ node throws(SourceError) in try reader.sequence(node, "needs") }) ?? [] {
                needs.append(JobID(try reader.identifier(need, "a needed job's id")))
            }
            let status = try fields[.status].map { node throws(SourceError) in try reader.oneOf(node, "status", ExecutionStatus.self) }
            if status == nil { unstated.append(id) }
            jobs.append(Simulator.JobSpec(
                id: id, name: try reader.string(fields[.name]!, "a job's name"),
                key: try optionalString(fields[.key], "key", reader: reader), parent: parent,
                callsReusableWorkflow: uses != nil || children != nil || calledConcurrency != nil,
                needs: needs,
                concurrency: try fields[.concurrency].flatMap { node throws(SourceError) in try settings(node, reader: reader) },
                calledWorkflowConcurrency: try calledConcurrency.flatMap { node throws(SourceError) in try settings(node, reader: reader) },
                gate: try fields[.gate].flatMap { node throws(SourceError) in try gate(node, reader: reader) },
                outputs: try fields[.outputs].map { node throws(SourceError) in try stringPairs(node, "outputs", reader: reader) } ?? [:],
                status: status ?? .inProgress,
                conclusion: try optionalConclusion(fields[.conclusion], reader: reader),
                cancellationReason: try optionalString(fields[.cancellationReason], "cancellation_reason", reader: reader),
                cancelledBy: try fields[.cancelledBy].flatMap { node throws(SourceError) in try CancellationCause.parse(node, reader: reader) },
                attempt: metadata.attempt, times: metadata.times))
            nodes.append(jobNode)
            if let children {
                try collectJobs(children, parent: id, into: &jobs, nodes: &nodes, unstated: &unstated, reader: reader)
            }
        }
    }

    /// A run's keys: its record, then its metadata (`runMetadata`).
    private enum RunKey: Int, MappingKey {
        case id, name, workflow, status, conclusion, cancellationReason, cancelledBy, concurrency, gate, jobs, concurrencyGroups
        case event, ref, sha, actor, triggeringActor, headRef, baseRef, runNumber, runAttempt
        case createdAt, updatedAt, runStartedAt, completedAt, previousAttempts
        static let texts = snakeCaseTexts()
    }

    private enum QueueItemKey: Int, MappingKey {
        case run, job, kind, waitingSince, acquiredAt
        static let texts = snakeCaseTexts()
    }

    /// A job's keys: its record, then its metadata (`jobMetadata`).
    private enum JobKey: Int, MappingKey {
        case id, name, key, uses, jobs, needs, status, conclusion, cancellationReason, cancelledBy
        case concurrency, workflowConcurrency, outputs, gate
        case runAttempt, createdAt, startedAt, completedAt
        static let texts = snakeCaseTexts()
    }

    /// A run's trigger, counters and times; what is left out gets the defaults (`push` to
    /// `refs/heads/main` by `octocat`, the next run number, attempt 1, times from the queues).
    /// An earlier attempt's `jobs` (its records the current attempt does not list) are added to
    /// `earlierJobs`; its `job_ids` (its whole list) default to the ids of those `jobs`.
    private static func runMetadata<Node: ReadableNode>(
        _ fields: KeyedFields<Node, RunKey>, earlierJobs: inout [Simulator.JobSpec], nodes: inout [Node], unstated: inout [JobID], reader: YAMLReader
    ) throws(SourceError) -> (
        origin: RunOrigin, runNumber: Int?, attempt: Int, times: RunTimes?, previousAttempts: [RunAttempt]
    ) {
        func text(_ key: RunKey) throws(SourceError) -> String? { try optionalString(fields[key], key.text, reader: reader) }
        func time(_ key: RunKey) throws(SourceError) -> Timestamp? {
            guard let node = fields[key], !reader.isNull(node) else { return nil }
            return try reader.timestamp(node, key.text)
        }
        let defaults = RunOrigin()
        let actor = try text(.actor) ?? defaults.actor
        let origin = RunOrigin(
            event: try text(.event) ?? defaults.event, ref: try text(.ref) ?? defaults.ref, sha: try text(.sha) ?? defaults.sha,
            actor: actor, triggeringActor: try text(.triggeringActor) ?? actor,
            headRef: try text(.headRef) ?? "", baseRef: try text(.baseRef) ?? "")
        let runNumber = try fields[.runNumber].map { node throws(SourceError) in try reader.identifier(node, "run_number") }
        let attempt = try fields[.runAttempt].map { node throws(SourceError) in try reader.identifier(node, "run_attempt") } ?? 1
        var times: RunTimes?
        if let created = try time(.createdAt) {
            times = RunTimes(
                createdAt: created, updatedAt: try time(.updatedAt), startedAt: try time(.runStartedAt), completedAt: try time(.completedAt))
        }
        var previous: [RunAttempt] = []
        for node in try fields[.previousAttempts].map({ node throws(SourceError) in try reader.sequence(node, "previous_attempts") }) ?? [] {
            let attemptFields = try reader.mapping(
                node, "an earlier attempt",
                allowed: ["run_attempt", "conclusion", "triggering_actor", "run_started_at", "updated_at", "job_ids", "jobs"],
                required: ["run_attempt", "conclusion", "run_started_at", "updated_at"])
            let number = try reader.identifier(attemptFields["run_attempt"]!, "run_attempt")
            guard number == previous.count + 1 else { throw reader.error(at: node, "earlier attempts are numbered 1, 2, ... in order") }
            var ownJobs: [Simulator.JobSpec] = []
            if let jobsNode = attemptFields["jobs"] {
                try collectJobs(jobsNode, parent: nil, into: &ownJobs, nodes: &nodes, unstated: &unstated, reader: reader)
            }
            earlierJobs += ownJobs
            var jobIDs = ownJobs.map(\.id)
            if let idsNode = attemptFields["job_ids"] {
                jobIDs = []
                for idNode in try reader.sequence(idsNode, "job_ids") { jobIDs.append(JobID(try reader.identifier(idNode, "a job id"))) }
            }
            previous.append(RunAttempt(
                number: number, conclusion: try reader.oneOf(attemptFields["conclusion"]!, "conclusion", Conclusion.self),
                triggeringActor: try optionalString(attemptFields["triggering_actor"], "triggering_actor", reader: reader) ?? actor,
                startedAt: try reader.timestamp(attemptFields["run_started_at"]!, "run_started_at"),
                updatedAt: try reader.timestamp(attemptFields["updated_at"]!, "updated_at"), jobs: jobIDs))
        }
        guard previous.count == attempt - 1 else {
            throw reader.error(at: fields[.runAttempt] ?? fields[.id]!, "run_attempt \(attempt) needs \(attempt - 1) previous_attempts, not \(previous.count)")
        }
        return (origin, runNumber, attempt, times, previous)
    }

    /// A job's attempt and times; without `created_at` the job is created with its run.
    private static func jobMetadata<Node: ReadableNode>(_ fields: KeyedFields<Node, JobKey>, reader: YAMLReader) throws(SourceError) -> (attempt: Int, times: JobTimes?) {
        func time(_ key: JobKey) throws(SourceError) -> Timestamp? {
            guard let node = fields[key], !reader.isNull(node) else { return nil }
            return try reader.timestamp(node, key.text)
        }
        let attempt = try fields[.runAttempt].map { node throws(SourceError) in try reader.identifier(node, "run_attempt") } ?? 1
        guard let created = try time(.createdAt) else { return (attempt, nil) }
        return (attempt, JobTimes(createdAt: created, startedAt: try time(.startedAt), completedAt: try time(.completedAt)))
    }

    /// `{group, cancel_in_progress, queue}` as evaluated settings; `null` for none.
    private static func settings(_ node: some ReadableNode, reader: YAMLReader) throws(SourceError) -> ConcurrencySettings? {
        if reader.isNull(node) { return nil }
        let fields = try reader.mapping(node, "concurrency settings", allowed: ["group", "cancel_in_progress", "queue"], required: ["group"])
        let queue = try fields["queue"].map { node throws(SourceError) in try reader.oneOf(node, "queue", QueueMode.self) } ?? .single
        let cancel = try fields["cancel_in_progress"].map { node throws(SourceError) in try reader.bool(node, "cancel_in_progress") } ?? false
        if queue == .max, cancel {
            throw reader.error(at: node, "queue: max cannot be combined with cancel_in_progress: true")
        }
        return ConcurrencySettings(group: try reader.nonEmptyString(fields["group"]!, "group"), cancelInProgress: cancel, queue: queue)
    }

    /// A mapping of names to strings (a job's `outputs`, a gate's `call_outputs`).
    static func stringPairs(_ node: some ReadableNode, _ what: String, reader: YAMLReader) throws(SourceError) -> [String: String] {
        guard case .mapping(let mapping) = node.content else { throw reader.error(at: node, "\(what) must be a mapping of names to strings") }
        var pairs: [String: String] = [:]
        for (key, value) in mapping {
            let name = try reader.nonEmptyString(key, "a name in \(what)")
            guard pairs[name] == nil else { throw reader.error(at: key, "\(what) names '\(name)' twice") }
            pairs[name] = try reader.string(value, "the value of \(name)")
        }
        return pairs
    }

    /// A job's gate as the export writes it (see `StateExporter`), rebuilt and its expressions checked.
    private static func gate(_ node: some ReadableNode, reader: YAMLReader) throws(SourceError) -> AnyJobGate? {
        if reader.isNull(node) { return nil }
        let fields = try reader.mapping(
            node, "a gate", allowed: ["file", "if", "concurrency", "needs", "call_outputs", "called_jobs", "context"],
            required: ["file", "context"])
        func named(_ key: String) throws(SourceError) -> [WorkflowJobGate.Named] {
            var result: [WorkflowJobGate.Named] = []
            for entry in try fields[key].map({ node throws(SourceError) in try reader.sequence(node, key) }) ?? [] {
                let entryFields = try reader.mapping(entry, "an entry of \(key)", allowed: ["name", "jobs"], required: ["name", "jobs"])
                var keys: [String] = []
                for job in try reader.sequence(entryFields["jobs"]!, "jobs") { keys.append(try reader.nonEmptyString(job, "a job key")) }
                result.append(WorkflowJobGate.Named(name: try reader.nonEmptyString(entryFields["name"]!, "name"), keys: keys))
            }
            return result
        }
        var group: String?
        var cancel = "false"
        var queue = QueueMode.single
        if let concurrency = fields["concurrency"], !reader.isNull(concurrency) {
            let settings = try reader.mapping(concurrency, "a gate's concurrency", allowed: ["group", "cancel_in_progress", "queue"], required: ["group"])
            group = try reader.nonEmptyString(settings["group"]!, "group")
            cancel = try optionalString(settings["cancel_in_progress"], "cancel_in_progress", reader: reader) ?? "false"
            queue = try settings["queue"].map { node throws(SourceError) in try reader.oneOf(node, "queue", QueueMode.self) } ?? .single
        }
        let parts = WorkflowJobGate.Parts(
            file: try reader.nonEmptyString(fields["file"]!, "file"), condition: try optionalString(fields["if"], "if", reader: reader),
            group: group, cancelInProgress: cancel, queue: queue, needs: try named("needs"),
            callOutputs: try fields["call_outputs"].map { node throws(SourceError) in try stringPairs(node, "call_outputs", reader: reader) } ?? [:],
            calledJobs: try named("called_jobs"), context: try reader.string(fields["context"]!, "context"))
        do {
            return AnyJobGate(try WorkflowJobGate(parts: parts))
        } catch {
            throw reader.error(at: node, "the gate is invalid: \(error.message)")
        }
    }

    private static func optionalString(_ node: (some ReadableNode)?, _ what: String, reader: YAMLReader) throws(SourceError) -> String? {
        guard let node, !reader.isNull(node) else { return nil }
        return try reader.string(node, what)
    }

    private static func optionalConclusion(_ node: (some ReadableNode)?, reader: YAMLReader) throws(SourceError) -> Conclusion? {
        guard let node, !reader.isNull(node) else { return nil }
        return try reader.oneOf(node, "conclusion", Conclusion.self)
    }

    /// Each group's queue read and checked against the runs (`Simulator.checkQueue`), on two
    /// threads for a large state. Takes the simulator by value, which it only reads: the copy is
    /// gone when it returns, so the caller's changes after it do not copy the repository.
    private static func readAndCheckQueues<Node: ReadableNode>(
        _ groupNodes: [Node], in repository: RepositoryKey, of simulator: Simulator, reader: YAMLReader
    ) throws(SourceError) -> [(checked: Result<Simulator.CheckedQueue, SimulatorError>, itemNodes: [Node])] {
        try mapOnTwoThreads(groupNodes) { node throws(SourceError) in
            let group = try readGroup(node, reader: reader)
            let checked = Result { () throws(SimulatorError) in try simulator.checkQueue(in: repository, groupName: group.name, items: group.items) }
            return (checked, group.itemNodes)
        }
    }

    /// A concurrency group as written: its name, its queue, and the queue items' nodes (for errors).
    private static func readGroup<Node: ReadableNode>(
        _ node: Node, reader: YAMLReader
    ) throws(SourceError) -> (name: String, items: [QueueItem], itemNodes: [Node]) {
        let fields = try reader.mapping(node, "a concurrency group", allowed: ["name", "queue"], required: ["name", "queue"])
        let name = try reader.nonEmptyString(fields["name"]!, "a concurrency group's name")
        let itemNodes = try reader.sequence(fields["queue"]!, "a queue")
        var items: [QueueItem] = []
        items.reserveCapacity(itemNodes.count)
        for itemNode in itemNodes {
            let item = try reader.mapping(itemNode, "a queue item", keys: QueueItemKey.self, required: [.run, .waitingSince])
            let job = try item[.job].map { node throws(SourceError) in JobID(try reader.identifier(node, "a queue item's job")) }
            let kind = try item[.kind].map { node throws(SourceError) in try reader.oneOf(node, "kind", LeaseKind.self) }
                ?? (job == nil ? .workflow : .job)
            let acquiredAt = try item[.acquiredAt].flatMap { node throws(SourceError) in
                reader.isNull(node) ? nil : try reader.timestamp(node, "acquired_at")
            }
            items.append(QueueItem(
                run: RunID(try reader.identifier(item[.run]!, "a queue item's run")),
                job: job, kind: kind,
                waitingSince: try reader.timestamp(item[.waitingSince]!, "waiting_since"),
                acquiredAt: acquiredAt))
        }
        return (name, items, itemNodes)
    }
}
