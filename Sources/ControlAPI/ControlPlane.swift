import AccessPolicy
import ConcurrencySimulator
import GitHubREST
import JSONOutput
import MockHTTP
import SourceDocuments
import StateDocuments
import Workflows
import Yams

/// The mock's own JSON API under `/_mock`: repositories, workflow files, runs, the clock and the
/// whole state. Every operation validates first and changes nothing when it answers an error.
public struct ControlPlane {
    /// A control-API path, decoded into its family's route.
    enum Route {
        case state(StateRoute)
        case clock(ClockRoute)
        case access(AccessRoute)
        case repository(RepositoryRoute)
        case run(RunRoute)
        case events(EventRoute)
        case requests(RequestRoute)
        case faults(FaultRoute)

        init?(_ segments: ArraySlice<String>) {
            let parts = Array(segments)
            switch parts {
            case ["health"]: self = .state(.health)
            case ["state"]: self = .state(.state)
            case ["reset"]: self = .state(.reset)
            case ["events"]: self = .events(.events)
            case ["events", "stream"]: self = .events(.stream)
            case ["requests"]: self = .requests(.requests)
            case ["faults"]: self = .faults(.faults)
            case let parts where parts.count == 2 && parts[0] == "faults":
                self = .faults(.fault(try? Simulator.identifier(parsing: parts[1])))
            case ["clock"]: self = .clock(.clock)
            case ["clock", "advance"]: self = .clock(.advance)
            case ["tokens"]: self = .access(.tokens)
            case let parts where parts.count == 2 && parts[0] == "tokens" && !parts[1].isEmpty: self = .access(.token(parts[1]))
            case ["auth"]: self = .access(.authentication)
            case ["rate_limits"]: self = .access(.rateLimits)
            case ["rate_limits", "reset"]: self = .access(.resetRateLimits)
            default:
                guard parts.count >= 3, parts[0] == "repos", !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
                let (owner, name) = (parts[1], parts[2])
                let rest = Array(parts[3...])
                func id(_ text: String) -> Int? { try? Simulator.identifier(parsing: text) }
                switch rest.count {
                case 0: self = .repository(.repository(owner: owner, name: name))
                case 1 where rest[0] == "runs": self = .run(.trigger(owner: owner, name: name))
                case 2 where rest[0] == "workflows" && !rest[1].isEmpty:
                    self = .repository(.workflow(owner: owner, name: name, file: rest[1]))
                case 2 where rest[0] == "runs":
                    guard let run = id(rest[1]) else { return nil }
                    self = .run(.run(owner: owner, name: name, id: RunID(run)))
                case 3 where rest[0] == "runs" && rest[2] == "complete":
                    guard let run = id(rest[1]) else { return nil }
                    self = .run(.completeRun(owner: owner, name: name, id: RunID(run)))
                case 3 where rest[0] == "runs" && rest[2] == "cancel":
                    guard let run = id(rest[1]) else { return nil }
                    self = .run(.cancelRun(owner: owner, name: name, id: RunID(run)))
                case 3 where rest[0] == "runs" && rest[2] == "rerun":
                    guard let run = id(rest[1]) else { return nil }
                    self = .run(.rerunRun(owner: owner, name: name, id: RunID(run)))
                case 3 where rest[0] == "jobs" && rest[2] == "complete":
                    guard let job = id(rest[1]) else { return nil }
                    self = .run(.completeJob(owner: owner, name: name, id: JobID(job)))
                default: return nil
                }
            }
        }

        var allowedMethods: [String] {
            switch self {
            case .state(let route): route.allowedMethods
            case .clock(let route): route.allowedMethods
            case .access(let route): route.allowedMethods
            case .repository(let route): route.allowedMethods
            case .run(let route): route.allowedMethods
            case .events(let route): route.allowedMethods
            case .requests(let route): route.allowedMethods
            case .faults(let route): route.allowedMethods
            }
        }
    }

    /// What the operations work on, owned by `MockServer` and lent to each operation in place.
    /// An operation validates everything it was given before it writes anything, so an error
    /// thrown leaves the context as it was; no operation copies the state.
    public struct Context: Sendable {
        public var state: MockState
        public var clock: MockClock
        public let initialState: MockState
        public let initialClock: MockClock
        /// Real time at this request.
        public var wall: Timestamp
        /// Set when the operation empties every rate-limit budget.
        public var resetRateLimits = false
        /// Set when the operation replaced or reset the whole state (fault draws start over).
        public var replacedState = false
        /// What the simulation did; it outlives replacing and resetting the state.
        public var journal: EventJournal
        /// What the server was asked; it outlives replacing and resetting the state.
        public var requests: RequestJournal
        /// Set by `GET /_mock/events/stream` once its query passed: the owner opens the stream.
        public var openedStream: EventStreamRequest?
        /// Counts changes of the state (the owner counts them), so answers of an unchanged state
        /// can be reused. The clock's time is not one of them: it moves on its own.
        public var stateGeneration: UInt64 = 0
        /// The last `GET /_mock/state` answer, with the generation and time it shows.
        private var stateExport: (generation: UInt64, now: Timestamp, bytes: [UInt8])?

