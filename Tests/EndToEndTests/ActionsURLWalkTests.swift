import Foundation
import Testing

/// Through the binary over HTTP: every URL GitHub's answers hand out resolves, from the docs
/// example and from a live scenario driven by GitHub's own write operations.
@Suite struct ActionsURLWalkTests {
    static let base = "https://api.github.com"

    /// Follows `*_url` fields of Actions resources from the group list until nothing new turns up;
    /// a `jobs_url` is also read with `filter=all` and a `previous_attempt_url` with `/jobs`, so
    /// the jobs of earlier attempts are walked too.
    static func walk(_ connection: HTTPConnection, from start: String) throws -> [String: Int] {
        var statuses: [String: Int] = [:]
        var queue = [start]
        let followed: Set<String> = ["group_url", "run_url", "job_url", "position_url", "workflow_url", "jobs_url", "previous_attempt_url", "url"]
        while let target = queue.popLast() {
            guard statuses[target] == nil else { continue }
            let response = try connection.get(target, headers: [("Authorization", "token any")])
            statuses[target] = response.status
            guard response.status == 200 else { continue }
            func visit(_ value: JSONValue, key: String?) {
                switch value {
                case .object(let object):
                    for (key, value) in object where !["repository", "head_repository", "actor", "triggering_actor"].contains(key) {
                        visit(value, key: key)
                    }
                case .array(let array):
                    for element in array { visit(element, key: nil) }
                case .string(let url):
                    if let key, followed.contains(key), let target = requestTarget(of: url, onBase: base), target.contains("/actions/") {
                        queue.append(target)
                        if key == "jobs_url" { queue.append(target + "?filter=all") }
                        if key == "previous_attempt_url" { queue.append(target + "/jobs") }
                    }
                default:
                    break
                }
            }
            visit(try response.json(), key: nil)
        }
        return statuses
    }

    @Test func everyURLOfTheDocsExampleAnswers200() throws {
        try withServer(arguments: ["--base-url", Self.base]) { server in
            let statuses = try Self.walk(try server.connect(), from: "/repos/octocat/Hello-World/actions/concurrency_groups")
            #expect(statuses.filter { $0.value != 200 }.isEmpty, "\(statuses.filter { $0.value != 200 })")
            #expect(statuses["/repos/octocat/Hello-World/actions/jobs/798245261"] == 200)
            #expect(statuses["/repos/octocat/Hello-World/actions/runs/30433642/jobs"] == 200)
            #expect(statuses.count >= 20)
        }
    }

    @Test func aDispatchedQueueWalksThroughGitHubsOperations() throws {
        let fixture = """
            now: "2026-03-01T09:00:00Z"
            frozen: true
            run_id_start: 500
            job_id_start: 5000
            repositories:
              - owner: acme
                name: shop
                workflows:
                  - file: deploy.yml
                    source: |
                      name: Deploy
                      on: workflow_dispatch
                      concurrency: deploy-${{ github.ref_name }}
                      jobs:
                        deploy:
                          concurrency: { group: env, queue: max }
                          steps: [{ run: ./deploy }]
            """
        try withServer(yaml: fixture, arguments: ["--base-url", Self.base]) { server in
            let connection = try server.connect()
            let headers = [("Authorization", "Bearer ghp_any"), ("Content-Type", "application/json")]
            for _ in 0..<2 {
                let dispatch = try connection.request(
                    "POST", "/repos/acme/shop/actions/workflows/deploy.yml/dispatches", headers: headers + [("X-GitHub-Api-Version", "2026-03-10")],
                    body: Array(#"{"ref":"main"}"#.utf8))
                #expect(dispatch.status == 200)
            }
            #expect(try connection.get("/repos/acme/shop/actions/runs/501").json()["status"]?.stringValue == "pending")
            #expect(try connection.request("POST", "/repos/acme/shop/actions/runs/500/cancel", headers: headers).status == 202)
            #expect(try connection.get("/repos/acme/shop/actions/runs/501").json()["status"]?.stringValue == "in_progress")
            #expect(try connection.request("POST", "/repos/acme/shop/actions/runs/500/rerun", headers: headers).status == 201)
            let statuses = try Self.walk(connection, from: "/repos/acme/shop/actions/concurrency_groups")
            #expect(statuses.filter { $0.value != 200 }.isEmpty, "\(statuses.filter { $0.value != 200 })")
            #expect(statuses["/repos/acme/shop/actions/runs/500/attempts/1"] == 200)
            // The re-run's deploy job is 5002; attempt 1's, 5000, is still served.
            #expect(statuses["/repos/acme/shop/actions/runs/500/attempts/1/jobs"] == 200)
            #expect(statuses["/repos/acme/shop/actions/jobs/5000"] == 200)
            #expect(statuses["/repos/acme/shop/actions/jobs/5002"] == 200)
        }
    }
}
