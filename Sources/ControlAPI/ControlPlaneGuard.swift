import GitHubREST
import MockHTTP

/// Keeps the control plane (`/_mock`) out of a web page's reach.
///
/// A page on any site can make the browser send a "simple" cross-origin request (a POST with a
/// `text/plain` body, no preflight) to `http://127.0.0.1:PORT/_mock/reset`, or rebind its own name
/// to 127.0.0.1 and read the answers. Browsers always send `Host`, and `Origin` on such requests,
/// so a control request is refused when its `Origin` is another site's or its `Host` is a name this
/// server was not told it has. A request without `Host` (HTTP/1.0 tools, in-process callers) comes
/// from no browser and passes. An optional token guards the plane from other local programs too.
/// GitHub's own paths stay reachable from anywhere, as a mock of a public API should be.
public struct ControlPlaneGuard: Sendable {
    /// The names a request may address besides the loopback ones, lowercased: the address the
    /// server listens on and those given with `--allow-host`.
    public let allowedHosts: Set<String>
    /// `--control-token`: when set, every control request needs `Authorization: Bearer` with it.
    public let token: String?

    static let loopbackHosts: Set<String> = ["localhost", "127.0.0.1", "[::1]"]

    /// - Parameter allowedHosts: host names or addresses, without port; an IPv6 address with or
    ///   without brackets.
    public init(allowedHosts: [String] = [], token: String? = nil) {
        self.allowedHosts = Set(allowedHosts.map { host in
            let lowered = host.lowercased()
            return lowered.contains(":") && !lowered.hasPrefix("[") ? "[\(lowered)]" : lowered
        })
        self.token = token
    }

    /// Throws the answer refusing the request; returns when it may reach the control plane.
    ///
    /// With `target` (the request's parsed target) two things a browser needs are allowed under
    /// `--control-token`: the board's own files (`GET /_mock/ui`, `/_mock/ui/*`: static, no state)
    /// need no token, and a `GET` may carry the token as the `token` query parameter instead of
    /// the header, because a page cannot set headers on `EventSource` or on its own address
    /// (`/_mock/ui?token=T`, as Jupyter does). Host and Origin are checked on every request.
    public func admit(_ request: HTTPRequest, target: RequestTarget? = nil) throws(GitHubError) {
        let host = request.headers["Host"]
        if let host {
            guard let name = Self.name(ofHost: host), Self.loopbackHosts.contains(name) || allowedHosts.contains(name) else {
                throw Self.forbidden(
                    "The control API answers requests addressed to localhost, 127.0.0.1, [::1] or the address it listens on, not to Host '\(host)'. Address it by one of those, or start concurrency-mock with --allow-host NAME for a name of yours.")
            }
        }
        if let origin = request.headers["Origin"], host.map({ !Self.isOrigin(origin, of: $0) }) ?? true {
            throw Self.forbidden(
                "The control API refuses requests from web pages of another origin (Origin '\(origin)'). Call it from a test, a script or curl, which send no Origin header.")
        }
        if let token, !Self.presents(token, in: request.headers["Authorization"]), !Self.isTokenFree(request, target),
           !(request.method == "GET" && target?.query["token"].map({ Self.equal($0, token) }) == true) {
            throw GitHubError(
                status: 401,
                message: "The control API needs the token concurrency-mock was started with: send Authorization: Bearer <the --control-token value>.",
                documentationURL: DocumentationURL.controlAPI,
                headers: HTTPHeaders([("WWW-Authenticate", #"Bearer realm="concurrency-mock control API""#)]))
        }
    }

    private static func forbidden(_ message: String) -> GitHubError {
        GitHubError(status: 403, message: message, documentationURL: DocumentationURL.controlAPI)
    }

    /// The lowercased name of a `Host` value without its port (`[::1]` keeps its brackets), or
    /// `nil` when the value is not `name` or `name:port`.
    static func name(ofHost host: String) -> String? {
        let value = Substring(host).trimmingSpaces.lowercased()
        let name: Substring
        let rest: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return nil }
            name = value[...close]
            rest = value[value.index(after: close)...]
        } else if let colon = value.firstIndex(of: ":") {
            name = value[..<colon]
            rest = value[colon...]
        } else {
            name = value[...]
            rest = ""
        }
        let port = rest.dropFirst()
        guard !name.isEmpty, rest.isEmpty || (rest.first == ":" && !port.isEmpty && port.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }) else {
            return nil
        }
        return String(name)
    }

    /// Whether `origin` is the origin of a page this server itself served at `host`.
    private static func isOrigin(_ origin: String, of host: String) -> Bool {
        origin.lowercased() == "http://" + Substring(host).trimmingSpaces.lowercased()
    }

    /// Whether the `Authorization` value is `Bearer <token>`, compared in constant time.
    private static func presents(_ token: String, in authorization: String?) -> Bool {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else { return false }
        return equal(String(authorization.dropFirst(7)), token)
    }

    /// `given == expected`, in time independent of where they differ.
    private static func equal(_ given: String, _ expected: String) -> Bool {
        let given = Array(given.utf8)
        let expected = Array(expected.utf8)
        guard given.count == expected.count else { return false }
        return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The board's static files: `GET /_mock/ui` and `GET /_mock/ui/<file>`.
    private static func isTokenFree(_ request: HTTPRequest, _ target: RequestTarget?) -> Bool {
        guard request.method == "GET", let segments = target?.segments, segments.count <= 3, segments.count >= 2 else { return false }
        return segments[0] == "_mock" && segments[1] == "ui"
    }
}
