import ConcurrencySimulator
import JSONOutput
import MockHTTP

/// GitHub's three concurrency-group operations over a simulator: pure functions from a route
/// and its query to a status, body and Link header.
public struct ConcurrencyGroupsEndpoints: Sendable {
    public let configuration: APIConfiguration

    public init(configuration: APIConfiguration) {
        self.configuration = configuration
    }

    /// A successful answer: the JSON body and, for lists spanning pages, the Link header.
    public struct Success: Sendable {
        public let body: [UInt8]
        public let link: String?
    }

    /// - Parameter canRead: whether the caller may read a repository. One it may not read is
    ///   answered exactly like a missing one, as GitHub does "to avoid confirming the existence
    ///   of private repositories".
    public func answer(
        _ route: GitHubRoute, query: QueryParameters, simulator: Simulator, canRead: (Repository) -> Bool
    ) throws(GitHubError) -> Success {
        let documentationURL = route.documentationURL
        func visibleRepository(_ owner: String, _ repo: String) throws(GitHubError) -> Repository {
            guard let repository = simulator.repository(owner: owner, name: repo),
                  canRead(repository)
            else { throw .notFound(documentationURL) }
            return repository
        }
        switch route {
        case .listGroupsForRepository(let owner, let repo):
            return try listGroups(of: try visibleRepository(owner, repo), query: query)
        case .getGroup(let owner, let repo, let name):
            return try group(named: name, in: try visibleRepository(owner, repo), query: query)
        case .listGroupsForRun(let owner, let repo, let runID):
            let repository = try visibleRepository(owner, repo)
            guard let run = repository.runs[runID] else { throw .notFound(documentationURL) }
            return try listGroups(of: run, in: repository, query: query)
        }
    }

    // MARK: - Operations

    private func listGroups(of repository: Repository, query: QueryParameters) throws(GitHubError) -> Success {
        try pagedGroupList(
            repository.activeGroupKeys, path: "\(repositoryPath(repository))/actions/concurrency_groups",
            scope: "repository \(repository.key)", documentationURL: DocumentationURL.listForRepository,
            query: query, bytesPerGroup: 160
        ) { [prefix = groupURLPrefix(of: repository)] key, json in
            guard let group = repository.group(key) else { return }
            json.beginObject()
            json.field("group_name", group.name)
            json.field("group_url", prefix, URLEncoding.percentEncodeSegment(group.name))
            json.field("last_acquired_at", group.queue.first?.acquiredAt?.description)
            json.endObject()
        }
    }

    /// `{"total_count", "concurrency_groups": [one page]}` over sorted keys, with its Link header.
    private func pagedGroupList(
        _ keys: [GroupKey], path: String, scope: String, documentationURL: String, query: QueryParameters,
        bytesPerGroup: Int, writeGroup: (GroupKey, inout JSONWriter) -> Void
    ) throws(GitHubError) -> Success {
        let request = try PageRequest.parse(query, scope: scope, resource: "ConcurrencyGroup", documentationURL: documentationURL)
        let page = Page(of: keys, request: request)
        var json = JSONWriter(reservingCapacity: 64 + page.range.count * bytesPerGroup)
        json.beginObject()
        json.field("total_count", keys.count)
        json.key("concurrency_groups")
        json.beginArray()
        for key in keys[page.range] { writeGroup(key, &json) }
        json.endArray()
        json.endObject()
        return Success(body: json.bytes, link: linkHeader(page, path: path, perPage: request.perPage, query: query, scope: scope))
    }

