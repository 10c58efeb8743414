import ConcurrencySimulator
import Fixtures
import MockHTTP
import Workflows
import Yams

/// The mock's own JSON API under `/_mock`: repositories, workflow files, runs, the clock and the
/// whole state. Every operation validates first and changes nothing when it answers an error.
struct ControlAPI {
    /// A control-API path, decoded.
    enum Route {
        case health, clock, advanceClock, state, reset
        case tokens, token(String), authentication, rateLimits, resetRateLimits
        case repository(owner: String, name: String)
        case workflow(owner: String, name: String, file: String)
        case runs(owner: String, name: String)
        case run(owner: String, name: String, id: RunID)
        case completeRun(owner: String, name: String, id: RunID)
        case cancelRun(owner: String, name: String, id: RunID)
        case completeJob(owner: String, name: String, id: JobID)

        init?(_ segments: ArraySlice<String>) {
            let parts = Array(segments)
            switch parts {
            case ["health"]: self = .health
            case ["clock"]: self = .clock
            case ["clock", "advance"]: self = .advanceClock
            case ["state"]: self = .state
            case ["reset"]: self = .reset
            case ["tokens"]: self = .tokens
            case let parts where parts.count == 2 && parts[0] == "tokens" && !parts[1].isEmpty: self = .token(parts[1])
            case ["auth"]: self = .authentication
            case ["rate_limits"]: self = .rateLimits
            case ["rate_limits", "reset"]: self = .resetRateLimits
            default:
                guard parts.count >= 3, parts[0] == "repos", !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
                let (owner, name) = (parts[1], parts[2])
                let rest = Array(parts[3...])
                switch rest.count {
                case 0: self = .repository(owner: owner, name: name)
                case 1 where rest[0] == "runs": self = .runs(owner: owner, name: name)
                case 2 where rest[0] == "workflows" && !rest[1].isEmpty: self = .workflow(owner: owner, name: name, file: rest[1])
                case 2 where rest[0] == "runs":
                    guard let id = Self.identifier(rest[1]) else { return nil }
                    self = .run(owner: owner, name: name, id: RunID(id))
                case 3 where rest[0] == "runs" && rest[2] == "complete":
                    guard let id = Self.identifier(rest[1]) else { return nil }
                    self = .completeRun(owner: owner, name: name, id: RunID(id))
                case 3 where rest[0] == "runs" && rest[2] == "cancel":
                    guard let id = Self.identifier(rest[1]) else { return nil }
                    self = .cancelRun(owner: owner, name: name, id: RunID(id))
                case 3 where rest[0] == "jobs" && rest[2] == "complete":
                    guard let id = Self.identifier(rest[1]) else { return nil }
                    self = .completeJob(owner: owner, name: name, id: JobID(id))
                default: return nil
                }
            }
        }

        var allowedMethods: [String] {
            switch self {
            case .health, .run, .tokens: return ["GET"]
            case .clock, .state, .authentication, .rateLimits: return ["GET", "PUT"]
            case .token: return ["GET", "PUT", "DELETE"]
            case .advanceClock, .reset, .runs, .completeRun, .cancelRun, .completeJob, .resetRateLimits: return ["POST"]
            case .repository: return ["PUT"]
            case .workflow: return ["GET", "PUT"]
            }
        }

        private static func identifier(_ text: String) -> Int? {
            try? Simulator.identifier(parsing: text)
        }
    }

    struct Context {
        var state: MockState
        var clock: MockClock
        let initialState: MockState
        let initialClock: MockClock
        let wall: Timestamp
        /// Set when the operation empties every rate-limit budget.
        var resetRateLimits = false
    }

    static func notFound() -> GitHubError { .notFound(DocumentationURL.controlAPI) }

    static func invalid(_ resource: String, _ field: String, _ message: String, line: Int? = nil, column: Int? = nil) -> GitHubError {
        .validationFailed(
            ValidationIssue(resource: resource, field: field, message: message, line: line, column: column),
            DocumentationURL.controlAPI)
    }

    /// `field` unless the error names the field at fault itself.
    static func invalid(_ resource: String, _ field: String, _ error: SourceError) -> GitHubError {
        invalid(resource, error.field ?? field, error.description, line: error.line, column: error.column)
    }

