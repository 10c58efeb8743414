import ConcurrencySimulator
import Foundation
import GitHubREST
import Server
import StateDocuments
import Testing

@Suite struct GroupAndRunAnswerTests {
    /// Repository `o/r`: groups with awkward names, a reusable-workflow call, and a run
    /// configured for a group it has left.
    static let fixture = """
        now: "2026-01-15T17:00:00Z"
        repositories:
          - owner: o
            name: r
            runs:
              - { id: 1, name: "Release", concurrency_groups: [left-behind], jobs: [{ id: 11, name: build }, { id: 12, name: call-deploy, uses: ./.github/workflows/deploy.yml, jobs: [{ id: 13, name: deploy }] }] }
              - { id: 2, name: "Release", jobs: [{ id: 21, name: build }] }
              - { id: 3, name: "Hotfix" }
            concurrency_groups:
              - name: "deploy/prod"
                queue:
                  - { run: 3, waiting_since: "2026-01-15T16:00:00Z", acquired_at: "2026-01-15T16:00:05Z" }
                  - { run: 2, job: 21, waiting_since: "2026-01-15T16:01:00Z" }
                  - { run: 1, job: 12, kind: reusable_workflow, waiting_since: "2026-01-15T16:02:00Z" }
              - name: "a b#c?d%e"
                queue:
                  - { run: 1, job: 11, waiting_since: "2026-01-15T16:03:00Z" }
              - name: "Héllo"
                queue:
                  - { run: 2, waiting_since: "2026-01-15T16:04:00Z", acquired_at: "2026-01-15T16:04:00Z" }
                  - { run: 1, job: 13, waiting_since: "2026-01-15T16:05:00Z" }
        """

    func server() throws -> MockServer {
        MockServer(state: try FixtureLoader.load(Self.fixture, file: "inline.yml"), configuration: APIConfiguration(baseURL: apiBase))
    }