        public init(
            state: MockState, clock: MockClock, initialState: MockState, initialClock: MockClock, wall: Timestamp,
            journal: EventJournal = EventJournal(), requests: RequestJournal = RequestJournal()
        ) {
            self.state = state
            self.clock = clock
            self.initialState = initialState
            self.initialClock = initialClock
            self.wall = wall
            self.journal = journal
            self.requests = requests
        }

        /// The whole state as `GET /_mock/state` answers it, made once per generation and second of
        /// the clock: clients asking for the state while it stands are all answered one copy.
        mutating func exportedState() -> [UInt8] {
            let now = state.simulator.now
            if let kept = stateExport, kept.generation == stateGeneration, kept.now == now { return kept.bytes }
            let bytes = StateExporter.export(state)
            stateExport = (stateGeneration, now, bytes)
            return bytes
        }

        /// Moves the simulator's events of the last operation into the journal.
        public mutating func journalSimulatorEvents() {
            journal.record(state.simulator.takeEvents())
        }

        /// Journals a change the control API made itself (the clock, the whole state).
        mutating func journal(_ type: SimulationEvent.EventType) {
            journal.record(SimulationEvent(type, at: state.simulator.now))
        }
    }

    public init() {}

    /// The embedded document's bytes, made once (it is over 100 KB).
    private static let openAPIDocument = Array(EmbeddedOpenAPI.document.utf8)

    /// The answer to a request under `/_mock`, given the path segments after it. `method` is
    /// never `HEAD` (the server answers HEAD as GET).
    public func respond(
        to method: String, _ segments: ArraySlice<String>, query: QueryParameters, body: [UInt8],
        headers: HTTPHeaders = HTTPHeaders(), context: inout Context
    ) throws(GitHubError) -> HTTPResponse {
        if segments.elementsEqual(["openapi.yaml"]) {
            // The document describing everything served here, as built in (scripts/embed-fixtures).
            guard method == "GET" else { throw .methodNotAllowed(allowing: ["GET"], DocumentationURL.controlAPI) }
            return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/yaml")]), body: Self.openAPIDocument)
        }
        if segments.first == "ui" { return try Board.respond(to: method, segments.dropFirst()) }
        guard let route = Route(segments) else { throw Self.notFound() }
        let (status, body) = try respond(route, method: method, query: query, body: body, headers: headers, context: &context)
        return HTTPResponse(status: status, headers: GitHubAPI.jsonHeaders(version: nil), body: body)
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

    private func respond(
        _ route: Route, method: String, query: QueryParameters, body: [UInt8], headers: HTTPHeaders, context: inout Context
    ) throws(GitHubError) -> (Int, [UInt8]) {
        guard route.allowedMethods.contains(method) else {
            throw .methodNotAllowed(allowing: route.allowedMethods, DocumentationURL.controlAPI)
        }
        switch route {
        case .state(let route): return try Self.respond(route, method: method, query: query, body: body, context: &context)
        case .clock(let route): return try Self.respond(route, method: method, body: body, context: &context)
        case .access(let route): return try Self.respond(route, method: method, body: body, context: &context)
        case .repository(let route): return try Self.respond(route, method: method, body: body, context: &context)
        case .run(let route): return try Self.respond(route, method: method, body: body, context: &context)
        case .events(let route): return try Self.respond(route, query: query, headers: headers, context: &context)
        case .requests(let route): return try Self.respond(route, method: method, query: query, context: &context)
        case .faults(let route): return try Self.respond(route, method: method, body: body, context: &context)
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
    static func object(_ body: [UInt8], _ resource: String, allowed: [String], required: [String] = []) throws(GitHubError) -> MappingFields<Node> {
        let node = try document(body, resource)
        do {
            return try YAMLReader(file: "request body").mapping(node, "the body", allowed: allowed, required: required)
        } catch {
            throw invalid(resource, "body", error)
        }
    }

    static func repositoryKey(_ owner: String, _ name: String, _ state: MockState) throws(GitHubError) -> RepositoryKey {
        guard let repository = state.simulator.repository(owner: owner, name: name) else { throw Self.notFound() }
        return repository.key
    }

    static func runKey(_ owner: String, _ name: String, _ id: RunID, _ state: MockState) throws(GitHubError) -> RepositoryKey {
        let key = try Self.repositoryKey(owner, name, state)
        guard state.simulator.repositories[key]?.runs[id] != nil else { throw Self.notFound() }
        return key
    }
}
