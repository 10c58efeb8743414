import ConcurrencySimulator
import GitHubREST
import StateDocuments

/// `GET /_mock/health`, `GET|PUT /_mock/state` (export and replace the whole state) and
/// `POST /_mock/reset` (back to the state the server started with).
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
    static func respond(_ route: StateRoute, method: String, body: [UInt8], context: inout Context) throws(GitHubError) -> (Int, [UInt8]) {
        switch route {
        case .health:
            return (200, Array(#"{"status":"ok"}"#.utf8))
        case .state:
            if method == "PUT" {
                // Loaded whole before anything is replaced, so a refused document changes nothing.
                do {
                    var replacement = try FixtureLoader.load(String(decoding: body, as: UTF8.self), file: "request body")
                    context.clock = MockClock(now: replacement.simulator.now, frozen: replacement.clockFrozen, wall: context.wall)
                    replacement.simulator.now = context.clock.now(wall: context.wall)
                    context.state = replacement
                } catch {
                    throw invalid("State", "body", error)
                }
                context.resetRateLimits = true
                context.replacedState = true
                context.journal(.stateReplaced)
            }
            return (200, StateExporter.export(context.state))
        case .reset:
            context.state = context.initialState
            context.clock = context.initialClock
            context.resetRateLimits = true
            context.replacedState = true
            context.journal(.stateReset)
            return (200, Array(#"{"status":"reset"}"#.utf8))
        }
    }
}