    private func group(named name: String, in repository: Repository, query: QueryParameters) throws(GitHubError) -> Success {
        let documentationURL = DocumentationURL.getGroup
        let position = try Self.parsePositionQuery(query, documentationURL: documentationURL)
        guard let group = repository.activeGroup(named: name) else { throw .notFound(documentationURL) }
        var members = group.queue[...]
        if let position {
            guard let index = repository.indexSelected(by: position, in: group) else {
                let (field, id, noun) = switch position {
                case .aheadOfRun(let run): ("ahead_of_run", run.rawValue, "run")
                case .aheadOfJob(let job): ("ahead_of_job", job.rawValue, "job")
                }
                throw .validationFailed(
                    ValidationIssue(
                        resource: "ConcurrencyGroup", field: field,
                        message: "\(noun) \(id) is not in concurrency group '\(group.name)'", value: .integer(id)),
                    documentationURL)
            }
            members = group.queue[...index]
        }
        let url = groupURL(group.name, in: repository)
        let urls = memberURLs(of: repository)
        var json = JSONWriter(reservingCapacity: 128 + members.count * 400)
        json.beginObject()
        json.field("group_name", group.name)
        json.field("group_url", url)
        json.field("total_count", members.count)
        json.key("group_members")
        json.beginArray()
        for (position, item) in members.enumerated() {
            json.beginObject()
            writeRunFields(of: item, in: repository, urls: urls, to: &json)
            writeJobFields(of: item, in: repository, urls: urls, to: &json)
            json.field("status", position == 0 ? "in_progress" : "pending")
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return Success(body: json.bytes, link: nil)
    }

    private func listGroups(of run: WorkflowRun, in repository: Repository, query: QueryParameters) throws(GitHubError) -> Success {
        try pagedGroupList(
            Array(repository.configuredGroups(of: run)), path: "\(repositoryPath(repository))/actions/runs/\(run.id)/concurrency_groups",
            scope: "run \(run.id) of \(repository.key)", documentationURL: DocumentationURL.listForRun,
            query: query, bytesPerGroup: 600
        ) { [prefix = groupURLPrefix(of: repository), urls = memberURLs(of: repository)] key, json in
            let name = repository.displayName(of: key)
            let url = prefix + URLEncoding.percentEncodeSegment(name)
            json.beginObject()
            json.field("group_name", name)
            json.field("group_url", url)
            json.key("group_members")
            json.beginArray()
            for (position, item) in repository.items(of: run.id, in: key) {
                json.beginObject()
                writeRunFields(of: item, in: repository, urls: urls, to: &json)
                json.field("status", position == 0 ? "in_progress" : "pending")
                json.field("position", position)
                switch Repository.positionQuery(of: item) {
                case .aheadOfRun(let id): json.field("position_url", "\(url)?ahead_of_run=\(id)")
                case .aheadOfJob(let id): json.field("position_url", "\(url)?ahead_of_job=\(id)")
                }
                writeJobFields(of: item, in: repository, urls: urls, to: &json)
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
    }

    // MARK: - Pieces

    /// Reads `ahead_of_run` / `ahead_of_job`: integers of at least 1, never both.
    static func parsePositionQuery(_ query: QueryParameters, documentationURL: String) throws(GitHubError) -> PositionQuery? {
        let run = query["ahead_of_run"]
        let job = query["ahead_of_job"]
        func identifier(_ raw: String, _ field: String) throws(GitHubError) -> Int {
            guard case .value(let value)? = IntegerParameter.parse(raw), value >= 1 else {
                throw .validationFailed(
                    ValidationIssue(resource: "ConcurrencyGroup", field: field, message: "\(field) must be an integer of at least 1", value: .string(raw)),
                    documentationURL)
            }
            return value
        }
        switch (run, job) {
        case (.some, .some):
            throw .validationFailed(
                ValidationIssue(resource: "ConcurrencyGroup", field: "ahead_of_job", message: "ahead_of_run and ahead_of_job are mutually exclusive"),
                documentationURL)
        case (.some(let raw), nil):
            return .aheadOfRun(RunID(try identifier(raw, "ahead_of_run")))
        case (nil, .some(let raw)):
            return .aheadOfJob(JobID(try identifier(raw, "ahead_of_job")))
        case (nil, nil):
            return nil
        }
    }

    /// The URL roots all members of one answer share, built once per answer instead of per member.
    private struct MemberURLs {
        /// `…/repos/OWNER/REPO/actions/runs/`
        let runs: String
        /// `…/repos/OWNER/REPO/actions/jobs/`
        let jobs: String
        /// `https://github.com/OWNER/REPO/actions/runs/`
        let htmlRuns: String
    }

    private func memberURLs(of repository: Repository) -> MemberURLs {
        let api = "\(configuration.baseURL)\(repositoryPath(repository))/actions/"
        return MemberURLs(
            runs: api + "runs/", jobs: api + "jobs/",
            htmlRuns: "\(configuration.htmlBaseURL)/\(repository.owner)/\(repository.name)/actions/runs/")
    }

    private func writeRunFields(of item: QueueItem, in repository: Repository, urls: MemberURLs, to json: inout JSONWriter) {
        let run = String(item.run.rawValue)
        json.field("run_id", item.run.rawValue)
        json.field("run_name", repository.runs[item.run]?.name ?? "")
        json.field("run_url", urls.runs, run)
        json.field("run_html_url", urls.htmlRuns, run)
    }

    /// Present exactly for job-level and reusable-workflow leases.
    private func writeJobFields(of item: QueueItem, in repository: Repository, urls: MemberURLs, to json: inout JSONWriter) {
        guard let job = item.job else { return }
        json.field("job_id", job.rawValue)
        json.field("job_name", repository.jobs[job]?.name ?? "")
        json.field("job_url", urls.jobs, String(job.rawValue))
        json.field("job_html_url", urls.htmlRuns, "\(item.run)/job/\(job)")
    }

    private func repositoryPath(_ repository: Repository) -> String {
        "/repos/\(URLEncoding.percentEncodeSegment(repository.owner))/\(URLEncoding.percentEncodeSegment(repository.name))"
    }

    /// The group's API URL, its name percent-encoded as one path segment.
    public func groupURL(_ name: String, in repository: Repository) -> String {
        groupURLPrefix(of: repository) + URLEncoding.percentEncodeSegment(name)
    }

    /// Everything of a group URL but the name, to build once per answer rather than per group.
    private func groupURLPrefix(of repository: Repository) -> String {
        "\(configuration.baseURL)\(repositoryPath(repository))/actions/concurrency_groups/"
    }

    private static let paginationParameters: Set<String> = ["per_page", "after", "before"]

    /// `rel="prev"` and `rel="next"` links, or `nil` when there are none. Each URL keeps the
    /// request's other parameters as sent and states `per_page`.
    private func linkHeader(_ page: Page, path: String, perPage: Int, query: QueryParameters, scope: String) -> String? {
        var links: [String] = []
        let others = query.rawPieces(excluding: Self.paginationParameters)
        func url(_ cursorName: String, _ cut: PageCut) -> String {
            let pieces = others + ["per_page=\(perPage)", "\(cursorName)=\(CursorCodec.encode(cut, scope: scope))"]
            return "<\(configuration.baseURL)\(path)?\(pieces.joined(separator: "&"))>"
        }
        if let previous = page.previousCut { links.append("\(url("before", previous)); rel=\"prev\"") }
        if let next = page.nextCut { links.append("\(url("after", next)); rel=\"next\"") }
        return links.isEmpty ? nil : links.joined(separator: ", ")
    }
}
