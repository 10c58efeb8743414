import Foundation
import StateDocuments
import Testing

/// The three example requests of GitHub's documentation, answered from the embedded fixture.
/// Bodies equal the documented ones byte for byte, except where README.md says why not:
/// groups are sorted ascending (ci-build first), and run 30433642's build job is 798245261
/// because the documentation gives job 798245260 to two different runs.
@Suite struct DocumentationExampleTests {
    @Test func listsTheRepositorysActiveGroups() throws {
        let answer = get(try docsExampleServer(), "/repos/octocat/Hello-World/actions/concurrency_groups")
        #expect(answer.status == 200)
        #expect(answer.text == #"{"total_count":2,"concurrency_groups":[{"group_name":"ci-build","group_url":"https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/ci-build","last_acquired_at":"2026-01-15T16:13:55Z"},{"group_name":"deploy-prod","group_url":"https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod","last_acquired_at":"2026-01-15T16:14:23Z"}]}"#)
        #expect(answer.headers["Link"] == nil)
    }

    @Test func getsTheDeployProdGroup() throws {
        let answer = get(try docsExampleServer(), "/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod")
        #expect(answer.status == 200)
        #expect(answer.text == #"{"group_name":"deploy-prod","group_url":"https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod","total_count":3,"group_members":[{"run_id":30433642,"run_name":"Deploy to production","run_url":"https://api.github.com/repos/octocat/Hello-World/actions/runs/30433642","run_html_url":"https://github.com/octocat/Hello-World/actions/runs/30433642","status":"in_progress"},{"run_id":30433643,"run_name":"Deploy to production","run_url":"https://api.github.com/repos/octocat/Hello-World/actions/runs/30433643","run_html_url":"https://github.com/octocat/Hello-World/actions/runs/30433643","status":"pending"},{"run_id":30433644,"run_name":"Deploy hotfix","run_url":"https://api.github.com/repos/octocat/Hello-World/actions/runs/30433644","run_html_url":"https://github.com/octocat/Hello-World/actions/runs/30433644","job_id":798245260,"job_name":"deploy","job_url":"https://api.github.com/repos/octocat/Hello-World/actions/jobs/798245260","job_html_url":"https://github.com/octocat/Hello-World/actions/runs/30433644/job/798245260","status":"pending"}]}"#)
    }

    @Test func listsTheGroupsOfRun30433642() throws {
        let answer = get(try docsExampleServer(), "/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups")
        #expect(answer.status == 200)
        #expect(answer.text == #"{"total_count":2,"concurrency_groups":[{"group_name":"ci-build","group_url":"https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/ci-build","group_members":[{"run_id":30433642,"run_name":"Deploy to production","run_url":"https://api.github.com/repos/octocat/Hello-World/actions/runs/30433642","run_html_url":"https://github.com/octocat/Hello-World/actions/runs/30433642","status":"pending","position":2,"position_url":"https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/ci-build?ahead_of_job=798245261","job_id":798245261,"job_name":"build","job_url":"https://api.github.com/repos/octocat/Hello-World/actions/jobs/798245261","job_html_url":"https://github.com/octocat/Hello-World/actions/runs/30433642/job/798245261"}]},{"group_name":"deploy-prod","group_url":"https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod","group_members":[{"run_id":30433642,"run_name":"Deploy to production","run_url":"https://api.github.com/repos/octocat/Hello-World/actions/runs/30433642","run_html_url":"https://github.com/octocat/Hello-World/actions/runs/30433642","status":"in_progress","position":0,"position_url":"https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod?ahead_of_run=30433642"}]}]}"#)
    }

    @Test func ownerAndRepositoryAreCaseInsensitiveAndURLsUseTheDeclaredSpelling() throws {
        let answer = get(try docsExampleServer(), "/repos/OCTOCAT/hello-world/actions/concurrency_groups/DEPLOY-PROD")
        #expect(answer.status == 200)
        #expect(answer.json["group_name"] as? String == "deploy-prod")
        #expect(answer.json["group_url"] as? String == "https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod")
    }

    @Test func theEmbeddedFixtureIsTheFileInFixtures() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/docs-example.yml")
        // The resource is a link to the file: the bytes compiled in are the file's, to the last one.
        #expect(try String(contentsOf: file, encoding: .utf8) == EmbeddedFixtures.docsExample)
    }
}
