import ConcurrencySimulator
import GitHubREST
import JSONOutput
import MockHTTP
import SourceDocuments
import StateDocuments

/// `GET /_mock/health` (with `?check=invariants`, the simulator's invariants too),
/// `GET|PUT /_mock/state` (export and replace the whole state) and `POST /_mock/reset` (back to
/// the state the server started with).
enum StateRoute {
    case health, state, reset

    var allowedMethods: [String] {
        switch self {
        case .health: ["GET"]
        case .state: ["GET", "PUT"]
        case .reset: ["POST"]
        }
    }
}

extension ControlPlane {
    static func respond(
        _ route: StateRoute, method: String, query: QueryParameters, body: [UInt8], context: inout Context
    ) throws(GitHubError) -> (Int, [UInt8]) {
        switch route {
        case .health:
            return try health(check: query["check"], state: context.state)
        case .state:
            if method == "PUT" {
                // Loaded whole before anything is replaced, so a refused document changes nothing.
                do {
                    var replacement = try onThreadOfItsOwn { () throws(SourceError) in
                        try FixtureLoader.load(utf8: body, file: "request body")
                    }
                    context.clock = MockClock(now: replacement.simulator.now, frozen: replacement.clockFrozen, wall: context.wall)
                    replacement.simulator.now = context.clock.now(wall: context.wall)
                    context.state = replacement
                } catch {
                    throw invalid("State", "body", error)
                }
                context.resetRateLimits = true
                context.replacedState = true
                context.journal(.stateReplaced)
                return (200, StateExporter.export(context.state))
            }
            return (200, context.exportedState())
        case .reset:
            context.state = context.initialState
            context.clock = context.initialClock
            context.resetRateLimits = true
            context.replacedState = true
            context.journal(.stateReset)
            return (200, Array(#"{"status":"reset"}"#.utf8))
        }
    }

    /// Release builds never check the invariants on their own (each check walks the whole
    /// state), so a long-running server is checked on request: `scripts/soak` asks every 15 s.
    /// A broken invariant is a bug of the mock, hence a 500 naming every violation.
    private static func health(check: String?, state: MockState) throws(GitHubError) -> (Int, [UInt8]) {
        switch check {
        case nil:
            return (200, Array(#"{"status":"ok"}"#.utf8))
        case "invariants"?:
            let violations = state.simulator.invariantViolations()
            guard !violations.isEmpty else { return (200, Array(#"{"status":"ok"}"#.utf8)) }
            var json = JSONWriter(reservingCapacity: 256)
            json.beginObject()
            json.field("status", "broken")
            json.key("violations")
            json.beginArray()
            for violation in violations { json.string(violation) }
            json.endArray()
            json.endObject()
            return (500, json.bytes)
        case let other?:
            throw invalid("Health", "check", "check must be invariants, not '\(other)'")
        }
    }
}
