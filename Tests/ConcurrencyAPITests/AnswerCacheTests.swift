import ConcurrencySimulator
import MockHTTP
import Server
import Testing

/// Answers of an unchanged state are reused; any change of state, and any caller who may not
/// read the repository, gets a fresh answer.
@Suite struct AnswerCacheTests {
    let groupPath = "/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod"

    @Test func aControlChangeIsSeenByTheNextRead() throws {
        let server = try docsExampleServer()
        let before = get(server, groupPath)
        #expect(before.status == 200)
        #expect((before.json["group_members"] as? [Any])?.count == 3)
        let cancelled = get(server, "/_mock/repos/octocat/Hello-World/runs/30433642/cancel", method: "POST")
        #expect(cancelled.status == 200, "\(cancelled.text)")
        let after = get(server, groupPath)
        #expect((after.json["group_members"] as? [Any])?.count == 2)
        #expect(after.headers["ETag"] != before.headers["ETag"])
    }

    @Test func aChangeMadeInPlaceOnTheSimulatorIsSeenByTheNextRead() throws {
        let server = try docsExampleServer()
        #expect(get(server, groupPath).status == 200)
        try server.simulator.cancelRun(RunID(30433642), reason: "test")
        #expect((get(server, groupPath).json["group_members"] as? [Any])?.count == 2)
    }

    @Test func theSameAnswerComesBackByteForByte() throws {
        let server = try docsExampleServer()
        let first = get(server, groupPath + "?ahead_of_run=30433643")
        let second = get(server, groupPath + "?ahead_of_run=30433643")
        #expect(first.text == second.text)
        #expect(first.headers["ETag"] == second.headers["ETag"])
        #expect(first.headers["X-RateLimit-Remaining"] == "59")
        #expect(second.headers["X-RateLimit-Remaining"] == "58")
    }

    @Test func aKeptAnswerOfAPrivateRepositoryIsNotShownToACallerWhoMayNotReadIt() throws {
        let server = try docsExampleServer()
        let madePrivate = server.respond(to: HTTPRequest(method: "PUT", target: "/_mock/repos/octocat/Hello-World", body: Array(#"{"visibility":"private"}"#.utf8)))
        #expect(madePrivate.status == 200)
        let withToken = get(server, groupPath, headers: [("Authorization", "Bearer anything")])
        #expect(withToken.status == 200)
        let anonymous = get(server, groupPath)
        #expect(anonymous.status == 404)
        #expect(anonymous.text == notFoundBody("https://docs.github.com/rest/actions/concurrency-groups#get-a-concurrency-group-for-a-repository"))
    }

    @Test func theVersionAskedForIsPartOfTheKey() throws {
        let server = try docsExampleServer()
        let old = get(server, groupPath, headers: [("X-GitHub-Api-Version", "2022-11-28")])
        let new = get(server, groupPath, headers: [("X-GitHub-Api-Version", "2026-03-10")])
        #expect(old.headers["X-GitHub-Api-Version-Selected"] == "2022-11-28")
        #expect(new.headers["X-GitHub-Api-Version-Selected"] == "2026-03-10")
    }
}
