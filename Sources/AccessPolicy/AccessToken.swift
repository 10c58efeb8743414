/// A credential the mock knows, with what it may read. GitHub's rules for these endpoints:
/// public repositories need nothing; a private one needs a classic or OAuth app token with the
/// `repo` scope, or a fine-grained or installation token with the Actions permission on it.

import ConcurrencySimulator

public struct AccessToken: Hashable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case classic
        case oauthApp = "oauth_app"
        case fineGrained = "fine_grained"
        case installation
    }

    /// Which repositories a fine-grained or installation token covers.
    public enum Selection: Hashable, Sendable {
        case all
        case only(Set<RepositoryKey>)
    }

    /// GitHub's permission levels for the Actions repository permission.
    public enum Permission: String, Sendable, CaseIterable {
        case none, read, write
    }

    public let kind: Kind
    /// OAuth scopes of a classic or OAuth app token.
    public let scopes: [String]
    /// Repositories of a fine-grained or installation token.
    public let selection: Selection
    /// The Actions permission a fine-grained or installation token grants on its repositories.
    public let actions: Permission
    /// Named in rate-limit messages (`API rate limit exceeded for user ID N.`).
    public let userID: Int

    public init(kind: Kind, scopes: [String] = [], selection: Selection = .all, actions: Permission = .none, userID: Int = 1) {
        self.kind = kind
        self.scopes = scopes
        self.selection = selection
        self.actions = actions
        self.userID = userID
    }

    /// What permissive mode grants a token it does not know: a classic token with `repo`.
    public static let permissiveStandIn = AccessToken(kind: .classic, scopes: ["repo"])

    /// Whether the token may read the repository's concurrency groups.
    public func canRead(_ repository: Repository) -> Bool {
        canRead(repository.key, visibility: repository.visibility)
    }

    /// Whether the token may read the concurrency groups of a repository known by key and visibility.
    public func canRead(_ repository: RepositoryKey, visibility: Visibility) -> Bool {
        guard visibility == .private else { return true }
        switch kind {
        case .classic, .oauthApp:
            return scopes.contains("repo")
        case .fineGrained, .installation:
            let covered: Bool = switch selection {
            case .all: true
            case .only(let repositories): repositories.contains(repository)
            }
            return covered && actions != .none
        }
    }

    /// Whether the token may run, cancel and re-run workflows of a repository it can read:
    /// a classic or OAuth token with `repo` (or `public_repo` for a public repository), a
    /// fine-grained or installation token covering it with `actions: write`.
    public func canWrite(_ repository: Repository) -> Bool {
        guard canRead(repository) else { return false }
        switch kind {
        case .classic, .oauthApp:
            return scopes.contains("repo") || (repository.visibility == .public && scopes.contains("public_repo"))
        case .fineGrained, .installation:
            let covered: Bool = switch selection {
            case .all: true
            case .only(let repositories): repositories.contains(repository.key)
            }
            return covered && actions == .write
        }
    }

    /// Whether GitHub reports OAuth scopes (`X-OAuth-Scopes`) for this kind of token.
    public var hasOAuthScopes: Bool { kind == .classic || kind == .oauthApp }
}

/// How the mock treats tokens it does not know.
public enum AuthenticationMode: String, Sendable, CaseIterable {
    /// Unknown tokens act as a classic token with the `repo` scope (friendly to SDKs set up
    /// with any dummy token).
    case permissive
    /// Unknown tokens get 401 `Bad credentials`, and requests need a `User-Agent`.
    case strict
}

/// GitHub's primary rate limits, on the simulator clock.
public struct RateLimitPolicy: Hashable, Sendable {
    /// Whether an exhausted budget answers 403; the headers are sent either way.
    public var enforced: Bool
    /// Requests per hour for one token.
    public var authenticatedLimit: Int
    /// Requests per hour for one client address without a token.
    public var anonymousLimit: Int

    public init(enforced: Bool = false, authenticatedLimit: Int = 5000, anonymousLimit: Int = 60) {
        self.enforced = enforced
        self.authenticatedLimit = authenticatedLimit
        self.anonymousLimit = anonymousLimit
    }

    /// The length of one budget window.
    public static let windowSeconds: Int64 = 3600
}
