import ConcurrencySimulator
import JSONOutput
import MockHTTP
import StateDocuments
import Workflows

/// One workflow of a repository as GitHub's workflows API shows it: a registered file, or the
/// file a fixture's run without one is named after (`WorkflowRun.workflowFile`).
public struct ActionsWorkflow: Sendable {
    public let id: Int
    public let file: String
    public let name: String
    /// The registered definition; `nil` for a workflow known only from fixture runs.
    public let definition: WorkflowDefinition?

    /// GitHub's workflow ids are stable numbers; the mock derives one from the repository and
    /// the file name, so it survives export, import and restarts without being stored.
    public static func identifier(of file: String, in repository: RepositoryKey) -> Int {
        100_000_000 + Int(FastHash.hash(Array("\(repository)/\(file)".utf8)) % 900_000_000)
    }

    /// Every workflow of the repository, by file name: the registered ones, then those only
    /// fixture runs name.
    public static func all(in repository: Repository, registry: WorkflowRegistry) -> [ActionsWorkflow] {
        var found: [String: ActionsWorkflow] = [:]
        for definition in registry.workflows(in: repository.key) {
            found[definition.file] = ActionsWorkflow(
                id: identifier(of: definition.file, in: repository.key), file: definition.file,
                name: definition.name ?? ".github/workflows/\(definition.file)", definition: definition)
        }
        for run in repository.runs.values where found[run.workflowFile] == nil {
            found[run.workflowFile] = ActionsWorkflow(
                id: identifier(of: run.workflowFile, in: repository.key), file: run.workflowFile, name: run.name, definition: nil)
        }
        return found.values.sorted { $0.file < $1.file }
    }

    /// The workflow a `workflow_id` path parameter names: its id or its file name.
    public static func named(_ parameter: String, in repository: Repository, registry: WorkflowRegistry) -> ActionsWorkflow? {
        let workflows = all(in: repository, registry: registry)
        if let id = Int(parameter), parameter.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return workflows.first { $0.id == id }
        }
        return workflows.first { $0.file == parameter }
    }
}

/// The URLs and shared objects of one repository's Actions resources, built once per answer.
struct ActionsWriter {
    let configuration: APIConfiguration
    let repository: Repository
    let registry: WorkflowRegistry
    /// `…/repos/OWNER/REPO`
    let api: String
    /// `https://github.com/OWNER/REPO`
    let html: String

    init(configuration: APIConfiguration, repository: Repository, registry: WorkflowRegistry) {
        self.configuration = configuration
        self.repository = repository
        self.registry = registry
        let path = "/repos/\(URLEncoding.percentEncodeSegment(repository.owner))/\(URLEncoding.percentEncodeSegment(repository.name))"
        self.api = configuration.baseURL + path
        self.html = "\(configuration.htmlBaseURL)/\(URLEncoding.percentEncodeSegment(repository.owner))/\(URLEncoding.percentEncodeSegment(repository.name))"
    }

    func runURL(_ id: RunID) -> String { "\(api)/actions/runs/\(id)" }

    /// The workflow's display name for a run: the registered file's `name`, else the run's own.
    func workflowName(of run: WorkflowRun) -> String {
        if let file = run.workflow, let definition = registry.workflow(file, in: repository.key) {
            return definition.name ?? ".github/workflows/\(file)"
        }
        return run.name
    }

    // MARK: - workflow-run

