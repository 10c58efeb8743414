import ConcurrencySimulator
import GitHubREST
import JSONOutput
import SourceDocuments
import StateDocuments
import Workflows
import Yams

/// `PUT /_mock/repos/{owner}/{repo}` and `GET|PUT /_mock/repos/{owner}/{repo}/workflows/{file}`:
/// repositories and the workflow files registered in them.
enum RepositoryRoute {
    case repository(owner: String, name: String)
    case workflow(owner: String, name: String, file: String)

    var allowedMethods: [String] {
        switch self {
        case .repository: ["PUT"]
        case .workflow: ["GET", "PUT"]
        }
    }
}

extension ControlPlane {
    static func respond(_ route: RepositoryRoute, method: String, body: [UInt8], context: inout Context) throws(GitHubError) -> (Int, [UInt8]) {
        switch route {
        case .repository(let owner, let name):
            let fields = try object(body, "Repository", allowed: ["visibility"])
            var visibility = Visibility.public
            if let node = fields["visibility"] {
                guard case .scalar(let scalar) = node, let value = Visibility(rawValue: scalar.string) else {
                    throw invalid("Repository", "visibility", "visibility must be public or private")
                }
                visibility = value
            }
            let created: Bool
            do {
                created = try context.state.simulator.putRepository(owner: owner, name: name, visibility: visibility)
            } catch {
                throw invalid("Repository", error.field ?? "name", error.message)
            }
            let repository = context.state.simulator.repository(owner: owner, name: name)!
            var json = JSONWriter()
            json.beginObject()
            json.field("owner", repository.owner)
            json.field("name", repository.name)
            json.field("visibility", repository.visibility.rawValue)
            json.endObject()
            return (created ? 201 : 200, json.bytes)
        case .workflow(let owner, let name, let file):
            let key = try repositoryKey(owner, name, context.state)
            if method == "GET" {
                guard let workflow = context.state.workflows.workflow(file, in: key) else { throw notFound() }
                return (200, workflowDocument(workflow))
            }
            let created: Bool
            do {
                created = try context.state.registerWorkflow(String(decoding: body, as: UTF8.self), file: file, in: key)
            } catch {
                throw invalid("Workflow", "source", error)
            }
            return (created ? 201 : 200, workflowDocument(context.state.workflows.workflow(file, in: key)!))
        }
    }

    /// `{"file", "name", "events", "jobs", "source"}`.
    private static func workflowDocument(_ workflow: WorkflowDefinition) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("file", workflow.file)
        json.field("name", workflow.name)
        json.key("events")
        json.beginArray()
        for event in workflow.events { json.string(event) }
        json.endArray()
        json.key("jobs")
        json.beginArray()
        for job in workflow.jobs { json.string(job.key) }
        json.endArray()
        json.field("source", workflow.source)
        json.endObject()
        return json.bytes
    }
}
