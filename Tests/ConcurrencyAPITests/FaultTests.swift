import Foundation
import GitHubREST
import MockHTTP
import Server
import StateDocuments
import Testing

/// Faults: the rules, their answers, their counts and draws, and the state they belong to.
@Suite struct FaultTests {
    let groups = "/repos/octocat/Hello-World/actions/concurrency_groups"

    func send(_ server: MockServer, _ method: String, _ target: String, _ body: String = "") -> Answer {
        let response = server.respond(to: HTTPRequest(method: method, target: target, body: Array(body.utf8)))
        return Answer(status: response.status, headers: response.headers, text: String(decoding: response.body, as: UTF8.self))
    }

    func add(_ server: MockServer, _ body: String) -> Answer {
        let answer = send(server, "POST", "/_mock/faults", body)
        #expect(answer.status == 201, "\(answer.text)")
        return answer
    }

    @Test func aStatusFaultAnswersGitHubsBodyOnceThenTheNormalAnswer() throws {
        let server = try docsExampleServer()
        let rule = add(server, #"{"match":{"method":"GET","path":"/repos/octocat/Hello-World/actions/concurrency_groups*"},"respond":{"status":502},"delay_ms":0,"times":1,"probability":1.0}"#)
        #expect(rule.text == #"{"id":1,"match":{"method":"GET","path":"/repos/octocat/Hello-World/actions/concurrency_groups*"},"respond":{"status":502},"delay_ms":0,"times":1,"probability":1.0}"#)
        let faulted = send(server, "GET", groups + "?per_page=1")
        #expect(faulted.status == 502)
        #expect(faulted.text == #"{"message":"Server Error","documentation_url":"https://docs.github.com/rest","status":"502"}"#)
        #expect(faulted.headers["X-GitHub-Request-Id"] != nil)
        #expect(send(server, "GET", groups).status == 200)
        #expect(send(server, "GET", "/_mock/faults").text == #"{"faults":[]}"#)
        let journal = send(server, "GET", "/_mock/requests").json["requests"] as? [[String: Any]] ?? []
        #expect(journal.map { $0["status"] as? Int } == [502, 200])
        #expect((journal[0]["fault"] as? [String: Any])?["kind"] as? String == "status")
    }

    @Test(arguments: [(500, "Server Error"), (503, "Service Unavailable"), (429, "Too Many Requests"), (418, "Status 418")])
    func eachStatusHasItsMessage(status: Int, message: String) throws {
        let server = try docsExampleServer()
        _ = add(server, #"{"respond":{"status":\#(status)}}"#)
        let answer = send(server, "GET", "/versions")
        #expect(answer.status == status)
        #expect(answer.json["message"] as? String == message)
        #expect(answer.json["status"] as? String == String(status))
    }

    @Test func aSecondaryRateLimitIsGitHubs403WithRetryAfter() throws {
        let server = try docsExampleServer()
        _ = add(server, #"{"respond":{"secondary_rate_limit":{"retry_after":60}}}"#)
        let answer = send(server, "GET", groups)
        #expect(answer.status == 403)
        #expect(answer.headers["Retry-After"] == "60")
        let message = answer.json["message"] as? String ?? ""
        #expect(message.hasPrefix("You have exceeded a secondary rate limit. Please wait a few minutes before you try again."))
        #expect(message.contains(answer.headers["X-GitHub-Request-Id"] ?? "?"))
    }

    @Test func dropsAndDelaysAreRepliesForTheTransport() throws {
        let server = try docsExampleServer()
        _ = add(server, #"{"match":{"path":"/versions"},"respond":{"drop":true},"delay_ms":5,"times":1}"#)
        _ = add(server, #"{"match":{"path":"/versions"},"delay_ms":250,"times":1}"#)
        guard case .drop(let dropDelay) = server.reply(to: HTTPRequest(method: "GET", target: "/versions")) else {
            Issue.record("not a drop")
            return
        }
        #expect(dropDelay == 5)
        guard case .delayed(let response, let delay) = server.reply(to: HTTPRequest(method: "GET", target: "/versions")) else {
            Issue.record("not delayed")
            return
        }
        #expect(delay == 250)
        #expect(response.status == 200)
        guard case .answer = server.reply(to: HTTPRequest(method: "GET", target: "/versions")) else {
            Issue.record("a spent rule applied again")
            return
        }
        let journal = send(server, "GET", "/_mock/requests").json["requests"] as? [[String: Any]] ?? []
        #expect(journal.map { $0["status"] as? Int } == [nil, 200, 200])
        #expect(journal.map { ($0["fault"] as? [String: Any])?["kind"] as? String } == ["drop", "delay", nil])
        #expect((journal[1]["duration_us"] as? Int ?? 0) >= 250_000)
    }

    @Test func firstMatchWinsAndControlPathsAreNeverFaulted() throws {
        let server = try docsExampleServer()
        _ = add(server, #"{"match":{"method":"GET","path":"/versions"},"respond":{"status":503}}"#)
        _ = add(server, #"{"respond":{"status":500}}"#)
        #expect(send(server, "GET", "/versions").status == 503)
        #expect(send(server, "HEAD", "/versions").status == 503, "HEAD counts as GET")
        #expect(send(server, "GET", groups).status == 500)
        #expect(send(server, "GET", "/_mock/health").status == 200)
        #expect(send(server, "DELETE", "/_mock/faults/1").status == 204)
        #expect(send(server, "GET", "/versions").status == 500)
        #expect(send(server, "DELETE", "/_mock/faults").status == 204)
        #expect(send(server, "GET", "/versions").status == 200)
    }

    @Test func probabilitiesDrawFromTheSeed() throws {
        func pattern(seed: UInt64) throws -> [Int] {
            let server = MockServer(state: try docsExampleServer().state, configuration: .init(baseURL: apiBase), faultSeed: seed)
            _ = add(server, #"{"respond":{"status":502},"probability":0.5}"#)
            return (0..<40).map { _ in send(server, "GET", "/versions").status }
        }
        let first = try pattern(seed: 7)
        #expect(first == (try pattern(seed: 7)))
        // A reset starts the draws over, so each test after a reset sees the same faults.
        let server = MockServer(state: try docsExampleServer().state, configuration: .init(baseURL: apiBase), faultSeed: 7)
        let rule = #"{"respond":{"status":502},"probability":0.5}"#
        _ = add(server, rule)
        _ = (0..<5).map { _ in send(server, "GET", "/versions") }
        #expect(send(server, "POST", "/_mock/reset").status == 200)
        _ = add(server, rule)
        #expect((0..<40).map { _ in send(server, "GET", "/versions").status } == first)
        #expect(first != (try pattern(seed: 8)))
        #expect(first.contains(502) && first.contains(200))
    }

    @Test(arguments: [
        (#"{"respond":{"status":302}}"#, "respond.status must be a whole number from 400 to 599"),
        (#"{"respond":{"status":502,"drop":true}}"#, "respond must hold exactly one of status, secondary_rate_limit, drop"),
        (#"{"respond":{"drop":false}}"#, "respond.drop must be true"),
        (#"{"delay_ms":30001}"#, "delay_ms must be a whole number from 0 to 30000"),
        (#"{"times":0}"#, "times must be a whole number from 1"),
        (#"{"probability":1.5}"#, "probability must be a number from 0 to 1"),
        (#"{"match":{"path":"repos"}}"#, "match.path must start with '/'"),
        (#"{"match":{"path":"/a*b"}}"#, "'*' only at its end"),
        (#"{"match":{"path":"/_mock/health"}}"#, "faults apply to GitHub's paths only"),
        (#"{"match":{"method":"G T"}}"#, "match.method must be an HTTP method"),
        (#"{"id":3}"#, "unknown key 'id'"),
        (#"{"respond":"#, "invalid YAML"),
    ])
    func badRulesAreRefusedAndChangeNothing(body: String, message: String) throws {
        let server = try docsExampleServer()
        _ = add(server, #"{"respond":{"status":500},"times":2}"#)
        let before = send(server, "GET", "/_mock/faults").text
        let answer = send(server, "POST", "/_mock/faults", body)
        #expect(answer.status == 422)
        #expect(answer.json["message"] as? String == "Validation Failed")
        let issue = (answer.json["errors"] as? [[String: Any]])?.first
        let text = (issue?["message"] as? String) ?? ""
        #expect(text.contains(message), "\(answer.text)")
        #expect(answer.json["documentation_url"] as? String == DocumentationURL.controlAPI)
        #expect(send(server, "GET", "/_mock/faults").text == before)
    }

    @Test func unknownIdsAndWrongMethodsChangeNothing() throws {
        let server = try docsExampleServer()
        _ = add(server, #"{"respond":{"status":500}}"#)
        let before = send(server, "GET", "/_mock/faults").text
        #expect(send(server, "DELETE", "/_mock/faults/2").status == 404)
        #expect(send(server, "DELETE", "/_mock/faults/abc").status == 404)
        #expect(send(server, "GET", "/_mock/faults/1").status == 405)
        #expect(send(server, "PUT", "/_mock/faults").status == 405)
        #expect(send(server, "GET", "/_mock/faults").text == before)
    }

    @Test func theRuleLimitHolds() throws {
        let server = try docsExampleServer()
        for _ in 0..<FaultRules.maximumCount { _ = add(server, #"{"respond":{"status":500}}"#) }
        let refused = send(server, "POST", "/_mock/faults", #"{"respond":{"status":500}}"#)
        #expect(refused.status == 422)
        #expect((send(server, "GET", "/_mock/faults").json["faults"] as? [Any])?.count == FaultRules.maximumCount)
    }

    @Test func faultsBelongToTheStateFixturesExportAndReset() throws {
        let fixture = """
            now: "2026-01-15T16:00:00Z"
            faults:
              - { match: { path: /versions }, respond: { status: 504 }, times: 2 }
              - { id: 9, respond: { secondary_rate_limit: { retry_after: 5 } }, probability: 0.25, delay_ms: 10 }
            """
        let server = MockServer(state: try FixtureLoader.load(fixture, file: "f.yml"), configuration: .init(baseURL: apiBase))
        let listed = send(server, "GET", "/_mock/faults").text
        #expect(listed == #"{"faults":[{"id":1,"match":{"method":null,"path":"/versions"},"respond":{"status":504},"delay_ms":0,"times":2,"probability":1.0},{"id":9,"match":{"method":null,"path":null},"respond":{"secondary_rate_limit":{"retry_after":5}},"delay_ms":10,"times":null,"probability":0.25}]}"#)
        #expect(send(server, "GET", "/versions").status == 504)
        let exported = send(server, "GET", "/_mock/state")
        #expect(exported.text.contains(#""faults":[{"id":1,"match":{"method":null,"path":"/versions"},"respond":{"status":504},"delay_ms":0,"times":1,"#))
        // The export loads back with the same rules and ids.
        let second = MockServer(state: try FixtureLoader.load(exported.text, file: "export.json"), configuration: .init(baseURL: apiBase))
        #expect(send(second, "GET", "/_mock/faults").text == send(server, "GET", "/_mock/faults").text)
        #expect(send(second, "POST", "/_mock/faults", "{}").json["id"] as? Int == 10)
        // A reset brings back the fixture's rules with their counts.
        #expect(send(server, "POST", "/_mock/reset").status == 200)
        #expect(send(server, "GET", "/_mock/faults").text == listed)
        #expect(throws: (any Error).self) {
            try FixtureLoader.load("now: \"2026-01-15T16:00:00Z\"\nfaults:\n  - { id: 2 }\n  - { id: 2 }\n", file: "f.yml")
        }
    }
}
