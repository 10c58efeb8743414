import ConcurrencySimulator
import GitHubREST
import MockHTTP
import Server
import StateDocuments
import Testing
import Workflows

/// Authentication, visibility, conditional requests and rate limits, as GitHub's REST API does them.
@Suite struct FidelityTests {
    static let fixture = """
        now: "2026-01-15T16:00:00Z"
        frozen: true
        tokens:
          - { token: ghp_repo, type: classic, scopes: [repo, workflow] }
          - { token: ghp_public, type: classic, scopes: [public_repo] }
          - { token: gho_app, type: oauth_app, scopes: [repo] }
          - { token: github_pat_one, type: fine_grained, repositories: [acme/secret], permissions: { actions: read } }
          - { token: github_pat_other, type: fine_grained, repositories: [acme/open], permissions: { actions: write } }
          - { token: github_pat_noactions, type: fine_grained, repositories: all, permissions: { actions: none } }
          - { token: ghs_all, type: installation, repositories: all, permissions: { actions: read }, user_id: 42 }
          - { token: ghs_open, type: installation, repositories: [acme/open], permissions: { actions: read } }
        repositories:
          - owner: acme
            name: secret
            visibility: private
            runs: [{ id: 1, name: CI }]
            concurrency_groups:
              - { name: deploy, queue: [{ run: 1, waiting_since: "2026-01-15T15:00:00Z", acquired_at: "2026-01-15T15:00:00Z" }] }
          - owner: acme
            name: open
        """

    func server(_ fixture: String = Self.fixture) throws -> MockServer {
        MockServer(state: try FixtureLoader.load(fixture, file: "auth.yml"), configuration: APIConfiguration(baseURL: apiBase))
    }

    func get(_ server: MockServer, _ target: String, token: String? = nil, scheme: String = "Bearer", headers: [(String, String)] = []) -> Answer {
        var all = headers
        if let token { all.append(("Authorization", "\(scheme) \(token)")) }
        return ConcurrencyAPITests.get(server, target, headers: all)
    }

    static let secretTargets = [
        "/repos/acme/secret/actions/concurrency_groups",
        "/repos/acme/secret/actions/concurrency_groups/deploy",
        "/repos/acme/secret/actions/runs/1/concurrency_groups",
    ]

    @Test(arguments: [
        (nil, false), ("ghp_repo", true), ("ghp_public", false), ("gho_app", true), ("github_pat_one", true),
        ("github_pat_other", false), ("github_pat_noactions", false), ("ghs_all", true), ("ghs_open", false),
        ("unknown-dummy-token", true),
    ] as [(String?, Bool)])
    func aPrivateRepositoryIsReadOnlyWithTheRightToken(_ token: String?, _ readable: Bool) throws {
        let server = try server()
        for target in Self.secretTargets {
            let answer = get(server, target, token: token)
            #expect(answer.status == (readable ? 200 : 404), "\(token ?? "no token") on \(target)")
            if !readable {
                let missing = get(server, target.replacingOccurrences(of: "secret", with: "missing"), token: token)
                #expect(answer.text == missing.text, "a private repository looks exactly like a missing one")
            }
        }
    }

    @Test func bothAuthorizationSchemesAreAccepted() throws {
        let server = try server()
        #expect(get(server, Self.secretTargets[0], token: "ghp_repo", scheme: "token").status == 200)
        #expect(get(server, Self.secretTargets[0], token: "ghp_repo", scheme: "bearer").status == 200)
    }

