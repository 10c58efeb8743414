import ConcurrencySimulator
import JSONOutput
import MockHTTP

/// `GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs` and `…/actions/jobs/{job_id}`.
extension ActionsEndpoints {
    /// Every job of the run in declaration order, `uses:` jobs included. Jobs keep their ids
    /// across attempts (a re-run starts them again in place), so `filter=all` and
    /// `filter=latest` list the same jobs.
    func listJobs(of id: RunID, writer: ActionsWriter, query: QueryParameters, documentationURL: String) throws(GitHubError) -> Answer {
        guard let run = writer.repository.runs[id] else { throw .notFound(documentationURL) }
        if let filter = query["filter"], filter != "latest", filter != "all" {
            throw .validationFailed(
                ValidationIssue(resource: "Job", field: "filter", message: "filter must be latest or all", value: .string(filter)), documentationURL)
        }
        let jobs = run.jobs.compactMap { writer.repository.jobs[$0] }
        return try pagedList(
            jobs, key: "jobs", path: "\(writer.runURL(id))/jobs", query: query, resource: "Job", documentationURL: documentationURL,
            bytesPerItem: 900
        ) { job, json in writer.writeJob(job, of: run, to: &json) }
    }

    func getJob(_ id: JobID, writer: ActionsWriter, documentationURL: String) throws(GitHubError) -> Answer {
        guard let job = writer.repository.jobs[id], let run = writer.repository.runs[job.run] else { throw .notFound(documentationURL) }
        var json = JSONWriter(reservingCapacity: 1000)
        writer.writeJob(job, of: run, to: &json)
        return Answer(body: json.bytes)
    }
}
