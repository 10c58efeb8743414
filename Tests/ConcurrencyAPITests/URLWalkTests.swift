import ConcurrencySimulator
import Foundation
import GitHubREST
import MockHTTP
import Server
import StateDocuments
import Testing

/// Every URL an answer hands out resolves: the walk follows `group_url`, `run_url`, `job_url`,
/// `position_url`, `workflow_url`, `jobs_url` and `previous_attempt_url` from the group lists
/// until nothing new turns up, and each must answer 200. A `jobs_url` is also read with
/// `filter=all` and a `previous_attempt_url` with `/jobs`, so the jobs of earlier attempts (and
/// their own URLs) are walked too.
@Suite struct URLWalkTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Walks from each repository's group list; answers every URL visited with its status.
    static func walk(_ server: MockServer) -> [String: Int] {
        var statuses: [String: Int] = [:]
        var queue: [String] = []
        for repository in server.simulator.sortedRepositories {
            queue.append("/repos/\(URLEncoding.percentEncodeSegment(repository.owner))/\(URLEncoding.percentEncodeSegment(repository.name))/actions/concurrency_groups?per_page=100")
        }
        let followed: Set<String> = ["group_url", "run_url", "job_url", "position_url", "workflow_url", "jobs_url", "previous_attempt_url", "url"]
        while let target = queue.popLast() {
            guard statuses[target] == nil else { continue }
            let response = server.respond(to: HTTPRequest(method: "GET", target: target, headers: HTTPHeaders([("Authorization", "token any")])))
            statuses[target] = response.status
            guard response.status == 200, let json = try? JSONSerialization.jsonObject(with: Data(response.body)) else { continue }
            func visit(_ value: Any, key: String?) {
                if let object = value as? [String: Any] {
                    for (key, value) in object where !["repository", "head_repository", "actor", "triggering_actor"].contains(key) {
                        visit(value, key: key)
                    }
                } else if let array = value as? [Any] {
                    for element in array { visit(element, key: nil) }
                } else if let url = value as? String, let key, followed.contains(key), url.hasPrefix(apiBase) {
                    // Only the Actions resources the mock serves; check-suite and log URLs are not.
                    let path = String(url.dropFirst(apiBase.count))
                    guard path.contains("/actions/") else { return }
                    queue.append(path)
                    if key == "jobs_url" { queue.append(path + "?filter=all") }
                    if key == "previous_attempt_url" { queue.append(path + "/jobs") }
                }
            }
            visit(json, key: nil)
        }
        return statuses
    }

    @Test func everyURLOfTheDocsExampleResolves() throws {
        let statuses = Self.walk(try docsExampleServer())
        #expect(statuses.filter { $0.value != 200 }.isEmpty, "\(statuses.filter { $0.value != 200 })")
        #expect(statuses.keys.contains("/repos/octocat/Hello-World/actions/jobs/798245261"))
        #expect(statuses.keys.contains { $0.hasPrefix("/repos/octocat/Hello-World/actions/workflows/") })
        #expect(statuses.count > 20)
    }

    @Test(arguments: ["reusable-workflows.yml", "reusable-workflows-live.yml", "matrix-live.yml", "queue-max.yml"])
    func everyURLOfAShippedFixtureResolves(_ name: String) throws {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
        let server = MockServer(state: try FixtureLoader.load(text, file: name), configuration: APIConfiguration(baseURL: apiBase))
        let statuses = Self.walk(server)
        #expect(statuses.filter { $0.value != 200 }.isEmpty, "\(statuses.filter { $0.value != 200 })")
    }

    /// A reusable-workflow item's `job_url` names the calling `uses:` job, which is served.
    @Test func theJobURLOfAReusableWorkflowItemNamesTheCallingJob() throws {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("reusable-workflows.yml"), encoding: .utf8)
        let server = MockServer(state: try FixtureLoader.load(text, file: "reusable-workflows.yml"), configuration: APIConfiguration(baseURL: apiBase))
        var checked = 0
        for repository in server.simulator.sortedRepositories {
            for group in repository.activeGroups {
                for item in group.queue where item.kind == .reusableWorkflow {
                    let job = item.job!
                    let answer = get(server, "/repos/\(repository.owner)/\(repository.name)/actions/jobs/\(job)")
                    #expect(answer.status == 200)
                    #expect(answer.json["name"] as? String == repository.jobs[job]?.name)
                    checked += 1
                }
            }
        }
        #expect(checked > 0)
    }

    @Test func aLiveScenarioWithARerunResolvesEverywhere() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", "on: [push]\nconcurrency: deploy\njobs:\n  build: {}\n  ship:\n    needs: build\n    concurrency: ship\n")
        let first = driver.trigger("deploy.yml")
        driver.trigger("deploy.yml")
        driver.completeJob(1000, "failure")
        driver.send("POST", "/_mock/repos/acme/app/runs/\(first)/rerun", #"{"failed_only":true}"#)
        let statuses = Self.walk(driver.server)
        #expect(statuses.filter { $0.value != 200 }.isEmpty, "\(statuses.filter { $0.value != 200 })")
        // Attempt 1's build (1000) and ship (1001) ran again as 1004 and 1005 (run 101 has 1002, 1003).
        for path in ["runs/\(first)/attempts/1", "runs/\(first)/attempts/1/jobs", "runs/\(first)/jobs?filter=all", "jobs/1000", "jobs/1001", "jobs/1004", "jobs/1005"] {
            #expect(statuses["/repos/acme/app/actions/\(path)"] == 200, "\(path)")
        }
    }

    @Test func aGroupWithoutMembersStillAnswers404() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", "on: [push]\nconcurrency: deploy\njobs:\n  build: {}\n")
        let id = driver.trigger("deploy.yml")
        #expect(driver.send("GET", "/repos/acme/app/actions/concurrency_groups/deploy").status == 200)
        driver.send("POST", "/_mock/repos/acme/app/runs/\(id)/complete")
        #expect(driver.send("GET", "/repos/acme/app/actions/concurrency_groups/deploy").text == notFoundBody(DocumentationURL.getGroup))
        #expect(driver.send("GET", "/repos/acme/app/actions/runs/\(id)").status == 200)
    }
}
