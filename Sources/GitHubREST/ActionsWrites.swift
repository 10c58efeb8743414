import ConcurrencySimulator
import JSONOutput
import MockHTTP
import SourceDocuments
import StateDocuments
import Workflows
import Yams

/// The writes that move the queues, by the same simulator operations as the control API:
/// `POST …/workflows/{workflow_id}/dispatches`, `…/runs/{run_id}/cancel` and `/force-cancel`,
/// `…/runs/{run_id}/rerun` and `/rerun-failed-jobs`, `…/jobs/{job_id}/rerun`.
extension ActionsEndpoints {
    /// Who GitHub names as the actor of a write: the mock's tokens carry no login, so writes
    /// through GitHub's API act as `octocat`.
    static let writeActor = "octocat"

    func write(
        _ route: ActionsRoute, body: [UInt8], version: String, caller: Caller, repository key: RepositoryKey, state: inout MockState
    ) throws(GitHubError) -> Answer {
        let documentationURL = route.documentationURL
        switch route.operation {
        case .dispatch(let parameter):
            return try dispatch(parameter, body: body, version: version, repository: key, state: &state, documentationURL: documentationURL)
        case .cancel(let id, _):
            guard let run = state.simulator.repositories[key]?.runs[id] else {
                throw .notFound(documentationURL)
            }
            _ = try Self.bodyObject(body, required: false, documentationURL: documentationURL)
            guard run.status != .completed else {
                throw GitHubError(status: 409, message: "Cannot cancel a workflow run that is completed.", documentationURL: documentationURL)
            }
            do {
                try state.simulator.cancelRun(id, reason: "The run was canceled by @\(Self.writeActor).")
            } catch {
                throw GitHubError(status: 409, message: error.message, documentationURL: documentationURL)
            }
            return .empty(202)
        case .rerun(let id, let failedOnly):
            guard state.simulator.repositories[key]?.runs[id] != nil else { throw .notFound(documentationURL) }
            _ = try Self.bodyObject(body, required: false, documentationURL: documentationURL)
            try rerun(id, scope: failedOnly ? .failedJobs : .all, state: &state, documentationURL: documentationURL)
            return .empty(201)
        case .rerunJob(let id):
            guard let job = state.simulator.repositories[key]?.jobs[id] else {
                throw .notFound(documentationURL)
            }
            _ = try Self.bodyObject(body, required: false, documentationURL: documentationURL)
            try rerun(job.run, scope: .job(id), state: &state, documentationURL: documentationURL)
            return .empty(201)
        default:
            throw .notFound(documentationURL)
        }
    }

    private func rerun(_ id: RunID, scope: RerunScope, state: inout MockState, documentationURL: String) throws(GitHubError) {
        do {
            try state.simulator.rerun(id, scope: scope, actor: Self.writeActor)
        } catch {
            switch error {
            case .runNotFound, .jobNotFound: throw .notFound(documentationURL)
            case .notCompleted: throw GitHubError(status: 403, message: "This workflow is already running", documentationURL: documentationURL)
            case .nothingToRerun: throw GitHubError(status: 403, message: "This workflow run cannot be retried", documentationURL: documentationURL)
            case .jobNotInCurrentAttempt:
                throw GitHubError(status: 403, message: "Only jobs from the current attempt can be re-run", documentationURL: documentationURL)
            case .jobIDsUsedUp(let problem): throw GitHubError(status: 422, message: problem, documentationURL: documentationURL)
            }
        }
    }

