import ControlAPI
import GitHubREST
import Server
import StateDocuments
import ConcurrencySimulator
import MockHTTP
import Testing

/// `/_mock` is out of a web page's reach: foreign Origin or Host → 403, and with a control token
/// nothing passes without it (401). GitHub's paths answer whatever the Host.
@Suite struct ControlPlaneGuardTests {
    static func hostMessage(_ host: String) -> String {
        "The control API answers requests addressed to localhost, 127.0.0.1, [::1] or the address it listens on, not to Host '\(host)'. Address it by one of those, or start concurrency-mock with --allow-host NAME for a name of yours."
    }
    static func originMessage(_ origin: String) -> String {
        "The control API refuses requests from web pages of another origin (Origin '\(origin)'). Call it from a test, a script or curl, which send no Origin header."
    }
    static let tokenMessage = "The control API needs the token concurrency-mock was started with: send Authorization: Bearer <the --control-token value>."

    static func body(_ status: Int, _ message: String) -> String {
        #"{"message":\#(CursorTamperingTests.json(message)),"documentation_url":"README.md#control-api","status":"\#(status)"}"#
    }

    /// The docs example behind a guard as `concurrency-mock --host 192.0.2.7 --allow-host mock.test` sets it up.
    func server(token: String? = nil) throws -> MockServer {
        MockServer(
            state: try FixtureLoader.load(EmbeddedFixtures.docsExample, file: "docs-example.yml"),
            configuration: APIConfiguration(baseURL: apiBase),
            controlPlane: ControlPlaneGuard(allowedHosts: ["192.0.2.7", "mock.test"], token: token))
    }

    func send(_ server: MockServer, _ method: String, _ target: String, _ headers: [(String, String)], body: String = "") -> Answer {
        let response = server.respond(to: HTTPRequest(method: method, target: target, headers: HTTPHeaders(headers), body: Array(body.utf8)))
        return Answer(status: response.status, headers: response.headers, text: String(decoding: response.body, as: UTF8.self))
    }

    @Test func aCrossOriginResetFromAWebPageIsRefusedAndChangesNothing() throws {
        let server = try server()
        #expect(send(server, "POST", "/_mock/clock/advance", [("Host", "127.0.0.1:8080")], body: #"{"seconds":60}"#).status == 200)
        let before = send(server, "GET", "/_mock/state", [("Host", "127.0.0.1:8080")]).text
        let answer = send(server, "POST", "/_mock/reset", [
            ("Host", "127.0.0.1:8080"), ("Origin", "https://evil.example"), ("Content-Type", "text/plain"),
        ], body: "{}")
        #expect(answer.status == 403)
        #expect(answer.text == Self.body(403, Self.originMessage("https://evil.example")))
        #expect(send(server, "GET", "/_mock/state", [("Host", "127.0.0.1:8080")]).text == before)
        #expect(send(server, "GET", "/_mock/health", [("Host", "localhost:8080"), ("Origin", "null")]).status == 403)
    }

    @Test func aPageOfTheServersOwnOriginPasses() throws {
        let server = try server()
        #expect(send(server, "GET", "/_mock/health", [("Host", "127.0.0.1:8080"), ("Origin", "http://127.0.0.1:8080")]).status == 200)
        #expect(send(server, "GET", "/_mock/health", [("Host", "127.0.0.1:8080"), ("Origin", "http://127.0.0.1:9090")]).status == 403)
    }

    @Test(arguments: ["evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost:x", "[::1", ""])
    func aForeignHostIsRefused(_ host: String) throws {
        let answer = send(try server(), "GET", "/_mock/health", [("Host", host)])
        #expect(answer.status == 403)
        #expect(answer.text == Self.body(403, Self.hostMessage(host)))
    }

    @Test(arguments: ["localhost", "LocalHost:8080", "127.0.0.1", "127.0.0.1:8080", "[::1]", "[::1]:8080", "192.0.2.7:8080", "mock.test", "Mock.Test:443"])
    func loopbackTheBoundAddressAndAllowedHostsPass(_ host: String) throws {
        let answer = send(try server(), "GET", "/_mock/health", [("Host", host)])
        #expect(answer.status == 200)
        #expect(answer.text == #"{"status":"ok"}"#)
    }

    @Test func gitHubPathsAnswerAnyHostAndOrigin() throws {
        let answer = send(try server(token: "s3cret"), "GET", "/repos/octocat/Hello-World/actions/concurrency_groups", [
            ("Host", "evil.example"), ("Origin", "https://evil.example"),
        ])
        #expect(answer.status == 200)
        #expect(answer.groupNames == ["ci-build", "deploy-prod"])
    }

    @Test func aControlTokenIsRequiredWhenGiven() throws {
        let server = try server(token: "s3cret")
        for authorization in [nil, "Bearer wrong", "Bearer s3cret2", "token s3cret", "Bearer "] as [String?] {
            let answer = send(server, "GET", "/_mock/health", [("Host", "127.0.0.1:8080")] + (authorization.map { [("Authorization", $0)] } ?? []))
            #expect(answer.status == 401, "\(authorization ?? "no header")")
            #expect(answer.text == Self.body(401, Self.tokenMessage))
            #expect(answer.headers["WWW-Authenticate"] == #"Bearer realm="concurrency-mock control API""#)
        }
        let before = send(server, "GET", "/_mock/clock", [("Authorization", "Bearer s3cret")]).text
        #expect(send(server, "POST", "/_mock/clock/advance", [("Host", "127.0.0.1:8080")], body: #"{"seconds":60}"#).status == 401)
        #expect(send(server, "GET", "/_mock/clock", [("Authorization", "Bearer s3cret")]).text == before)
        let right = send(server, "GET", "/_mock/health", [("Host", "127.0.0.1:8080"), ("Authorization", "Bearer s3cret")])
        #expect(right.status == 200)
        #expect(send(server, "GET", "/_mock/health", [("Host", "127.0.0.1:8080"), ("Authorization", "bearer s3cret")]).status == 200)
    }

    @Test func aForeignHostIsRefusedEvenWithTheToken() throws {
        let answer = send(try server(token: "s3cret"), "GET", "/_mock/health", [("Host", "evil.example"), ("Authorization", "Bearer s3cret")])
        #expect(answer.status == 403)
    }
}
