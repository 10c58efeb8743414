import AccessPolicy
import ConcurrencySimulator
import MockHTTP

/// Who is asking, as GitHub's REST API decides it from the `Authorization` header.
public enum Caller: Equatable, Sendable {
    case anonymous(address: String)
    /// `known` is false for a token permissive mode stands in for.
    case token(String, AccessToken, known: Bool)

    /// Reads `Authorization: Bearer X` or `token X`. A header in another form, or an unknown
    /// token in strict mode, is `Bad credentials`.
    static func identify(
        _ headers: HTTPHeaders, remoteAddress: String?, tokens: [String: AccessToken], mode: AuthenticationMode
    ) throws(GitHubError) -> Caller {
        guard let header = headers["Authorization"] else {
            return .anonymous(address: remoteAddress ?? "127.0.0.1")
        }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, ["bearer", "token"].contains(parts[0].lowercased()) else { throw badCredentials }
        let text = String(parts[1])
        if let token = tokens[text] { return .token(text, token, known: true) }
        guard mode == .permissive else { throw badCredentials }
        return .token(text, .permissiveStandIn, known: false)
    }

    static let badCredentials = GitHubError(status: 401, message: "Bad credentials", documentationURL: DocumentationURL.restRoot)

    /// GitHub's 403 for a request without `User-Agent` (enforced in strict mode only).
    static let userAgentRequired = GitHubError(
        status: 403,
        message: "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.",
        documentationURL: DocumentationURL.restRoot)

    func canRead(_ repository: Repository) -> Bool {
        canRead(repository.key, visibility: repository.visibility)
    }

    func canRead(_ repository: RepositoryKey, visibility: Visibility) -> Bool {
        switch self {
        case .anonymous: return visibility == .public
        case .token(_, let token, _): return token.canRead(repository, visibility: visibility)
        }
    }

    var isAuthenticated: Bool {
        if case .token = self { return true }
        return false
    }

    /// The key of this caller's rate-limit budget.
    var budgetKey: RateLimiter.BudgetKey {
        switch self {
        case .anonymous(let address): return .address(address)
        case .token(let text, _, _): return .token(text)
        }
    }
}

/// Primary rate-limit budgets: one per token and one per anonymous client address, each an
/// hour long from its first request, on the simulator clock.
public struct RateLimiter: Sendable {
    private struct Budget: Sendable {
        var windowStart: Timestamp
        var used: Int
    }

    /// Whose budget a request is charged to.
    public enum BudgetKey: Hashable, Sendable {
        case address(String)
        case token(String)
    }

    private var budgets: [BudgetKey: Budget] = [:]

    public init() {}

    /// What the `X-RateLimit-*` headers say.
    public struct Status: Equatable, Sendable {
        public let limit: Int
        public let used: Int
        public let reset: Timestamp
        public var remaining: Int { max(0, limit - used) }
    }

    public func status(of key: BudgetKey, limit: Int, now: Timestamp) -> Status {
        if let budget = budgets[key], now < budget.windowStart.adding(seconds: RateLimitPolicy.windowSeconds) {
            return Status(limit: limit, used: budget.used, reset: budget.windowStart.adding(seconds: RateLimitPolicy.windowSeconds))
        }
        return Status(limit: limit, used: 0, reset: now.adding(seconds: RateLimitPolicy.windowSeconds))
    }

    /// What charging a request decided.
    public struct Charge: Equatable, Sendable {
        /// False when the budget was spent and the limit is enforced: the request gets GitHub's 403.
        public let admitted: Bool
        /// The budget after the charge, for the `X-RateLimit-*` headers.
        public let status: Status
    }

    /// Charges one request to a budget in one step: refused (and not counted) when the budget
    /// is spent and `enforced`; otherwise counted, unless `free`.
    public mutating func charge(_ key: BudgetKey, limit: Int, now: Timestamp, free: Bool, enforced: Bool) -> Charge {
        let current = status(of: key, limit: limit, now: now)
        if enforced, current.remaining == 0 { return Charge(admitted: false, status: current) }
        if free { return Charge(admitted: true, status: current) }
        let windowStart = current.reset.adding(seconds: -RateLimitPolicy.windowSeconds)
        budgets[key] = Budget(windowStart: windowStart, used: current.used + 1)
        return Charge(admitted: true, status: Status(limit: limit, used: current.used + 1, reset: current.reset))
    }

    public mutating func reset() {
        budgets.removeAll()
    }

    static func exceeded(_ caller: Caller) -> GitHubError {
        let message: String = switch caller {
        case .anonymous(let address):
            "API rate limit exceeded for \(address). (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)"
        case .token(_, let token, _):
            "API rate limit exceeded for user ID \(token.userID)."
        }
        return GitHubError(status: 403, message: message, documentationURL: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
    }
}

/// Weak entity tags over the representation's bytes.
enum EntityTag {
    /// `W/"<length>-<hash>"`: the body's length and its 64-bit `FastHash`, so the tag changes
    /// exactly when the bytes do (up to a collision of both).
    static func of(_ body: [UInt8]) -> String {
        "W/\"\(String(body.count, radix: 16))-\(hex(FastHash.hash(body)))\""
    }

    /// Whether an `If-None-Match` value names this tag (weak comparison, or `*`).
    static func matches(_ ifNoneMatch: String, _ tag: String) -> Bool {
        let opaque = tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
        for candidate in ifNoneMatch.split(separator: ",") {
            var value = candidate.trimmingSpaces
            if value == "*" { return true }
            if value.hasPrefix("W/") { value = String(value.dropFirst(2)) }
            if value == opaque { return true }
        }
        return false
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