    /// GitHub's `workflow-run`, at the current attempt or an earlier one.
    func writeRun(_ run: WorkflowRun, attempt requested: Int? = nil, to json: inout JSONWriter) {
        let earlier = requested.flatMap { number in number < run.attempt ? run.previousAttempts.first { $0.number == number } : nil }
        let attempt = earlier?.number ?? run.attempt
        let url = runURL(run.id)
        let workflowID = ActionsWorkflow.identifier(of: run.workflowFile, in: repository.key)
        json.beginObject()
        json.field("id", run.id.rawValue)
        json.field("name", workflowName(of: run))
        json.field("node_id", NodeID.make("WorkflowRun", run.id.rawValue))
        json.field("check_suite_id", run.id.rawValue)
        json.field("check_suite_node_id", NodeID.make("CheckSuite", run.id.rawValue))
        json.field("head_branch", run.origin.branch)
        json.field("head_sha", run.origin.sha)
        json.field("path", ".github/workflows/\(run.workflowFile)")
        json.field("display_title", run.name)
        json.field("run_number", run.runNumber)
        json.field("event", run.origin.event)
        if let earlier {
            json.field("status", ExecutionStatus.completed.rawValue)
            json.field("conclusion", earlier.conclusion.rawValue)
        } else {
            json.field("status", run.status.rawValue)
            json.field("conclusion", run.conclusion?.rawValue)
        }
        json.field("workflow_id", workflowID)
        json.field("url", url)
        json.field("html_url", "\(html)/actions/runs/\(run.id)")
        json.key("pull_requests")
        json.beginArray()
        json.endArray()
        json.field("created_at", run.times.createdAt.description)
        json.field("updated_at", (earlier?.updatedAt ?? run.times.updatedAt).description)
        json.key("actor")
        writeUser(run.origin.actor, to: &json)
        json.field("run_attempt", attempt)
        json.key("referenced_workflows")
        json.beginArray()
        json.endArray()
        json.field("run_started_at", (earlier?.startedAt ?? run.times.startedAt).description)
        json.key("triggering_actor")
        writeUser(earlier?.triggeringActor ?? run.origin.triggeringActor, to: &json)
        json.field("jobs_url", url + "/jobs")
        json.field("logs_url", url + "/logs")
        json.field("check_suite_url", "\(api)/check-suites/\(run.id)")
        json.field("artifacts_url", url + "/artifacts")
        json.field("cancel_url", url + "/cancel")
        json.field("rerun_url", url + "/rerun")
        json.field("previous_attempt_url", attempt > 1 ? "\(url)/attempts/\(attempt - 1)" : nil)
        json.field("workflow_url", "\(api)/actions/workflows/\(workflowID)")
        json.key("head_commit")
        json.beginObject()
        json.field("id", run.origin.sha)
        json.field("tree_id", run.origin.sha)
        json.field("message", run.name)
        json.field("timestamp", run.times.createdAt.description)
        for role: StaticString in ["author", "committer"] {
            json.key(role)
            json.beginObject()
            json.field("name", run.origin.actor)
            json.field("email", "\(run.origin.actor)@users.noreply.github.com")
            json.endObject()
        }
        json.endObject()
        json.key("repository")
        writeRepository(to: &json)
        json.key("head_repository")
        writeRepository(to: &json)
        json.endObject()
    }

    // MARK: - job

    /// GitHub's `job`. A `uses:` job is served too (its `job_url` appears in group members).
    func writeJob(_ job: Job, of run: WorkflowRun, to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", job.id.rawValue)
        json.field("run_id", run.id.rawValue)
        json.field("workflow_name", workflowName(of: run))
        json.field("head_branch", run.origin.branch)
        json.field("run_url", runURL(run.id))
        json.field("run_attempt", job.attempt)
        json.field("node_id", NodeID.make("CheckRun", job.id.rawValue))
        json.field("head_sha", run.origin.sha)
        json.field("url", "\(api)/actions/jobs/\(job.id)")
        json.field("html_url", "\(html)/actions/runs/\(run.id)/job/\(job.id)")
        json.field("status", job.status.rawValue)
        json.field("conclusion", job.conclusion?.rawValue)
        json.field("created_at", job.times.createdAt.description)
        json.field("started_at", (job.times.startedAt ?? job.times.createdAt).description)
        json.field("completed_at", job.times.completedAt?.description)
        json.field("name", job.name)
        json.key("steps")
        json.beginArray()
        json.endArray()
        json.field("check_run_url", "\(api)/check-runs/\(job.id)")
        json.key("labels")
        json.beginArray()
        json.endArray()
        json.key("runner_id")
        json.null()
        json.field("runner_name", nil)
        json.key("runner_group_id")
        json.null()
        json.field("runner_group_name", nil)
        json.endObject()
    }

    // MARK: - workflow

    /// GitHub's `workflow`. Created when its first run was (else now); always `active`.
    func writeWorkflow(_ workflow: ActionsWorkflow, now: Timestamp, to json: inout JSONWriter) {
        var created: Timestamp?
        var updated: Timestamp?
        for run in repository.runs.values where run.workflowFile == workflow.file {
            created = min(created ?? run.times.createdAt, run.times.createdAt)
            updated = max(updated ?? run.times.createdAt, run.times.createdAt)
        }
        json.beginObject()
        json.field("id", workflow.id)
        json.field("node_id", NodeID.make("Workflow", workflow.id))
        json.field("name", workflow.name)
        json.field("path", ".github/workflows/\(workflow.file)")
        json.field("state", "active")
        json.field("created_at", (created ?? now).description)
        json.field("updated_at", (updated ?? now).description)
        json.field("url", "\(api)/actions/workflows/\(workflow.id)")
        json.field("html_url", "\(html)/blob/main/.github/workflows/\(URLEncoding.percentEncodeSegment(workflow.file))")
        json.field("badge_url", "\(html)/workflows/\(URLEncoding.percentEncodeSegment(workflow.name))/badge.svg")
        json.endObject()
    }

    // MARK: - simple-user and minimal-repository

