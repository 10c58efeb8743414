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
    private var rateLimiter = RateLimiter()
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
        self.control = ControlAPI()
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
        switch request.headers["X-GitHub-Api-Version"].map({ Substring($0).trimmingSpaces }) {
        case .none, .some(""):
            version = APIVersion.defaultVersion
        case .some(let requested):
            guard APIVersion.supported.contains(requested) else {
                return Self.errorResponse(APIVersion.unsupported(requested), version: nil)
            }
            version = requested
        }
        let caller: Caller
        do {
            caller = try Caller.identify(
                request.headers, remoteAddress: request.remoteAddress, tokens: state.tokens, mode: state.authenticationMode)
        } catch {
            return Self.errorResponse(error, version: version)
        }
        if state.authenticationMode == .strict, (request.headers["User-Agent"] ?? "").isEmpty {
            return Self.errorResponse(Caller.userAgentRequired, version: version)
        }
        let policy = state.rateLimits
        let limit = caller.isAuthenticated ? policy.authenticatedLimit : policy.anonymousLimit
        let now = state.simulator.now
        if policy.enforced, rateLimiter.status(of: caller.budgetKey, limit: limit, now: now).remaining == 0 {
            var response = Self.errorResponse(RateLimiter.exceeded(caller), version: version)
            addRateLimitHeaders(rateLimiter.status(of: caller.budgetKey, limit: limit, now: now), to: &response)
            return response
        }
        var response = answer(request, target: target, caller: caller, version: version)
        let notModified = response.status == 304
        let counted = notModified && caller.isAuthenticated
            ? rateLimiter.status(of: caller.budgetKey, limit: limit, now: now)
            : rateLimiter.count(caller.budgetKey, limit: limit, now: now)
        addRateLimitHeaders(counted, to: &response)
        if case .token(_, let token, _) = caller, token.hasOAuthScopes {
            response.headers.add("X-OAuth-Scopes", token.scopes.joined(separator: ", "))
            response.headers.add("X-Accepted-OAuth-Scopes", "repo")
        }
        return response
    }

    /// The answer of a GitHub route (or `GET /versions`), with its ETag, or 304 when the
    /// request's `If-None-Match` names that ETag.
    private func answer(_ request: HTTPRequest, target: RequestTarget, caller: Caller, version: String) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return Self.errorResponse(.notFound(DocumentationURL.restRoot), version: version)
        }
        var response: HTTPResponse
        if target.segments == ["versions"] {
            var json = JSONWriter()
            json.beginArray()
            for supported in APIVersion.supported.reversed() { json.string(supported) }
            json.endArray()
            response = HTTPResponse(status: 200, headers: Self.jsonHeaders(version: version), body: json.bytes)
        } else {
            guard let route = GitHubRoute(segments: target.segments) else {
                return Self.errorResponse(.notFound(DocumentationURL.restRoot), version: version)
            }
            do {
                let success = try endpoints.answer(route, query: target.query, simulator: state.simulator, canRead: caller.canRead)
                response = HTTPResponse(status: 200, headers: Self.jsonHeaders(version: version), body: success.body)
                if let link = success.link { response.headers.add("Link", link) }
            } catch {
                return Self.errorResponse(error, version: version)
            }
        }
        let tag = EntityTag.of(response.body)
        response.headers.add("ETag", tag)
        if let ifNoneMatch = request.headers["If-None-Match"], EntityTag.matches(ifNoneMatch, tag) {
            response.status = 304
            response.body = []
            response.headers.removeAll(named: "Content-Type")
        }
        return response
    }

    private func addRateLimitHeaders(_ status: RateLimiter.Status, to response: inout HTTPResponse) {
        response.headers.add("X-RateLimit-Limit", String(status.limit))
        response.headers.add("X-RateLimit-Remaining", String(status.remaining))
        response.headers.add("X-RateLimit-Used", String(status.used))
        response.headers.add("X-RateLimit-Reset", String(status.reset.secondsSinceEpoch))
        response.headers.add("X-RateLimit-Resource", "core")
    }

    private func respondToControl(_ request: HTTPRequest, segments: ArraySlice<String>) -> HTTPResponse {
        if let refusal = endpoints.configuration.controlPlane.refusal(of: request) { return refusal }
        if segments.elementsEqual(["openapi.yaml"]) {
            // The document describing everything served here, as built in (scripts/embed-fixtures).
            guard request.method == "GET" || request.method == "HEAD" else {
                var response = Self.errorResponse(
                    GitHubError(status: 405, message: "Method Not Allowed", documentationURL: DocumentationURL.controlAPI), version: nil)
                response.headers.add("Allow", "GET")
                return response
            }
            return HTTPResponse(
                status: 200, headers: HTTPHeaders([("Content-Type", "application/yaml")]), body: Array(EmbeddedOpenAPI.document.utf8))
        }
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
            if context.resetRateLimits { rateLimiter.reset() }
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

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