    @Test(arguments: ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "token", ""])
    func aMalformedAuthorizationIsBadCredentials(_ header: String) throws {
        let answer = ConcurrencyAPITests.get(try server(), "/repos/acme/open/actions/concurrency_groups", headers: [("Authorization", header)])
        #expect(answer.status == 401)
        #expect(answer.text == #"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"#)
    }

    @Test func strictModeRefusesUnknownTokensAndRequestsWithoutUserAgent() throws {
        let server = try server("auth: strict\n" + Self.fixture)
        let unknown = get(server, "/repos/acme/open/actions/concurrency_groups", token: "nobody", headers: [("User-Agent", "sdk/1")])
        #expect(unknown.status == 401)
        #expect(get(server, "/repos/acme/open/actions/concurrency_groups", token: "ghp_repo", headers: [("User-Agent", "sdk/1")]).status == 200)
        let noAgent = get(server, "/repos/acme/open/actions/concurrency_groups", token: "ghp_repo")
        #expect(noAgent.status == 403)
        #expect(noAgent.json["message"] as? String == "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.")
        #expect(try self.server().respond(to: HTTPRequest(method: "GET", target: "/repos/acme/open/actions/concurrency_groups")).status == 200, "permissive mode needs no User-Agent")
    }

    @Test func classicTokensSeeTheirScopes() throws {
        let answer = get(try server(), Self.secretTargets[0], token: "ghp_repo")
        #expect(answer.headers["X-OAuth-Scopes"] == "repo, workflow")
        #expect(answer.headers["X-Accepted-OAuth-Scopes"] == "repo")
        #expect(get(try server(), Self.secretTargets[0], token: "ghs_all").headers["X-OAuth-Scopes"] == nil)
    }

    @Test func anETagChangesExactlyWhenTheRepresentationDoes() throws {
        let server = try server()
        let target = "/repos/acme/secret/actions/concurrency_groups"
        let first = get(server, target, token: "ghp_repo")
        let tag = try #require(first.headers["ETag"])
        #expect(tag.hasPrefix("W/\""))
        #expect(get(server, target, token: "ghp_repo").headers["ETag"] == tag)
        let notModified = get(server, target, token: "ghp_repo", headers: [("If-None-Match", tag)])
        #expect(notModified.status == 304)
        #expect(notModified.text.isEmpty)
        #expect(notModified.headers["ETag"] == tag)
        #expect(get(server, target, token: "ghp_repo", headers: [("If-None-Match", "W/\"other\", \(tag.dropFirst(2))")]).status == 304)
        try server.simulator.addRun(in: RepositoryKey(owner: "acme", name: "secret"), id: RunID(2), name: "CI", jobs: [], configuredGroups: [])
        try server.simulator.requestLease(in: RepositoryKey(owner: "acme", name: "secret"), groupName: "other", run: RunID(2), job: nil, kind: .workflow)
        let changed = get(server, target, token: "ghp_repo", headers: [("If-None-Match", tag)])
        #expect(changed.status == 200)
        #expect(changed.headers["ETag"] != tag)
    }

    @Test func rateLimitHeadersCountPerTokenAndPerAddress() throws {
        let server = try server()
        let target = "/repos/acme/open/actions/concurrency_groups"
        let anonymous = get(server, target)
        #expect(anonymous.headers["X-RateLimit-Limit"] == "60")
        #expect(anonymous.headers["X-RateLimit-Remaining"] == "59")
        #expect(anonymous.headers["X-RateLimit-Used"] == "1")
        #expect(anonymous.headers["X-RateLimit-Resource"] == "core")
        #expect(anonymous.headers["X-RateLimit-Reset"] == String(Timestamp(rfc3339: "2026-01-15T17:00:00Z")!.secondsSinceEpoch))
        let token = get(server, target, token: "ghp_repo")
        #expect(token.headers["X-RateLimit-Limit"] == "5000")
        #expect(token.headers["X-RateLimit-Remaining"] == "4999")
        #expect(get(server, target, token: "ghp_repo").headers["X-RateLimit-Used"] == "2")
        #expect(get(server, target).headers["X-RateLimit-Used"] == "2")
    }

    @Test func anAuthenticatedNotModifiedAnswerIsFree() throws {
        let server = try server()
        let target = "/repos/acme/open/actions/concurrency_groups"
        let tag = try #require(get(server, target, token: "ghp_repo").headers["ETag"])
        let free = get(server, target, token: "ghp_repo", headers: [("If-None-Match", tag)])
        #expect(free.status == 304)
        #expect(free.headers["X-RateLimit-Used"] == "1")
        let anonymousTag = try #require(get(server, target).headers["ETag"])
        #expect(get(server, target, headers: [("If-None-Match", anonymousTag)]).headers["X-RateLimit-Used"] == "2")
    }

    @Test func anEnforcedBudgetAnswersGitHubsForbiddenUntilTheWindowResets() throws {
        let server = try server(Self.fixture.replacingOccurrences(of: "frozen: true\n", with: "frozen: true\nrate_limits: { enforce: true, anonymous: 2, authenticated: 3 }\n"))
        let target = "/repos/acme/open/actions/concurrency_groups"
        #expect(get(server, target).status == 200)
        #expect(get(server, target).status == 200)
        let limited = get(server, target)
        #expect(limited.status == 403)
        #expect(limited.text == #"{"message":"API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api","status":"403"}"#)
        #expect(limited.headers["X-RateLimit-Remaining"] == "0")
        #expect(limited.headers["Retry-After"] == nil)
        #expect(get(server, target, token: "ghs_all").status == 200, "a token has its own budget")
        for _ in 0..<2 { _ = get(server, target, token: "ghs_all") }
        #expect(get(server, target, token: "ghs_all").json["message"] as? String == "API rate limit exceeded for user ID 42.")
        #expect(ConcurrencyAPITests.get(server, "/_mock/clock/advance", method: "POST").status == 422, "seconds are required")
        let advance = server.respond(to: HTTPRequest(method: "POST", target: "/_mock/clock/advance", body: Array(#"{"seconds":3600}"#.utf8)))
        #expect(advance.status == 200)
        #expect(get(server, target).status == 200, "a new window")
        for _ in 0..<2 { _ = get(server, target) }
        let reset = server.respond(to: HTTPRequest(method: "POST", target: "/_mock/rate_limits/reset"))
        #expect(reset.status == 200)
        #expect(get(server, target).headers["X-RateLimit-Used"] == "1")
    }

    @Test func versionsListsTheServedVersions() throws {
        let answer = get(try server(), "/versions")
        #expect(answer.status == 200)
        #expect(answer.text == #"["2022-11-28","2026-03-10"]"#)
    }

    @Test func tokensCanBeManagedThroughTheControlAPI() throws {
        let server = try server()
        func send(_ method: String, _ target: String, _ body: String = "") -> Answer {
            let response = server.respond(to: HTTPRequest(method: method, target: target, body: Array(body.utf8)))
            return Answer(status: response.status, headers: response.headers, text: String(decoding: response.body, as: UTF8.self))
        }
        let put = send("PUT", "/_mock/tokens/new-token", #"{"type":"fine_grained","repositories":["acme/secret"],"permissions":{"actions":"read"}}"#)
        #expect(put.status == 201)
        #expect(put.text == #"{"token":"new-token","type":"fine_grained","repositories":["acme/secret"],"permissions":{"actions":"read"},"user_id":1}"#)
        #expect(get(server, Self.secretTargets[0], token: "new-token").status == 200)
        #expect(send("PUT", "/_mock/tokens/bad", #"{"type":"classic","permissions":{"actions":"read"}}"#).status == 422)
        #expect(send("PUT", "/_mock/auth", #"{"mode":"strict"}"#).text == #"{"mode":"strict"}"#)
        #expect(send("DELETE", "/_mock/tokens/new-token").status == 204)
        #expect(get(server, Self.secretTargets[0], token: "new-token", headers: [("User-Agent", "x")]).status == 401)
        #expect(send("DELETE", "/_mock/tokens/new-token").status == 404)
        #expect(send("PUT", "/_mock/rate_limits", #"{"enforce":true,"anonymous":1}"#).text == #"{"enforce":true,"authenticated":5000,"anonymous":1}"#)
    }
}