    func writeUser(_ login: String, to json: inout JSONWriter) {
        let id = UserIDs.of(login)
        let user = "\(configuration.baseURL)/users/\(URLEncoding.percentEncodeSegment(login))"
        json.beginObject()
        json.field("login", login)
        json.field("id", id)
        json.field("node_id", NodeID.make("User", id))
        json.field("avatar_url", "https://avatars.githubusercontent.com/u/\(id)?v=4")
        json.field("gravatar_id", "")
        json.field("url", user)
        json.field("html_url", "\(configuration.htmlBaseURL)/\(URLEncoding.percentEncodeSegment(login))")
        json.field("followers_url", user + "/followers")
        json.field("following_url", user + "/following{/other_user}")
        json.field("gists_url", user + "/gists{/gist_id}")
        json.field("starred_url", user + "/starred{/owner}{/repo}")
        json.field("subscriptions_url", user + "/subscriptions")
        json.field("organizations_url", user + "/orgs")
        json.field("repos_url", user + "/repos")
        json.field("events_url", user + "/events{/privacy}")
        json.field("received_events_url", user + "/received_events")
        json.field("type", "User")
        json.field("user_view_type", "public")
        json.field("site_admin", false)
        json.endObject()
    }

    /// The URL templates of `minimal-repository`, in GitHub's order (suffix after the API URL).
    private static let repositoryURLs: [(StaticString, String)] = [
        ("archive_url", "/{archive_format}{/ref}"), ("assignees_url", "/assignees{/user}"), ("blobs_url", "/git/blobs{/sha}"),
        ("branches_url", "/branches{/branch}"), ("collaborators_url", "/collaborators{/collaborator}"),
        ("comments_url", "/comments{/number}"), ("commits_url", "/commits{/sha}"), ("compare_url", "/compare/{base}...{head}"),
        ("contents_url", "/contents/{+path}"), ("contributors_url", "/contributors"), ("deployments_url", "/deployments"),
        ("downloads_url", "/downloads"), ("events_url", "/events"), ("forks_url", "/forks"),
        ("git_commits_url", "/git/commits{/sha}"), ("git_refs_url", "/git/refs{/sha}"), ("git_tags_url", "/git/tags{/sha}"),
        ("issue_comment_url", "/issues/comments{/number}"), ("issue_events_url", "/issues/events{/number}"),
        ("issues_url", "/issues{/number}"), ("keys_url", "/keys{/key_id}"), ("labels_url", "/labels{/name}"),
        ("languages_url", "/languages"), ("merges_url", "/merges"), ("milestones_url", "/milestones{/number}"),
        ("notifications_url", "/notifications{?since,all,participating}"), ("pulls_url", "/pulls{/number}"),
        ("releases_url", "/releases{/id}"), ("stargazers_url", "/stargazers"), ("statuses_url", "/statuses/{sha}"),
        ("subscribers_url", "/subscribers"), ("subscription_url", "/subscription"), ("tags_url", "/tags"),
        ("teams_url", "/teams"), ("trees_url", "/git/trees{/sha}"), ("hooks_url", "/hooks"),
    ]

    func writeRepository(to json: inout JSONWriter) {
        let id = UserIDs.of("\(repository.key)") % 1_000_000_000 + 1
        json.beginObject()
        json.field("id", id)
        json.field("node_id", NodeID.make("Repository", id))
        json.field("name", repository.name)
        json.field("full_name", "\(repository.owner)/\(repository.name)")
        json.key("owner")
        writeUser(repository.owner, to: &json)
        json.field("private", repository.visibility == .private)
        json.field("html_url", html)
        json.field("description", nil)
        json.field("fork", false)
        json.field("url", api)
        for (name, suffix) in Self.repositoryURLs { json.field(name, api + suffix) }
        json.endObject()
    }
}

/// GitHub's legacy global node ids: base64 of `0<length of type>:<Type><id>`
/// (`MDg6V29ya2Zsb3cxMg==` is `08:Workflow12`).
enum NodeID {
    static func make(_ type: String, _ id: Int) -> String {
        let text = "0\(type.utf8.count):\(type)\(id)"
        return Base64.encode(Array(text.utf8))
    }
}

/// Stable user ids for logins (`octocat` keeps GitHub's own, 583231).
enum UserIDs {
    static func of(_ login: String) -> Int {
        if login.lowercased() == "octocat" { return 583_231 }
        return 1_000_000 + Int(FastHash.hash(Array(login.lowercased().utf8)) % 100_000_000)
    }
}

/// RFC 4648 base64 with padding, for node ids.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << UInt32(16 - offset * 8) }
            for position in 0..<4 {
                output.append(position <= chunk.count ? alphabet[Int(value >> UInt32(18 - position * 6) & 0x3F)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
