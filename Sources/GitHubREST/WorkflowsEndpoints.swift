import ConcurrencySimulator
import JSONOutput
import MockHTTP

/// `GET /repos/{owner}/{repo}/actions/workflows` and `…/workflows/{workflow_id}` (an id or a
/// file name).
extension ActionsEndpoints {
    func listWorkflows(writer: ActionsWriter, query: QueryParameters, now: Timestamp, documentationURL: String) throws(GitHubError) -> Answer {
        let workflows = ActionsWorkflow.all(in: writer.repository, registry: writer.registry)
        return try pagedList(
            workflows, key: "workflows", path: "\(writer.api)/actions/workflows", query: query, resource: "Workflow",
            documentationURL: documentationURL, bytesPerItem: 500
        ) { workflow, json in writer.writeWorkflow(workflow, now: now, to: &json) }
    }

    func getWorkflow(_ parameter: String, writer: ActionsWriter, now: Timestamp, documentationURL: String) throws(GitHubError) -> Answer {
        guard let workflow = ActionsWorkflow.named(parameter, in: writer.repository, registry: writer.registry) else {
            throw .notFound(documentationURL)
        }
        var json = JSONWriter(reservingCapacity: 600)
        writer.writeWorkflow(workflow, now: now, to: &json)
        return Answer(body: json.bytes)
    }
}