    @Test func groupURLsEncodeTheNameAsOneSegmentAndLeadBackToTheGroup() throws {
        let server = try server()
        let list = get(server, "/repos/o/r/actions/concurrency_groups")
        let groups = try #require(list.json["concurrency_groups"] as? [[String: Any]])
        #expect(groups.compactMap { $0["group_url"] as? String } == [
            "https://api.github.com/repos/o/r/actions/concurrency_groups/a%20b%23c%3Fd%25e",
            "https://api.github.com/repos/o/r/actions/concurrency_groups/deploy%2Fprod",
            "https://api.github.com/repos/o/r/actions/concurrency_groups/H%C3%A9llo",
        ])
        #expect(groups.map { $0["last_acquired_at"] is NSNull } == [true, false, false])
        for group in groups {
            let url = try #require(group["group_url"] as? String)
            let answer = get(server, String(url.dropFirst(apiBase.count)))
            #expect(answer.status == 200)
            #expect(answer.json["group_name"] as? String == group["group_name"] as? String)
            #expect(answer.json["group_url"] as? String == url)
        }
        #expect(get(server, "/repos/o/r/actions/concurrency_groups/h%C3%89LLO").json["group_name"] as? String == "Héllo")
    }

    @Test func aGroupWithoutARecordedAcquisitionTimeShowsNull() throws {
        let answer = get(try server(), "/repos/o/r/actions/concurrency_groups")
        #expect(answer.text.contains(#"{"group_name":"a b#c?d%e","group_url":"https://api.github.com/repos/o/r/actions/concurrency_groups/a%20b%23c%3Fd%25e","last_acquired_at":null}"#))
    }

    @Test func aheadOfReturnsTheItemsAheadPlusTheMatchLast() throws {
        let server = try server()
        let group = "/repos/o/r/actions/concurrency_groups/deploy%2Fprod"
        func members(_ query: String) -> [(Int, Int?, String)] {
            let answer = get(server, group + query)
            let members = answer.json["group_members"] as? [[String: Any]] ?? []
            #expect(answer.json["total_count"] as? Int == members.count)
            return members.map { ($0["run_id"] as! Int, $0["job_id"] as? Int, $0["status"] as! String) }
        }
        #expect(members("").map(\.0) == [3, 2, 1])
        #expect(members("?ahead_of_run=3").map(\.0) == [3])
        #expect(members("?ahead_of_run=1").map(\.0) == [3, 2, 1], "a reusable-workflow lease is held on behalf of its run")
        #expect(members("?ahead_of_job=21").map(\.1) == [nil, 21])
        #expect(members("?ahead_of_job=13").map(\.1) == [nil, 21, 12], "job 13 runs inside uses: job 12")
        #expect(members("?ahead_of_job=12").map(\.2) == ["in_progress", "pending", "pending"])
        #expect(get(server, group + "?ahead_of_run=2").status == 422, "run 2 waits only through a job-level lease")
        #expect(get(server, group + "?ahead_of_job=11").status == 422, "job 11 is a sibling of the uses: job")
    }

    @Test func jobFieldsAppearExactlyForJobAndReusableWorkflowLeases() throws {
        let answer = get(try server(), "/repos/o/r/actions/concurrency_groups/deploy%2Fprod")
        let members = try #require(answer.json["group_members"] as? [[String: Any]])
        #expect(members.map { Set($0.keys) } == [
            ["run_id", "run_name", "run_url", "run_html_url", "status"],
            ["run_id", "run_name", "run_url", "run_html_url", "job_id", "job_name", "job_url", "job_html_url", "status"],
            ["run_id", "run_name", "run_url", "run_html_url", "job_id", "job_name", "job_url", "job_html_url", "status"],
        ])
        #expect(members[2]["job_name"] as? String == "call-deploy")
        #expect(members[2]["job_html_url"] as? String == "https://github.com/o/r/actions/runs/1/job/12")
        #expect(members[2]["job_url"] as? String == "https://api.github.com/repos/o/r/actions/jobs/12")
    }

    @Test func theRunListShowsEveryConfiguredGroupWithOnlyThatRunsItems() throws {
        let answer = get(try server(), "/repos/o/r/actions/runs/1/concurrency_groups")
        #expect(answer.json["total_count"] as? Int == 4)
        #expect(answer.groupNames == ["a b#c?d%e", "deploy/prod", "Héllo", "left-behind"])
        let groups = try #require(answer.json["concurrency_groups"] as? [[String: Any]])
        let members = groups.map { ($0["group_members"] as? [[String: Any]]) ?? [] }
        #expect(members.map(\.count) == [1, 1, 1, 0])
        #expect(members.flatMap { $0 }.map { $0["run_id"] as? Int } == [1, 1, 1])
        #expect(members.flatMap { $0 }.map { $0["position"] as? Int } == [0, 2, 1])
        #expect(members.flatMap { $0 }.map { $0["status"] as? String } == ["in_progress", "pending", "pending"])
        #expect(answer.text.contains(#"{"group_name":"left-behind","group_url":"https://api.github.com/repos/o/r/actions/concurrency_groups/left-behind","group_members":[]}"#))
    }

    @Test func everyPositionURLReturnsItsItemLastWithTotalCountPositionPlusOne() throws {
        let server = try server()
        for run in [1, 2, 3] {
            let answer = get(server, "/repos/o/r/actions/runs/\(run)/concurrency_groups")
            let groups = try #require(answer.json["concurrency_groups"] as? [[String: Any]])
            for member in groups.flatMap({ ($0["group_members"] as? [[String: Any]]) ?? [] }) {
                let url = try #require(member["position_url"] as? String)
                let followed = get(server, String(url.dropFirst(apiBase.count)))
                #expect(followed.status == 200, "\(url)")
                let items = try #require(followed.json["group_members"] as? [[String: Any]])
                #expect(followed.json["total_count"] as? Int == (member["position"] as? Int).map { $0 + 1 })
                #expect(items.last?["run_id"] as? Int == member["run_id"] as? Int)
                #expect(items.last?["job_id"] as? Int == member["job_id"] as? Int)
            }
        }
    }

    @Test func headAnswersLikeGet() throws {
        let server = try server()
        let target = "/repos/o/r/actions/concurrency_groups"
        let viaGet = get(server, target)
        let viaHead = get(server, target, method: "HEAD")
        #expect(viaHead.status == 200)
        #expect(viaHead.text == viaGet.text, "the transport drops the body of a HEAD answer")
        #expect(viaHead.headers["Content-Type"] == viaGet.headers["Content-Type"])
    }
}