    /// Triggers a `workflow_dispatch` run. 2022-11-28 answers 204, or 200 with the run's id and
    /// URLs when `return_run_details` is true; 2026-03-10 always answers 200 with them.
    private func dispatch(
        _ parameter: String, body: [UInt8], version: String, repository key: RepositoryKey, state: inout MockState,
        documentationURL: String
    ) throws(GitHubError) -> Answer {
        // Looked up in a scope of its own, so no copy of the repository outlives it into the trigger.
        let found = state.simulator.repositories[key].flatMap { ActionsWorkflow.named(parameter, in: $0, registry: state.workflows) }
        guard let workflow = found, let definition = workflow.definition else { throw .notFound(documentationURL) }
        let fields = try Self.bodyObject(body, required: true, documentationURL: documentationURL)
        let reader = YAMLReader(file: "request body")
        func invalidRequest(_ detail: String) -> GitHubError {
            GitHubError(status: 422, message: "Invalid request.\n\n\(detail)", documentationURL: documentationURL)
        }
        guard let refNode = fields["ref"] else { throw invalidRequest("\"ref\" wasn't supplied.") }
        guard case .scalar(let refScalar) = refNode, refScalar.style != .plain || !["true", "false", "null"].contains(refScalar.string) else {
            throw invalidRequest("For 'properties/ref', \(refNode.string.map { "\"\($0)\"" } ?? "the value") is not a string.")
        }
        var inputs: [(key: String, value: ExpressionValue)] = []
        if let inputsNode = fields["inputs"], !reader.isNull(inputsNode) {
            guard case .mapping = inputsNode, case .object(let pairs) = WorkflowDefinition.value(of: inputsNode, reader: reader) else {
                throw invalidRequest("For 'properties/inputs', the value is not an object.")
            }
            guard pairs.count <= 25 else { throw invalidRequest("For 'properties/inputs', the object has more than 25 properties.") }
            inputs = pairs
        }
        var returnRunDetails = version != APIVersion.defaultVersion
        if version == APIVersion.defaultVersion, let node = fields["return_run_details"], !reader.isNull(node) {
            guard case .bool(let value) = WorkflowDefinition.value(of: node, reader: reader) else {
                throw invalidRequest("For 'properties/return_run_details', the value is not a boolean.")
            }
            returnRunDetails = value
        }
        guard definition.events.contains("workflow_dispatch") else {
            throw GitHubError(status: 422, message: "Workflow does not have 'workflow_dispatch' trigger", documentationURL: documentationURL)
        }
        let ref = refScalar.string
        let isSHA = ref.count == 40 && ref.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
        guard !ref.isEmpty, !isSHA, StoredName.problem(ref, "ref") == nil else {
            throw GitHubError(status: 422, message: "No ref found for: \(ref)", documentationURL: documentationURL)
        }
        let trigger = TriggerEvent(
            workflow: workflow.file, ref: ref.hasPrefix("refs/") ? ref : "refs/heads/\(ref)", event: "workflow_dispatch",
            inputs: inputs, actor: Self.writeActor)
        let id: RunID
        do {
            id = try state.trigger(trigger, in: key)
        } catch {
            throw GitHubError(status: 422, message: error.message, documentationURL: documentationURL)
        }
        guard returnRunDetails else { return Answer(status: 204, body: nil) }
        let writer = ActionsWriter(configuration: configuration, repository: state.simulator.repositories[key]!, registry: state.workflows)
        var json = JSONWriter(reservingCapacity: 256)
        json.beginObject()
        json.field("workflow_run_id", id.rawValue)
        json.field("run_url", writer.runURL(id))
        json.field("html_url", "\(writer.html)/actions/runs/\(id)")
        json.endObject()
        return Answer(status: 200, body: json.bytes)
    }

    /// The request body as a JSON object: GitHub's 400 `Problems parsing JSON` when it is not
    /// one; an empty body is no object (an error when `required`).
    static func bodyObject(_ body: [UInt8], required: Bool, documentationURL: String) throws(GitHubError) -> [String: Node] {
        let text = String(decoding: body, as: UTF8.self)
        let problems = GitHubError(status: 400, message: "Problems parsing JSON", documentationURL: documentationURL)
        guard text.contains(where: { !$0.isWhitespace }) else {
            if required { throw problems }
            return [:]
        }
        guard let first = text.first(where: { !$0.isWhitespace }), first == "{" || (!required && text.trimmingCharacters() == "null") else {
            throw problems
        }
        let reader = YAMLReader(file: "request body")
        guard let node = try? reader.compose(text) else { throw problems }
        if reader.isNull(node) { return [:] }
        guard case .mapping(let mapping) = node else { throw problems }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else { throw problems }
            fields[scalar.string] = value
        }
        return fields
    }
}

private extension String {
    func trimmingCharacters() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
