import Foundation
import Testing

/// `--allow-host` and `--control-token` through the real binary: the control plane refuses web
/// pages and foreign names, GitHub's paths do not.
@Suite struct ControlPlaneGuardEndToEndTests {
    @Test func theControlPlaneRefusesForeignOriginsHostsAndMissingTokens() throws {
        try withServer(arguments: ["--allow-host", "mock.test", "--control-token", "s3cret"]) { server in
            let connection = try server.connect()
            let port = try #require(server.port)
            let token = ("Authorization", "Bearer s3cret")
            let crossOrigin = try connection.request(
                "POST", "/_mock/reset", headers: [("Origin", "https://evil.example"), ("Content-Type", "text/plain"), token], body: Array("{}".utf8))
            #expect(crossOrigin.status == 403)
            #expect(crossOrigin.bodyText == #"{"message":"The control API refuses requests from web pages of another origin (Origin 'https://evil.example'). Call it from a test, a script or curl, which send no Origin header.","documentation_url":"README.md#control-api","status":"403"}"#)
            let foreignHost = try connection.get("/_mock/health", headers: [("Host", "evil.example:\(port)"), token])
            #expect(foreignHost.status == 403)
            #expect(foreignHost.bodyText == #"{"message":"The control API answers requests addressed to localhost, 127.0.0.1, [::1] or the address it listens on, not to Host 'evil.example:\#(port)'. Address it by one of those, or start concurrency-mock with --allow-host NAME for a name of yours.","documentation_url":"README.md#control-api","status":"403"}"#)
            let noToken = try connection.get("/_mock/health")
            #expect(noToken.status == 401)
            #expect(noToken.header("WWW-Authenticate") == #"Bearer realm="concurrency-mock control API""#)
            #expect(try connection.get("/_mock/health", headers: [("Host", "mock.test:\(port)"), token]).status == 200)
            #expect(try connection.get("/_mock/health", headers: [token]).bodyText == #"{"status":"ok"}"#)
            let github = try connection.get("/repos/octocat/Hello-World/actions/concurrency_groups", headers: [("Host", "evil.example"), ("Origin", "https://evil.example")])
            #expect(github.status == 200)
        }
    }
}
