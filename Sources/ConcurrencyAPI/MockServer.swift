import ConcurrencySimulator
import MockHTTP
import Workflows

/// The whole HTTP surface of the mock: GitHub's REST endpoints and the `/_mock` control API
/// over one state.
///
/// Confined to the event-loop thread (see `HTTPResponder`): it owns the state and mutates it
/// without locks. The wall clock is injected, so the module itself does no I/O.
public final class MockServer: HTTPResponder {
    public private(set) var state: MockState
    public let endpoints: ConcurrencyGroupsEndpoints
    private let control: ControlAPI
    private let initialState: MockState
    private var clock: MockClock
    private let initialClock: MockClock
    private let wallClock: @Sendable () -> Timestamp
    private var requestCounter: UInt32 = 0
    private let requestIDPrefix: String

    /// - Parameter wallClock: real time; by default the time stands at the state's `now`, so an
    ///   unfrozen clock does not move (what tests want).
    public init(
        state: MockState, configuration: APIConfiguration, wallClock: (@Sendable () -> Timestamp)? = nil,
        requestIDSeed: UInt32 = 0xC0DE
    ) {
        let start = state.simulator.now
        let wall = wallClock ?? { start }
        self.state = state
        self.initialState = state
        self.wallClock = wall
        self.clock = MockClock(now: start, frozen: state.clockFrozen, wall: wall())
        self.initialClock = clock
        self.endpoints = ConcurrencyGroupsEndpoints(configuration: configuration)
        self.control = ControlAPI(endpoints: endpoints)
        self.requestIDPrefix = Self.hex(requestIDSeed, width: 4)
    }

    /// The simulator, readable and (for tests) writable in place.
    public var simulator: Simulator {
        get { state.simulator }
        set { state.simulator = newValue }
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        state.simulator.now = clock.now(wall: wallClock())
        var response = respondWithoutCommonHeaders(to: request)
        requestCounter &+= 1
        // GitHub's ids are five colon-separated hex fields; ours count requests so logs line up.
        response.headers.add(
            "X-GitHub-Request-Id",
            "\(requestIDPrefix):\(Self.hex(requestCounter, width: 6)):\(Self.hex(requestCounter &* 2_654_435_761, width: 8)):\(Self.hex(requestCounter &* 2_246_822_519, width: 8)):\(Self.hex(UInt32(truncatingIfNeeded: state.simulator.now.secondsSinceEpoch), width: 8))")
        return response
    }

    private func respondWithoutCommonHeaders(to request: HTTPRequest) -> HTTPResponse {
        guard let target = RequestTarget(request.target) else {
            return Self.errorResponse(.notFound(DocumentationURL.restRoot), version: APIVersion.defaultVersion)
        }
        if target.segments.first == "_mock" {
            return respondToControl(request, segments: target.segments.dropFirst())
        }
        let version: String
        switch request.headers["X-GitHub-Api-Version"].map(Self.trimmed) {
        case .none, .some(""):
            version = APIVersion.defaultVersion
        case .some(let requested):
            guard APIVersion.supported.contains(requested) else {
                return Self.errorResponse(APIVersion.unsupported(requested), version: nil)
            }
            version = requested
        }
        guard request.method == "GET" || request.method == "HEAD",
              let route = GitHubRoute(segments: target.segments)
        else {
            return Self.errorResponse(.notFound(DocumentationURL.restRoot), version: version)
        }
        do {
            // Permissive authentication: any token may read private repositories.
            let hasToken = request.headers["Authorization"].map { !Self.trimmed($0).isEmpty } ?? false
            let success = try endpoints.answer(route, query: target.query, simulator: state.simulator, canReadPrivate: hasToken)
            var response = HTTPResponse(status: 200, headers: Self.jsonHeaders(version: version), body: success.body)
            if let link = success.link { response.headers.add("Link", link) }
            return response
        } catch {
            return Self.errorResponse(error, version: version)
        }
    }

    private func respondToControl(_ request: HTTPRequest, segments: ArraySlice<String>) -> HTTPResponse {
        guard let route = ControlAPI.Route(segments) else {
            return Self.errorResponse(ControlAPI.notFound(), version: nil)
        }
        var context = ControlAPI.Context(
            state: state, clock: clock, initialState: initialState, initialClock: initialClock, wall: wallClock())
        do {
            let (status, body) = try control.respond(route, method: request.method, body: request.body, context: &context)
            // Only a successful operation replaces the state: a refused one changes nothing.
            state = context.state
            clock = context.clock
            return HTTPResponse(status: status, headers: Self.jsonHeaders(version: nil), body: body)
        } catch {
            var response = Self.errorResponse(error, version: nil)
            if error.status == 405 { response.headers.add("Allow", route.allowedMethods.joined(separator: ", ")) }
            return response
        }
    }

    static func jsonHeaders(version: String?) -> HTTPHeaders {
        var headers = HTTPHeaders([
            ("Content-Type", "application/json; charset=utf-8"),
            ("X-GitHub-Media-Type", "github.v3; format=json"),
        ])
        if let version { headers.add("X-GitHub-Api-Version-Selected", version) }
        return headers
    }

    static func errorResponse(_ error: GitHubError, version: String?) -> HTTPResponse {
        HTTPResponse(status: error.status, headers: jsonHeaders(version: version), body: error.body)
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
