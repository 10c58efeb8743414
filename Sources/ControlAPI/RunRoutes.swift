import ConcurrencySimulator
import GitHubREST
import JSONOutput
import SourceDocuments
import StateDocuments
import Workflows
import Yams

/// Runs under `/_mock/repos/{owner}/{repo}`: trigger one (`POST runs`), read it (`GET runs/{id}`),
/// complete or cancel it, complete one of its jobs. Each answers the run document.
enum RunRoute {
    case trigger(owner: String, name: String)
    case run(owner: String, name: String, id: RunID)
    case completeRun(owner: String, name: String, id: RunID)
    case cancelRun(owner: String, name: String, id: RunID)
    case rerunRun(owner: String, name: String, id: RunID)
    case completeJob(owner: String, name: String, id: JobID)

    var allowedMethods: [String] {
        switch self {
        case .run: ["GET"]
        case .trigger, .completeRun, .cancelRun, .rerunRun, .completeJob: ["POST"]
        }
    }
}

extension ControlPlane {
    /// A trigger's body, read as JSON without Yams when it is JSON, as clients send it (Yams'
    /// two passes over it were a fifth of a trigger's cost); other bodies are read as YAML.
    /// Both readings give the same trigger or the same refusal.
    private static func trigger(from body: [UInt8]) throws(GitHubError) -> TriggerEvent {
        let reader = YAMLReader(file: "request body")
        func parse(_ root: some ReadableNode) -> Result<TriggerEvent, SourceError> {
            Result { () throws(SourceError) in try TriggerEvent.parse(root, reader: reader) }
        }
        let readAsJSON: Result<TriggerEvent, SourceError>?
        do { readAsJSON = try reader.withJSON(utf8: body) { root in parse(root) } } catch { throw invalid("Run", "body", error) }
        let parsed = if let readAsJSON { readAsJSON } else { parse(try document(body, "Run")) }
        do { return try parsed.get() } catch { throw invalid("Run", "workflow", error) }
    }

    static func respond(_ route: RunRoute, method: String, body: [UInt8], context: inout Context) throws(GitHubError) -> (Int, [UInt8]) {
        switch route {
        case .trigger(let owner, let name):
            let key = try repositoryKey(owner, name, context.state)
            let trigger = try Self.trigger(from: body)
            let runID: RunID
            do {
                runID = try context.state.trigger(trigger, in: key)
            } catch {
                throw invalid("Run", "workflow", error)
            }
            return (201, runDocument(runID, in: key, context.state))
        case .run(let owner, let name, let id):
            let key = try runKey(owner, name, id, context.state)
            return (200, runDocument(id, in: key, context.state))
        case .completeRun(let owner, let name, let id):
            let key = try runKey(owner, name, id, context.state)
            try object(body, "Run", allowed: [])
            do { try context.state.simulator.completeRun(id) } catch { throw invalid("Run", "run_id", error.message) }
            return (200, runDocument(id, in: key, context.state))
        case .cancelRun(let owner, let name, let id):
            let key = try runKey(owner, name, id, context.state)
            try object(body, "Run", allowed: [])
            do {
                try context.state.simulator.cancelRun(id, reason: CancellationReason.controlAPI)
            } catch {
                throw invalid("Run", "run_id", error.message)
            }
            return (200, runDocument(id, in: key, context.state))
        case .rerunRun(let owner, let name, let id):
            let key = try runKey(owner, name, id, context.state)
            let fields = try object(body, "Run", allowed: ["failed_only"])
            var failedOnly = false
            if let node = fields["failed_only"] {
                guard case .scalar(let scalar) = node, scalar.style == .plain, ["true", "false"].contains(scalar.string) else {
                    throw invalid("Run", "failed_only", "failed_only must be true or false")
                }
                failedOnly = scalar.string == "true"
            }
            do {
                try context.state.simulator.rerun(id, scope: failedOnly ? .failedJobs : .all, actor: "concurrency-mock")
            } catch {
                let message = switch error {
                case .notCompleted: "run \(id) has not completed; only a completed run can be re-run"
                case .nothingToRerun: "run \(id) has no failed or cancelled job to re-run"
                case .runNotFound, .jobNotFound, .jobNotInCurrentAttempt: "run \(id) does not exist"
                case .jobIDsUsedUp(let problem): problem
                }
                throw invalid("Run", "run_id", message)
            }
            return (200, runDocument(id, in: key, context.state))
        case .completeJob(let owner, let name, let id):
            let key = try repositoryKey(owner, name, context.state)
            guard let job = context.state.simulator.repositories[key]?.jobs[id] else {
                throw notFound()
            }
            let fields = try object(body, "Job", allowed: ["conclusion", "outputs"])
            var conclusion = Conclusion.success
            var outputs: [String: String] = [:]
            if let node = fields["outputs"] {
                guard case .mapping(let mapping) = node else { throw invalid("Job", "outputs", "outputs must be an object of names to strings") }
                for (keyNode, valueNode) in mapping {
                    guard case .scalar(let name) = keyNode, case .scalar(let value) = valueNode, value.style == .doubleQuoted || value.style == .singleQuoted else {
                        throw invalid("Job", "outputs", "outputs must be an object of names to strings")
                    }
                    guard outputs[name.string] == nil else { throw invalid("Job", "outputs", "outputs names '\(name.string)' twice") }
                    outputs[name.string] = value.string
                }
            }
            if let node = fields["conclusion"] {
                guard case .scalar(let scalar) = node, let value = Conclusion(rawValue: scalar.string), value == .success || value == .failure else {
                    throw invalid("Job", "conclusion", "conclusion must be success or failure")
                }
                conclusion = value
            }
            do {
                try context.state.simulator.completeJob(id, conclusion: conclusion, outputs: outputs)
            } catch {
                throw invalid("Job", error.field ?? "status", error.message)
            }
            return (200, runDocument(job.run, in: key, context.state))
        }
    }

    /// The run document: the run, its configured groups and every job of its tree.
    static func runDocument(_ id: RunID, in key: RepositoryKey, _ state: MockState) -> [UInt8] {
        let repository = state.simulator.repositories[key]!
        let run = repository.runs[id]!
        var json = JSONWriter(reservingCapacity: 1024)
        json.beginObject()
        RunRecord.writeIdentityAndOutcome(of: run, to: &json)
        json.key("concurrency_groups")
        json.beginArray()
        for name in repository.configuredGroupNames(of: run) { json.string(name) }
        json.endArray()
        json.key("jobs")
        json.beginArray()
        for jobID in run.jobs {
            guard let job = repository.jobs[jobID] else { continue }
            json.beginObject()
            json.field("id", job.id.rawValue)
            json.field("key", job.key)
            json.field("name", job.name)
            json.field("status", job.status.rawValue)
            json.field("conclusion", job.conclusion?.rawValue)
            json.key("parent_id")
            if let parent = job.parent { json.int(parent.rawValue) } else { json.null() }
            json.field("concurrency_group", job.concurrency.map { repository.displayName(of: GroupKey($0.group)) })
            json.field("workflow_concurrency_group", job.calledWorkflowConcurrency.map { repository.displayName(of: GroupKey($0.group)) })
            json.field("cancellation_reason", job.cancellationReason)
            json.key("cancelled_by")
            CancellationCause.write(job.cancelledBy, to: &json)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }
}
