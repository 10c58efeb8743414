import ControlAPI
import Foundation
import MockHTTP
import Server
import Testing

/// The request journal: what each request asked and got, its filters, its bound.
@Suite struct RequestJournalTests {
    func send(_ server: MockServer, _ method: String, _ target: String, headers: [(String, String)] = [], body: String = "") -> Answer {
        let response = server.respond(to: HTTPRequest(
            method: method, target: target, headers: HTTPHeaders(headers), body: Array(body.utf8), remoteAddress: "10.0.0.7"))
        return Answer(status: response.status, headers: response.headers, text: String(decoding: response.body, as: UTF8.self))
    }

    func requests(_ answer: Answer) -> [[String: Any]] { answer.json["requests"] as? [[String: Any]] ?? [] }

    @Test func aGitHubRequestIsRecordedWithItsQueryHeadersAndAMaskedToken() throws {
        let server = try docsExampleServer()
        let answer = send(server, "GET", "/repos/octocat/Hello-World/actions/concurrency_groups?per_page=1&per_page=2&after=x%20y", headers: [
            ("Authorization", "Bearer ghp_abcdefghij1234"), ("User-Agent", "octokit"), ("X-Custom", "a"), ("x-custom", "b"),
        ])
        #expect(answer.status == 422)
        let journal = send(server, "GET", "/_mock/requests")
        #expect(journal.status == 200)
        #expect(journal.json["total_count"] as? Int == 1)
        let entry = try #require(requests(journal).first)
        #expect(entry["seq"] as? Int == 1)
        #expect(entry["method"] as? String == "GET")
        #expect(entry["path"] as? String == "/repos/octocat/Hello-World/actions/concurrency_groups")
        #expect(entry["query"] as? [String: String] == ["per_page": "2", "after": "x y"])
        #expect(entry["status"] as? Int == 422)
        #expect(entry["headers"] as? [String: String] == ["authorization": "Bearer ****1234", "user-agent": "octokit", "x-custom": "a, b"])
        #expect(entry["body"] is NSNull)
        #expect(entry["remote_address"] as? String == "10.0.0.7")
        #expect(entry["fault"] is NSNull)
        #expect(entry["at"] as? String == "2026-01-15T16:15:00Z")
        #expect(entry["duration_us"] is Int)
        #expect(Set(entry.keys) == ["seq", "at", "method", "path", "query", "status", "headers", "body", "duration_us", "remote_address", "fault"])
    }

    @Test func controlRequestsShowOnlyWhenAskedAndBodiesAreCutAt64KiB() throws {
        let server = try docsExampleServer()
        _ = send(server, "GET", "/versions")
        let big = String(repeating: "x", count: RequestJournal.maximumBodyBytes + 10)
        _ = send(server, "PUT", "/_mock/clock", body: big)
        #expect(requests(send(server, "GET", "/_mock/requests")).map { $0["path"] as? String } == ["/versions"])
        let all = requests(send(server, "GET", "/_mock/requests?include_control=true"))
        #expect(all.map { $0["path"] as? String } == ["/versions", "/_mock/clock", "/_mock/requests"])
        #expect((all[1]["body"] as? String)?.utf8.count == RequestJournal.maximumBodyBytes)
        #expect(all[1]["status"] as? Int == 422)
    }

    @Test func filtersSelectByMethodPathPrefixStatusAndSince() throws {
        let server = try docsExampleServer()
        _ = send(server, "GET", "/versions")
        _ = send(server, "HEAD", "/repos/octocat/Hello-World/actions/concurrency_groups")
        _ = send(server, "GET", "/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod")
        _ = send(server, "GET", "/repos/octocat/nope/actions/concurrency_groups")
        func paths(_ query: String) -> [String] {
            requests(send(server, "GET", "/_mock/requests?\(query)")).map { "\($0["method"] as? String ?? "") \($0["path"] as? String ?? "") \($0["status"] as? Int ?? 0)" }
        }
        #expect(paths("method=head") == ["HEAD /repos/octocat/Hello-World/actions/concurrency_groups 200"])
        #expect(paths("path=/repos/octocat/Hello-World/*") == [
            "HEAD /repos/octocat/Hello-World/actions/concurrency_groups 200",
            "GET /repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod 200",
        ])
        #expect(paths("path=/versions") == ["GET /versions 200"])
        #expect(paths("status=404") == ["GET /repos/octocat/nope/actions/concurrency_groups 404"])
        #expect(paths("since=3") == ["GET /repos/octocat/nope/actions/concurrency_groups 404"])
    }

    @Test func badFiltersAreRefusedAndDeleteEmptiesTheJournal() throws {
        let server = try docsExampleServer()
        _ = send(server, "GET", "/versions")
        for (query, field) in [("status=abc", "status"), ("status=99", "status"), ("since=-1", "since"), ("path=repos", "path"),
                               ("include_control=yes", "include_control"), ("method=", "method")] {
            let answer = send(server, "GET", "/_mock/requests?\(query)")
            #expect(answer.status == 422, "\(query)")
            let errors = answer.json["errors"] as? [[String: Any]]
            #expect(errors?.first?["field"] as? String == field, "\(query)")
        }
        #expect(send(server, "POST", "/_mock/requests").status == 405)
        #expect(send(server, "GET", "/_mock/requests").json["total_count"] as? Int == 1)
        #expect(send(server, "DELETE", "/_mock/requests").status == 204)
        #expect(send(server, "GET", "/_mock/requests").json["total_count"] as? Int == 0)
        // Numbering goes on after emptying.
        _ = send(server, "GET", "/versions")
        #expect((requests(send(server, "GET", "/_mock/requests")).first?["seq"] as? Int ?? 0) > 1)
    }

    @Test func theJournalKeepsItsSize() throws {
        let server = MockServer(state: try docsExampleServer().state, configuration: .init(baseURL: apiBase), requestJournalSize: 5)
        for _ in 0..<12 { _ = send(server, "GET", "/versions") }
        let kept = server.requestJournal.entries.map(\.sequenceNumber)
        #expect(kept == [8, 9, 10, 11, 12])
    }

    @Test func theStateExportHoldsNoJournal() throws {
        let server = try docsExampleServer()
        _ = send(server, "GET", "/versions")
        let state = send(server, "GET", "/_mock/state").json
        #expect(state["requests"] == nil)
        #expect(state["events"] == nil)
    }
}