    func respond(_ route: Route, method requestMethod: String, body: [UInt8], context: inout Context) throws(GitHubError) -> (Int, [UInt8]) {
        // HEAD is a GET whose body the transport drops.
        let method = requestMethod == "HEAD" ? "GET" : requestMethod
        guard route.allowedMethods.contains(method) else {
            throw GitHubError(status: 405, message: "Method Not Allowed", documentationURL: DocumentationURL.controlAPI)
        }
        switch route {
        case .health:
            return (200, Array(#"{"status":"ok"}"#.utf8))
        case .clock:
            if method == "PUT" {
                let fields = try Self.object(body, "Clock", allowed: ["now", "frozen"])
                let reader = YAMLReader(file: "request body")
                var now: Timestamp?
                var frozen: Bool?
                do {
                    now = try fields["now"].map { node throws(SourceError) in try reader.timestamp(node, "now") }
                    frozen = try fields["frozen"].map { node throws(SourceError) in try reader.bool(node, "frozen") }
                } catch {
                    throw Self.invalid("Clock", "now", error)
                }
                guard context.clock.set(now: now, frozen: frozen, wall: context.wall) else {
                    throw Self.invalid(
                        "Clock", "now",
                        "the clock cannot go back (queues are FIFO by the time items started waiting) nor pass \(MockClock.latest)")
                }
                context.state.simulator.now = context.clock.now(wall: context.wall)
                context.state.clockFrozen = context.clock.frozen
            }
            return (200, clockDocument(context))
        case .advanceClock:
            let fields = try Self.object(body, "Clock", allowed: ["seconds"], required: ["seconds"])
            guard case .scalar(let scalar) = fields["seconds"]!, let seconds = Int64(scalar.string), seconds >= 0, seconds <= 315_360_000 else {
                throw Self.invalid("Clock", "seconds", "seconds must be a whole number from 0 to 315360000 (ten years)")
            }
            guard context.clock.advance(seconds: seconds, wall: context.wall) else {
                throw Self.invalid("Clock", "seconds", "the clock cannot pass \(MockClock.latest), the last time RFC 3339 can write")
            }
            context.state.simulator.now = context.clock.now(wall: context.wall)
            return (200, clockDocument(context))
        case .state:
            if method == "PUT" {
                do {
                    var replacement = try FixtureLoader.load(String(decoding: body, as: UTF8.self), file: "request body")
                    context.clock = MockClock(now: replacement.simulator.now, frozen: replacement.clockFrozen, wall: context.wall)
                    replacement.simulator.now = context.clock.now(wall: context.wall)
                    context.state = replacement
                } catch {
                    throw Self.invalid("State", "body", error)
                }
            }
            context.resetRateLimits = method == "PUT"
            return (200, StateExporter.export(context.state))
        case .reset:
            context.state = context.initialState
            context.clock = context.initialClock
            context.resetRateLimits = true
            return (200, Array(#"{"status":"reset"}"#.utf8))
        case .tokens:
            return (200, tokensDocument(context.state.tokens.sorted { $0.key < $1.key }))
        case .token(let text):
            switch method {
            case "PUT":
                let node = try Self.document(body, "Token")
                let token: AccessToken
                do {
                    token = try AccessToken.parse(node, reader: YAMLReader(file: "request body"))
                } catch {
                    throw Self.invalid("Token", "body", error)
                }
                if let problem = StoredName.problem(text, "the token") { throw Self.invalid("Token", "token", problem) }
                let created = context.state.tokens.updateValue(token, forKey: text) == nil
                return (created ? 201 : 200, tokenDocument(token, named: text))
            case "DELETE":
                guard context.state.tokens.removeValue(forKey: text) != nil else { throw Self.notFound() }
                return (204, [])
            default:
                guard let token = context.state.tokens[text] else { throw Self.notFound() }
                return (200, tokenDocument(token, named: text))
            }
        case .authentication:
            if method == "PUT" {
                let fields = try Self.object(body, "Authentication", allowed: ["mode"], required: ["mode"])
                guard case .scalar(let scalar) = fields["mode"]!, let mode = AuthenticationMode(rawValue: scalar.string) else {
                    throw Self.invalid("Authentication", "mode", "mode must be permissive or strict")
                }
                context.state.authenticationMode = mode
            }
            return (200, Array(#"{"mode":"\#(context.state.authenticationMode.rawValue)"}"#.utf8))
        case .rateLimits:
            if method == "PUT" {
                let node = try Self.document(body, "RateLimits")
                do {
                    context.state.rateLimits = try FixtureLoader.rateLimitPolicy(node, reader: YAMLReader(file: "request body"))
                } catch {
                    throw Self.invalid("RateLimits", "body", error)
                }
            }
            var json = JSONWriter()
            json.beginObject()
            json.field("enforce", context.state.rateLimits.enforced)
            json.field("authenticated", context.state.rateLimits.authenticatedLimit)
            json.field("anonymous", context.state.rateLimits.anonymousLimit)
            json.endObject()
            return (200, json.bytes)
        case .resetRateLimits:
            context.resetRateLimits = true
            return (200, Array(#"{"status":"reset"}"#.utf8))
        case .repository(let owner, let name):
            let fields = try Self.object(body, "Repository", allowed: ["visibility"])
            var visibility = Visibility.public
            if let node = fields["visibility"] {
                guard case .scalar(let scalar) = node, let value = Visibility(rawValue: scalar.string) else {
                    throw Self.invalid("Repository", "visibility", "visibility must be public or private")
                }
                visibility = value
            }
            let created: Bool
            do {
                created = try context.state.simulator.putRepository(owner: owner, name: name, visibility: visibility)
            } catch {
                throw Self.invalid("Repository", error.field ?? "name", error.message)
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
                guard let workflow = context.state.workflows.workflow(file, in: key) else { throw Self.notFound() }
                return (200, workflowDocument(workflow))
            }
            let created: Bool
            do {
                created = try context.state.registerWorkflow(String(decoding: body, as: UTF8.self), file: file, in: key)
            } catch {
                throw Self.invalid("Workflow", "source", error)
            }
            return (created ? 201 : 200, workflowDocument(context.state.workflows.workflow(file, in: key)!))
        case .runs(let owner, let name):
            let key = try repositoryKey(owner, name, context.state)
            let node = try Self.document(body, "Run")
            let runID: RunID
            do {
                let trigger = try TriggerEvent.parse(node, reader: YAMLReader(file: "request body"))
                runID = try context.state.trigger(trigger, in: key)
            } catch {
                throw Self.invalid("Run", "workflow", error)
            }
            return (201, runDocument(runID, in: key, context.state))
        case .run(let owner, let name, let id):
            let key = try runKey(owner, name, id, context.state)
            return (200, runDocument(id, in: key, context.state))
        case .completeRun(let owner, let name, let id):
            let key = try runKey(owner, name, id, context.state)
            try Self.object(body, "Run", allowed: [])
            do { try context.state.simulator.completeRun(id) } catch { throw Self.invalid("Run", "run_id", error.message) }
            return (200, runDocument(id, in: key, context.state))
        case .cancelRun(let owner, let name, let id):
            let key = try runKey(owner, name, id, context.state)
            try Self.object(body, "Run", allowed: [])
            do {
                try context.state.simulator.cancelRun(id, reason: CancellationReason.controlAPI)
            } catch {
                throw Self.invalid("Run", "run_id", error.message)
            }
            return (200, runDocument(id, in: key, context.state))
        case .completeJob(let owner, let name, let id):
            let key = try repositoryKey(owner, name, context.state)
            guard context.state.simulator.jobLocations[id] == key, let job = context.state.simulator.repositories[key]?.jobs[id] else {
                throw Self.notFound()
            }
            let fields = try Self.object(body, "Job", allowed: ["conclusion"])
            var conclusion = Conclusion.success
            if let node = fields["conclusion"] {
                guard case .scalar(let scalar) = node, let value = Conclusion(rawValue: scalar.string), value == .success || value == .failure else {
                    throw Self.invalid("Job", "conclusion", "conclusion must be success or failure")
                }
                conclusion = value
            }
            do {
                try context.state.simulator.completeJob(id, conclusion: conclusion)
            } catch {
                throw Self.invalid("Job", "status", error.message)
            }
            return (200, runDocument(job.run, in: key, context.state))
        }
    }

    // MARK: - Bodies

    /// The body as a YAML/JSON node; an empty body is an empty mapping.
    static func document(_ body: [UInt8], _ resource: String) throws(GitHubError) -> Node {
        let text = String(decoding: body, as: UTF8.self)
        guard text.contains(where: { !$0.isWhitespace }) else { return Node.mapping(Node.Mapping([])) }
        do {
            return try YAMLReader(file: "request body").compose(text)
        } catch {
            throw invalid(resource, "body", error)
        }
    }

    @discardableResult
    static func object(_ body: [UInt8], _ resource: String, allowed: [String], required: [String] = []) throws(GitHubError) -> [String: Node] {
        let node = try document(body, resource)
        do {
            return try YAMLReader(file: "request body").mapping(node, "the body", allowed: allowed, required: required)
        } catch {
            throw invalid(resource, "body", error)
        }
    }

    private func repositoryKey(_ owner: String, _ name: String, _ state: MockState) throws(GitHubError) -> RepositoryKey {
        guard let repository = state.simulator.repository(owner: owner, name: name) else { throw Self.notFound() }
        return repository.key
    }

    private func runKey(_ owner: String, _ name: String, _ id: RunID, _ state: MockState) throws(GitHubError) -> RepositoryKey {
        let key = try repositoryKey(owner, name, state)
        guard state.simulator.runLocations[id] == key else { throw Self.notFound() }
        return key
    }

    // MARK: - Documents

    private func tokensDocument(_ tokens: [(key: String, value: AccessToken)]) -> [UInt8] {
        var json = JSONWriter()
        json.beginArray()
        for (text, token) in tokens { StateExporter.write(token, named: text, to: &json) }
        json.endArray()
        return json.bytes
    }

    private func tokenDocument(_ token: AccessToken, named text: String) -> [UInt8] {
        var json = JSONWriter()
        StateExporter.write(token, named: text, to: &json)
        return json.bytes
    }

    private func clockDocument(_ context: Context) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("now", context.clock.now(wall: context.wall).description)
        json.field("frozen", context.clock.frozen)
        json.endObject()
        return json.bytes
    }

    private func workflowDocument(_ workflow: WorkflowDefinition) -> [UInt8] {
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

    /// The run document: the run, its configured groups and every job of its tree.
    func runDocument(_ id: RunID, in key: RepositoryKey, _ state: MockState) -> [UInt8] {
        let repository = state.simulator.repositories[key]!
        let run = repository.runs[id]!
        var json = JSONWriter(reservingCapacity: 1024)
        json.beginObject()
        StateExporter.writeIdentityAndOutcome(of: run, to: &json)
        json.key("concurrency_groups")
        json.beginArray()
        for group in run.configuredGroups { json.string(repository.displayName(of: group)) }
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
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }
}
