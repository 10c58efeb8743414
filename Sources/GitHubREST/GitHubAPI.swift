import AccessPolicy
import ConcurrencySimulator
import JSONOutput
import MockHTTP
import StateDocuments

/// GitHub's REST API over the simulator, one request at a time, in the order GitHub applies
/// its rules: the API version, the caller, the route and its answer, the conditional GET, then
/// the rate-limit charge and the headers every answer carries.
///
/// Reads the state it is handed; only the Actions writes (dispatch, cancel, re-run) change it,
/// through the simulator's validated operations. What it owns is the rate-limit budgets.
public struct GitHubAPI: Sendable {
    public let endpoints: ConcurrencyGroupsEndpoints
    public let actions: ActionsEndpoints
    private var rateLimiter = RateLimiter()
    private var cache = AnswerCache()

    /// The state's settings that decide who may read what and how fast.
    public struct AccessSettings: Sendable {
        public var tokens: [String: AccessToken]
        public var mode: AuthenticationMode
        public var rateLimits: RateLimitPolicy

        public init(tokens: [String: AccessToken], mode: AuthenticationMode, rateLimits: RateLimitPolicy) {
            self.tokens = tokens
            self.mode = mode
            self.rateLimits = rateLimits
        }
    }

    public init(configuration: APIConfiguration) {
        self.endpoints = ConcurrencyGroupsEndpoints(configuration: configuration)
        self.actions = ActionsEndpoints(configuration: configuration)
    }

    /// Empties every rate-limit budget.
    public mutating func resetRateLimits() {
        rateLimiter.reset()
    }

    /// The answer to a request for a GitHub path. `request.method` is never `HEAD`: the server
    /// answers HEAD as GET and the transport drops the body. `generation` changes whenever the
    /// state does; answers computed under the same generation are reused.
    public mutating func respond(
        to request: HTTPRequest, state: inout MockState, access: AccessSettings, generation: UInt64
    ) -> HTTPResponse {
        let version: String
        do {
            version = try Self.selectedVersion(request.headers)
        } catch {
            return Self.errorResponse(error, version: nil)
        }
        let caller: Caller
        do throws(GitHubError) {
            caller = try Caller.identify(request.headers, remoteAddress: request.remoteAddress, tokens: access.tokens, mode: access.mode)
            if access.mode == .strict, (request.headers["User-Agent"] ?? "").isEmpty { throw Caller.userAgentRequired }
        } catch {
            return Self.errorResponse(error, version: version)
        }
        var response: HTTPResponse
        if request.method == "GET",
           let kept = cache.answer(target: request.target, version: version, generation: generation),
           caller.canRead(kept.repository, visibility: kept.visibility) {
            response = HTTPResponse(status: 200, headers: kept.headers, body: kept.body)
        } else {
            do {
                response = try answer(request, caller: caller, state: &state, version: version)
            } catch {
                response = Self.errorResponse(error, version: version)
            }
        }
        let notModified = Self.applyConditionalGET(request, to: &response)
        let limit = caller.isAuthenticated ? access.rateLimits.authenticatedLimit : access.rateLimits.anonymousLimit
        // GitHub does not count a 304 answered to an authenticated request.
        let charge = rateLimiter.charge(
            caller.budgetKey, limit: limit, now: state.simulator.now, free: notModified && caller.isAuthenticated,
            enforced: access.rateLimits.enforced)
        if !charge.admitted { response = Self.errorResponse(RateLimiter.exceeded(caller), version: version) }
        response.headers.reserve(Self.headersAddedPerAnswer)
        Self.addRateLimitHeaders(charge.status, to: &response)
        if case .token(_, let token, _) = caller, token.hasOAuthScopes {
            response.headers.add("X-OAuth-Scopes", token.scopes.joined(separator: ", "))
            response.headers.add("X-Accepted-OAuth-Scopes", "repo")
        }
        return response
    }

    // MARK: - Steps

    /// `X-GitHub-Api-Version`, or the default when absent; GitHub's 400 for one it does not serve.
    static func selectedVersion(_ headers: HTTPHeaders) throws(GitHubError) -> String {
        switch headers["X-GitHub-Api-Version"].map({ Substring($0).trimmingSpaces }) {
        case .none, .some(""):
            return APIVersion.defaultVersion
        case .some(let requested):
            guard APIVersion.supported.contains(requested) else { throw APIVersion.unsupported(requested) }
            return requested
        }
    }

