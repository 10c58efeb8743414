import AccessPolicy
import ConcurrencySimulator
import JSONOutput
import MockHTTP
import StateDocuments

/// GitHub's workflow-run, job and workflow operations over the mock's state: the reads answer
/// from it, the writes move the queues by the same simulator operations as the control API.
/// One file per resource: `WorkflowRunsEndpoints`, `JobsEndpoints`, `WorkflowsEndpoints`,
/// `ActionsWrites`.
public struct ActionsEndpoints: Sendable {
    public let configuration: APIConfiguration

    public init(configuration: APIConfiguration) {
        self.configuration = configuration
    }

    /// A successful answer: its status, its body (none for a 204) and a Link header for lists.
    public struct Answer: Sendable {
        public let status: Int
        public let body: [UInt8]?
        public let link: String?

        init(status: Int = 200, body: [UInt8]?, link: String? = nil) {
            self.status = status
            self.body = body
            self.link = link
        }

        /// GitHub's `empty-object`, `{}`.
        static func empty(_ status: Int) -> Answer { Answer(status: status, body: Array("{}".utf8)) }
    }

    /// Answers a route. Reads only look at `state`; writes change it in place, validated first.
    /// A repository the caller cannot read is a 404 exactly like a missing one; a write needs a
    /// token (401), then write access (403).
    func answer(
        _ route: ActionsRoute, query: QueryParameters, body: [UInt8], version: String, caller: Caller, state: inout MockState
    ) throws(GitHubError) -> Answer {
        let documentationURL = route.documentationURL
        if route.isWrite, !caller.isAuthenticated {
            throw GitHubError(status: 401, message: "Requires authentication", documentationURL: documentationURL)
        }
        let key = try Self.admit(caller, to: route, in: state.simulator)
        if route.isWrite {
            // No copy of the repository may be alive here: the write mutates it in place.
            return try write(route, body: body, version: version, caller: caller, repository: key, state: &state)
        }
        let writer = ActionsWriter(configuration: configuration, repository: state.simulator.repositories[key]!, registry: state.workflows)
        switch route.operation {
        case .listRuns(let workflow):
            return try listRuns(of: workflow, writer: writer, query: query, documentationURL: documentationURL)
        case .getRun(let id):
            return try getRun(id, attempt: nil, writer: writer, documentationURL: documentationURL)
        case .getRunAttempt(let id, let attempt):
            return try getRun(id, attempt: attempt, writer: writer, documentationURL: documentationURL)
        case .listJobs(let id):
            return try listJobs(of: id, writer: writer, query: query, documentationURL: documentationURL)
        case .listAttemptJobs(let id, let attempt):
            return try listJobs(of: id, attempt: attempt, writer: writer, query: query, documentationURL: documentationURL)
        case .getJob(let id):
            return try getJob(id, writer: writer, documentationURL: documentationURL)
        case .listWorkflows:
            return try listWorkflows(writer: writer, query: query, now: state.simulator.now, documentationURL: documentationURL)
        case .getWorkflow(let parameter):
            return try getWorkflow(parameter, writer: writer, now: state.simulator.now, documentationURL: documentationURL)
        case .dispatch, .cancel, .rerun, .rerunJob:
            throw .notFound(documentationURL)
        }
    }

    /// The key of the route's repository when the caller may read it (and, for a write, write it).
    private static func admit(_ caller: Caller, to route: ActionsRoute, in simulator: Simulator) throws(GitHubError) -> RepositoryKey {
        guard let repository = simulator.repository(owner: route.owner, name: route.repo), caller.canRead(repository) else {
            throw .notFound(route.documentationURL)
        }
        if route.isWrite, !caller.canWrite(repository) { throw caller.writeForbidden(route.documentationURL) }
        return repository.key
    }

    /// `{"total_count": n, "<key>": [one page]}` with GitHub's page-number Link header.
    func pagedList<Item>(
        _ items: [Item], key: StaticString, path: String, query: QueryParameters, resource: String, documentationURL: String,
        bytesPerItem: Int, write: (Item, inout JSONWriter) -> Void
    ) throws(GitHubError) -> Answer {
        let request = try PageNumberRequest.parse(query, resource: resource, documentationURL: documentationURL)
        let range = request.range(in: items.count)
        var json = JSONWriter(reservingCapacity: 64 + range.count * bytesPerItem)
        json.beginObject()
        json.field("total_count", items.count)
        json.key(key)
        json.beginArray()
        for item in items[range] { write(item, &json) }
        json.endArray()
        json.endObject()
        return Answer(body: json.bytes, link: request.linkHeader(count: items.count, url: path, query: query))
    }
}

extension Caller {
    func canWrite(_ repository: Repository) -> Bool {
        switch self {
        case .anonymous: return false
        case .token(_, let token, _): return token.canWrite(repository)
        }
    }

    /// GitHub's 403 for a token that can see the repository but not run its workflows.
    func writeForbidden(_ documentationURL: String) -> GitHubError {
        let by = if case .token(_, let token, _) = self, token.kind == .installation { "integration" } else { "personal access token" }
        return GitHubError(status: 403, message: "Resource not accessible by \(by)", documentationURL: documentationURL)
    }
}
