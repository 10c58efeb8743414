import ConcurrencySimulator
import JSONOutput
import MockHTTP

/// `GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs`, `…/runs/{run_id}/attempts/{attempt_number}/jobs`
/// and `…/actions/jobs/{job_id}`.
extension ActionsEndpoints {
    /// The run's jobs in declaration order, `uses:` jobs included. A re-run gives the jobs it
    /// starts again new ids and carries the others over (see `Attempts.swift`), so
    /// `filter=latest` (the default) lists the current attempt's jobs, carried-over ones with
    /// their earlier `run_attempt`, and `filter=all` every job of every attempt, each once.
    func listJobs(of id: RunID, writer: ActionsWriter, query: QueryParameters, documentationURL: String) throws(GitHubError) -> Answer {
        guard let run = writer.repository.runs[id] else { throw .notFound(documentationURL) }
        let all: Bool
        switch query["filter"] {
        case nil, "latest": all = false
        case "all": all = true
        case let filter?:
            throw .validationFailed(
                ValidationIssue(resource: "Job", field: "filter", message: "filter must be latest or all", value: .string(filter)), documentationURL)
        }
        return try pagedJobs(all ? run.jobsOfEveryAttempt : Array(run.jobs), of: run, path: "\(writer.runURL(id))/jobs", writer: writer, query: query, documentationURL: documentationURL)
    }

    /// One attempt's jobs: those it ran and those it carried over from earlier attempts. An
    /// attempt the run has not had is GitHub's 404.
    func listJobs(of id: RunID, attempt: Int, writer: ActionsWriter, query: QueryParameters, documentationURL: String) throws(GitHubError) -> Answer {
        guard let run = writer.repository.runs[id], let jobs = run.jobs(ofAttempt: attempt) else { throw .notFound(documentationURL) }
        return try pagedJobs(jobs, of: run, path: "\(writer.runURL(id))/attempts/\(attempt)/jobs", writer: writer, query: query, documentationURL: documentationURL)
    }

    private func pagedJobs(
        _ ids: [JobID], of run: WorkflowRun, path: String, writer: ActionsWriter, query: QueryParameters, documentationURL: String
    ) throws(GitHubError) -> Answer {
        let jobs = ids.compactMap { writer.repository.jobs[$0] }
        return try pagedList(
            jobs, key: "jobs", path: path, query: query, resource: "Job", documentationURL: documentationURL, bytesPerItem: 900
        ) { job, json in writer.writeJob(job, of: run, to: &json) }
    }

    func getJob(_ id: JobID, writer: ActionsWriter, documentationURL: String) throws(GitHubError) -> Answer {
        guard let job = writer.repository.jobs[id], let run = writer.repository.runs[job.run] else { throw .notFound(documentationURL) }
        var json = JSONWriter(reservingCapacity: 1000)
        writer.writeJob(job, of: run, to: &json)
        return Answer(body: json.bytes)
    }
}