    /// The answer of a GitHub route (or `GET /versions`), with its ETag; a read whose answer
    /// depends on the state alone is kept for reuse.
    private mutating func answer(
        _ request: HTTPRequest, caller: Caller, state: inout MockState, version: String
    ) throws(GitHubError) -> HTTPResponse {
        guard let target = RequestTarget(request.target) else { throw .notFound(DocumentationURL.restRoot) }
        if let route = ActionsRoute(method: request.method, segments: target.segments) {
            let success = try actions.answer(route, query: target.query, body: request.body, version: version, caller: caller, state: &state)
            var response = HTTPResponse(status: success.status, headers: Self.jsonHeaders(version: version), body: success.body ?? [])
            if success.body == nil { response.headers.removeAll(named: "Content-Type") }
            if let link = success.link { response.headers.add("Link", link) }
            if success.status == 200, !route.isWrite {
                response.headers.add("ETag", EntityTag.of(response.body))
                if route.answerDependsOnStateAlone {
                    keep(response, of: RepositoryKey(owner: route.owner, name: route.repo), in: state.simulator, for: request, version: version)
                }
            }
            return response
        }
        guard request.method == "GET" else { throw .notFound(DocumentationURL.restRoot) }
        let simulator = state.simulator
        var response: HTTPResponse
        if target.segments == ["versions"] {
            var json = JSONWriter()
            json.beginArray()
            for supported in APIVersion.supported.reversed() { json.string(supported) }
            json.endArray()
            response = HTTPResponse(status: 200, headers: Self.jsonHeaders(version: version), body: json.bytes)
        } else {
            guard let route = GitHubRoute(segments: target.segments) else { throw .notFound(DocumentationURL.restRoot) }
            let success = try endpoints.answer(route, query: target.query, simulator: simulator, canRead: caller.canRead)
            response = HTTPResponse(status: 200, headers: Self.jsonHeaders(version: version), body: success.body)
            if let link = success.link { response.headers.add("Link", link) }
            response.headers.add("ETag", EntityTag.of(response.body))
            keep(response, of: route.repository, in: simulator, for: request, version: version)
            return response
        }
        response.headers.add("ETag", EntityTag.of(response.body))
        return response
    }

    /// Keeps a read's answer for the requests that ask for it again while the state stands; they
    /// share its body, down to the bytes the transport writes to each client.
    private mutating func keep(
        _ response: HTTPResponse, of repository: RepositoryKey, in simulator: Simulator, for request: HTTPRequest, version: String
    ) {
        guard let visibility = simulator.repositories[repository]?.visibility else { return }
        cache.keep(
            AnswerCache.Answer(repository: repository, visibility: visibility, body: response.body, headers: response.headers),
            target: request.target, version: version)
    }

    /// Turns a 200 into a 304 when the request's `If-None-Match` names its ETag; answers whether it did.
    private static func applyConditionalGET(_ request: HTTPRequest, to response: inout HTTPResponse) -> Bool {
        guard response.status == 200, let ifNoneMatch = request.headers["If-None-Match"],
              let tag = response.headers["ETag"], EntityTag.matches(ifNoneMatch, tag)
        else { return false }
        response.status = 304
        response.body = []
        response.headers.removeAll(named: "Content-Type")
        return true
    }

    /// The rate-limit headers, the two OAuth scope headers and the server's request id: what an
    /// answer (a kept one too) gains after it was made.
    static let headersAddedPerAnswer = 8

    private static func addRateLimitHeaders(_ status: RateLimiter.Status, to response: inout HTTPResponse) {
        response.headers.add("X-RateLimit-Limit", DecimalText.string(status.limit))
        response.headers.add("X-RateLimit-Remaining", DecimalText.string(status.remaining))
        response.headers.add("X-RateLimit-Used", DecimalText.string(status.used))
        response.headers.add("X-RateLimit-Reset", DecimalText.string(Int(status.reset.secondsSinceEpoch)))
        response.headers.add("X-RateLimit-Resource", "core")
    }

    /// The headers of every JSON answer; `version` is the API version selected, when one was.
    public static func jsonHeaders(version: String?) -> HTTPHeaders {
        var headers = HTTPHeaders([
            ("Content-Type", "application/json; charset=utf-8"),
            ("X-GitHub-Media-Type", "github.v3; format=json"),
        ])
        if let version { headers.add("X-GitHub-Api-Version-Selected", version) }
        return headers
    }

    /// GitHub's error body with the error's own headers (a 405's `Allow`, say).
    public static func errorResponse(_ error: GitHubError, version: String?) -> HTTPResponse {
        var headers = jsonHeaders(version: version)
        for (name, value) in error.headers { headers.add(name, value) }
        return HTTPResponse(status: error.status, headers: headers, body: error.body)
    }
}
