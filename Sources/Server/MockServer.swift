import AccessPolicy
import ConcurrencySimulator
import ControlAPI
import GitHubREST
import MockHTTP
import StateDocuments

/// The whole HTTP surface of the mock: GitHub's REST API and the `/_mock` control API over one
/// state, which this object alone owns.
///
/// Confined to the event-loop thread (see `HTTPResponder`): it mutates the state without locks.
/// The wall clock is injected, so the module itself does no I/O.
public final class MockServer: HTTPResponder {
    /// The one owner of the state. Control operations mutate it in place (they validate before
    /// they write, so a refused one changes nothing); GitHub's API only reads it.
    private var context: ControlPlane.Context
    private var github: GitHubAPI
    private let control = ControlPlane()
    private let controlPlaneGuard: ControlPlaneGuard
    private let wallClock: @Sendable () -> Timestamp
    private var requestCounter: UInt32 = 0
    /// Counts changes of state, so GitHub's answers of an unchanged state can be reused.
    private var stateGeneration: UInt64 = 0
    private let requestIDPrefix: String
    /// Completed runs each repository keeps; a state put in place by the control API gets it too.
    private let retainedCompletedRuns: Int

    /// - Parameter wallClock: real time; by default the time stands at the state's `now`, so an
    ///   unfrozen clock does not move (what tests want).
    /// - Parameter retainedCompletedRuns: completed runs kept per repository (at least 1); older
    ///   ones are dropped with their jobs (`--retain-completed`).
    public init(
        state: MockState, configuration: APIConfiguration, controlPlane: ControlPlaneGuard = ControlPlaneGuard(),
        eventJournalSize: Int = EventJournal.defaultCapacity, wallClock: (@Sendable () -> Timestamp)? = nil,
        requestIDSeed: UInt32 = 0xC0DE, retainedCompletedRuns: Int = Simulator.defaultRetainedCompletedRuns
    ) {
        self.controlPlaneGuard = controlPlane
        self.retainedCompletedRuns = retainedCompletedRuns
        let start = state.simulator.now
        let wall = wallClock ?? { start }
        self.wallClock = wall
        let clock = MockClock(now: start, frozen: state.clockFrozen, wall: wall())
        var state = state
        state.simulator.retainCompletedRuns(retainedCompletedRuns)
        _ = state.simulator.takeEvents()
        self.context = ControlPlane.Context(
            state: state, clock: clock, initialState: state, initialClock: clock, wall: wall(),
            journal: EventJournal(capacity: eventJournalSize))
        self.github = GitHubAPI(configuration: configuration)
        self.requestIDPrefix = Self.hex(requestIDSeed, width: 4)
    }

    public var state: MockState { context.state }

    public var endpoints: ConcurrencyGroupsEndpoints { github.endpoints }

    /// The simulator, readable and (for tests) writable in place.
    public var simulator: Simulator {
        get { context.state.simulator }
        _modify {
            stateGeneration &+= 1
            yield &context.state.simulator
        }
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        context.state.simulator.now = context.clock.now(wall: wallClock())
        // HEAD is answered as GET everywhere; the transport drops the body.
        var request = request
        if request.method == "HEAD" { request.method = "GET" }
        var response: HTTPResponse
        if Self.isControlPath(request.target) {
            if let target = RequestTarget(request.target) {
                response = respondToControl(request, target: target)
            } else {
                response = GitHubAPI.errorResponse(.notFound(DocumentationURL.restRoot), version: APIVersion.defaultVersion)
            }
        } else {
            let access = GitHubAPI.AccessSettings(
                tokens: context.state.tokens, mode: context.state.authenticationMode, rateLimits: context.state.rateLimits)
            response = github.respond(to: request, simulator: context.state.simulator, access: access, generation: stateGeneration)
        }
        requestCounter &+= 1
        // GitHub's ids are five colon-separated hex fields; ours count requests so logs line up.
        response.headers.add(
            "X-GitHub-Request-Id",
            "\(requestIDPrefix):\(Self.hex(requestCounter, width: 6)):\(Self.hex(requestCounter &* 2_654_435_761, width: 8)):\(Self.hex(requestCounter &* 2_246_822_519, width: 8)):\(Self.hex(UInt32(truncatingIfNeeded: context.state.simulator.now.secondsSinceEpoch), width: 8))")
        return response
    }

    private func respondToControl(_ request: HTTPRequest, target: RequestTarget) -> HTTPResponse {
        context.wall = wallClock()
        context.resetRateLimits = false
        do {
            try controlPlaneGuard.admit(request)
            let answer = try control.respond(
                to: request.method, target.segments.dropFirst(), query: target.query, body: request.body, context: &context)
            // A state loaded by `PUT /_mock/state` comes with the default retention.
            if context.state.simulator.retainedCompletedRuns != retainedCompletedRuns {
                context.state.simulator.retainCompletedRuns(retainedCompletedRuns)
            }
            context.journalSimulatorEvents()
            // Even a read may move the state (the clock), so every answered control request counts.
            stateGeneration &+= 1
            #if DEBUG
            context.state.simulator.checkInvariants()
            #endif
            if context.resetRateLimits { github.resetRateLimits() }
            return answer
        } catch {
            return GitHubAPI.errorResponse(error, version: nil)
        }
    }

    /// Whether the target's first path segment is `_mock` (in origin form or absolute form).
    static func isControlPath(_ target: String) -> Bool {
        var path = Substring(target)
        if !path.hasPrefix("/"), let schemeEnd = path.firstRange(of: "://") {
            path = path[schemeEnd.upperBound...].drop { $0 != "/" }
        }
        guard path.hasPrefix("/_mock") else { return false }
        let next = path.dropFirst(6).first
        return next == nil || next == "/" || next == "?" || next == "#"
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
