import ControlAPI
import Foundation
import GitHubREST
import MockHTTP
import Server
import StateDocuments
import Testing

/// `GET /_mock/ui`: the board's three files, compiled in (and the same as in Sources/ControlAPI/Board/),
/// and what `--control-token` asks of them.
/// (The page itself is tested in a real browser: Tests/board, run by scripts/board-test.)
@Suite struct BoardTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/ControlAPI/Board")

    func server(token: String? = nil) throws -> MockServer {
        MockServer(
            state: try FixtureLoader.load(EmbeddedFixtures.docsExample, file: "docs-example.yml"),
            configuration: APIConfiguration(baseURL: apiBase),
            controlPlane: ControlPlaneGuard(token: token))
    }

    @Test(arguments: [
        ("/_mock/ui", "index.html", "text/html; charset=utf-8"),
        ("/_mock/ui/", "index.html", "text/html; charset=utf-8"),
        ("/_mock/ui/board.js", "board.js", "text/javascript; charset=utf-8"),
        ("/_mock/ui/board.css", "board.css", "text/css; charset=utf-8"),
    ])
    func theFilesAreServedAsBuiltIn(_ target: String, _ file: String, _ type: String) throws {
        let answer = get(try server(), target, headers: [("Host", "127.0.0.1:8080")])
        #expect(answer.status == 200)
        #expect(answer.headers["Content-Type"] == type)
        #expect(answer.headers["Content-Security-Policy"]?.hasPrefix("default-src 'none'; script-src 'self'") == true)
        #expect(answer.text == (try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)),
                "run scripts/embed-fixtures after editing Sources/ControlAPI/Board/\(file)")
    }

    @Test func otherFilesAndMethodsAreRefused() throws {
        let server = try server()
        #expect(get(server, "/_mock/ui/index.html").status == 404)
        #expect(get(server, "/_mock/ui/board.js/x").status == 404)
        let post = get(server, "/_mock/ui", method: "POST")
        #expect(post.status == 405)
        #expect(post.headers["Allow"] == "GET")
    }

    @Test func underAControlTokenThePageLoadsAndItsRequestsNeedTheToken() throws {
        let server = try server(token: "s3cret")
        let host = ("Host", "127.0.0.1:8080")
        // The static files carry nothing of the state: the page loads and says how to open it.
        #expect(get(server, "/_mock/ui", headers: [host]).status == 200)
        #expect(get(server, "/_mock/ui/board.js", headers: [host]).status == 200)
        #expect(get(server, "/_mock/state", headers: [host]).status == 401)
        // A GET may carry it as ?token= (EventSource cannot set headers); nothing else may.
        #expect(get(server, "/_mock/events?token=s3cret", headers: [host]).status == 200)
        #expect(get(server, "/_mock/events?token=s3cre", headers: [host]).status == 401)
        #expect(get(server, "/_mock/reset?token=s3cret", headers: [host], method: "POST").status == 401)
        #expect(get(server, "/_mock/state", headers: [host, ("Authorization", "Bearer s3cret")]).status == 200)
        // Host and Origin are checked on the page too.
        #expect(get(server, "/_mock/ui", headers: [("Host", "evil.example")]).status == 403)
    }
}
