import ConcurrencySimulator
import JSONOutput
import MockHTTP

/// `GET /repos/{owner}/{repo}/actions/runs`, `…/workflows/{workflow_id}/runs`,
/// `…/runs/{run_id}` and `…/runs/{run_id}/attempts/{attempt_number}`.
extension ActionsEndpoints {
    func getRun(_ id: RunID, attempt: Int?, writer: ActionsWriter, documentationURL: String) throws(GitHubError) -> Answer {
        guard let run = writer.repository.runs[id] else { throw .notFound(documentationURL) }
        if let attempt, attempt > run.attempt { throw .notFound(documentationURL) }
        var json = JSONWriter(reservingCapacity: 6000)
        writer.writeRun(run, attempt: attempt, to: &json)
        return Answer(body: json.bytes)
    }

    /// Newest first (by creation time, then id), filtered as GitHub filters, paged by number.
    func listRuns(of workflowParameter: String?, writer: ActionsWriter, query: QueryParameters, documentationURL: String) throws(GitHubError) -> Answer {
        var path = "\(writer.api)/actions/runs"
        var file: String?
        if let workflowParameter {
            guard let workflow = ActionsWorkflow.named(workflowParameter, in: writer.repository, registry: writer.registry) else {
                throw .notFound(documentationURL)
            }
            file = workflow.file
            path = "\(writer.api)/actions/workflows/\(URLEncoding.percentEncodeSegment(workflowParameter))/runs"
        }
        let filter = try RunFilter(query, documentationURL: documentationURL)
        let runs = writer.repository.runs.values
            .filter { run in (file.map { run.workflowFile == $0 } ?? true) && filter.matches(run) }
            .sorted { ($0.times.createdAt, $0.id) > ($1.times.createdAt, $1.id) }
        return try pagedList(
            runs, key: "workflow_runs", path: path, query: query, resource: "WorkflowRun", documentationURL: documentationURL,
            bytesPerItem: 6000
        ) { run, json in writer.writeRun(run, to: &json) }
    }
}

/// The filters of GitHub's runs lists: `actor`, `branch`, `event`, `status` (a status or a
/// conclusion), `created` (search date syntax), `head_sha`, `check_suite_id`.
/// `exclude_pull_requests` changes nothing here: `pull_requests` is always empty.
struct RunFilter {
    var actor: String?
    var branch: String?
    var event: String?
    var status: String?
    var headSHA: String?
    var checkSuite: Int?
    var created: DateRange?

    init(_ query: QueryParameters, documentationURL: String) throws(GitHubError) {
        actor = query["actor"]?.lowercased()
        branch = query["branch"]
        event = query["event"]
        status = query["status"]
        headSHA = query["head_sha"]
        func invalid(_ field: String, _ message: String, _ raw: String) -> GitHubError {
            .validationFailed(ValidationIssue(resource: "WorkflowRun", field: field, message: message, value: .string(raw)), documentationURL)
        }
        if let raw = query["check_suite_id"] {
            guard case .value(let value)? = IntegerParameter.parse(raw) else { throw invalid("check_suite_id", "check_suite_id must be an integer", raw) }
            checkSuite = value
        }
        if let raw = query["created"] {
            guard let range = DateRange(raw) else {
                throw invalid("created", "created must be a date or date-time, a comparison (>=2026-01-01) or a range (2026-01-01..2026-02-01)", raw)
            }
            created = range
        }
        if let raw = query["exclude_pull_requests"], raw != "true", raw != "false" {
            throw invalid("exclude_pull_requests", "exclude_pull_requests must be true or false", raw)
        }
    }

    func matches(_ run: WorkflowRun) -> Bool {
        if let actor, run.origin.actor.lowercased() != actor { return false }
        if let branch, run.origin.branch != branch { return false }
        if let event, run.origin.event != event { return false }
        if let headSHA, run.origin.sha != headSHA { return false }
        if let checkSuite, run.id.rawValue != checkSuite { return false }
        if let status, run.status.rawValue != status, run.conclusion?.rawValue != status { return false }
        if let created, !created.contains(run.times.createdAt) { return false }
        return true
    }
}

/// GitHub's search date syntax: `2026-01-15` (that whole day), a date-time, `>=X`, `>X`,
/// `<=X`, `<X`, `X..Y` with `*` for an open end.
struct DateRange {
    var lower: Timestamp?
    var upper: Timestamp?

    init?(_ text: String) {
        func bound(_ raw: Substring, end: Bool) -> Timestamp?? {
            if raw == "*" { return .some(nil) }
            guard let (start, last) = Self.span(String(raw)) else { return nil }
            return .some(end ? last : start)
        }
        if let dots = text.firstRange(of: "..") {
            guard let lower = bound(text[..<dots.lowerBound], end: false), let upper = bound(text[dots.upperBound...], end: true) else { return nil }
            self.lower = lower
            self.upper = upper
            return
        }
        for (prefix, isLower, inclusive) in [(">=", true, true), ("<=", false, true), (">", true, false), ("<", false, false)] where text.hasPrefix(prefix) {
            guard let (start, last) = Self.span(String(text.dropFirst(prefix.count))) else { return nil }
            if isLower {
                lower = inclusive ? start : last.adding(seconds: 1)
            } else {
                upper = inclusive ? last : start.adding(seconds: -1)
            }
            return
        }
        guard let (start, last) = Self.span(text) else { return nil }
        lower = start
        upper = last
    }

    func contains(_ time: Timestamp) -> Bool {
        (lower.map { time >= $0 } ?? true) && (upper.map { time <= $0 } ?? true)
    }

    /// The first and last second a date (a whole day) or a date-time stands for.
    private static func span(_ text: String) -> (Timestamp, Timestamp)? {
        if let time = Timestamp(rfc3339: text) { return (time, time) }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int64(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              let start = Timestamp(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        else { return nil }
        return (start, start.adding(seconds: 86_399))
    }
}
