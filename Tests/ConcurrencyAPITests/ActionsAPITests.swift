import ConcurrencySimulator
import Foundation
import GitHubREST
import MockHTTP
import Server
import StateDocuments
import Testing

/// GitHub's workflow-run, job and workflow operations, read and written in-process.
@Suite struct ActionsAPITests {
    static let deployYAML = """
        name: Deploy
        run-name: Deploy ${{ inputs.environment }}
        on:
          push:
          workflow_dispatch:
            inputs:
              environment: { type: choice, options: [staging, production], required: true }
              dry-run: { type: boolean, default: false }
        concurrency:
          group: deploy-${{ inputs.environment }}
        jobs:
          build: {}
          deploy:
            needs: build
        """

    /// `acme/app` with deploy.yml (dispatchable) and push.yml (push only).
    func driver() throws -> Driver {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.deployYAML)
        driver.workflow("push.yml", "name: CI\non: push\njobs:\n  test: {}\n")
        return driver
    }

    func send(
        _ driver: Driver, _ method: String, _ target: String, _ body: String = "", token: String? = "ghp_any", version: String? = nil
    ) -> Answer {
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if let version { headers.append(("X-GitHub-Api-Version", version)) }
        let response = driver.server.respond(to: HTTPRequest(method: method, target: target, headers: HTTPHeaders(headers), body: Array(body.utf8)))
        return Answer(status: response.status, headers: response.headers, text: String(decoding: response.body, as: UTF8.self))
    }

    let actions = "/repos/acme/app/actions"

    func dispatch(_ driver: Driver, _ environment: String) -> Int {
        let answer = send(
            driver, "POST", "\(actions)/workflows/deploy.yml/dispatches",
            #"{"ref":"main","inputs":{"environment":"\#(environment)"},"return_run_details":true}"#)
        #expect(answer.status == 200, "\(answer.text)")
        return answer.json["workflow_run_id"] as? Int ?? -1
    }

    @Test func aDispatchedRunIsServedWithTheFieldsTheTriggerGave() throws {
        let driver = try driver()
        let answer = send(
            driver, "POST", "\(actions)/workflows/deploy.yml/dispatches",
            #"{"ref":"release","inputs":{"environment":"production"},"return_run_details":true}"#)
        #expect(answer.status == 200)
        #expect(answer.text == #"{"workflow_run_id":100,"run_url":"https://api.github.com/repos/acme/app/actions/runs/100","html_url":"https://github.com/acme/app/actions/runs/100"}"#)
        #expect(answer.headers["ETag"] == nil)
        let run = send(driver, "GET", "\(actions)/runs/100").json
        #expect(run["name"] as? String == "Deploy")
        #expect(run["display_title"] as? String == "Deploy production")
        #expect(run["head_branch"] as? String == "release")
        #expect(run["event"] as? String == "workflow_dispatch")
        #expect(run["status"] as? String == "in_progress")
        #expect(run["run_number"] as? Int == 1)
        #expect(run["run_attempt"] as? Int == 1)
        #expect(run["path"] as? String == ".github/workflows/deploy.yml")
        #expect(run["created_at"] as? String == "2026-01-15T16:00:00Z")
        #expect(run["run_started_at"] as? String == "2026-01-15T16:00:00Z")
        #expect(run["jobs_url"] as? String == "https://api.github.com/repos/acme/app/actions/runs/100/jobs")
        #expect(run["cancel_url"] as? String == "https://api.github.com/repos/acme/app/actions/runs/100/cancel")
        #expect(run["rerun_url"] as? String == "https://api.github.com/repos/acme/app/actions/runs/100/rerun")
        #expect((run["actor"] as? [String: Any])?["login"] as? String == "octocat")
        #expect((run["repository"] as? [String: Any])?["full_name"] as? String == "acme/app")
        let workflowID = ActionsWorkflow.identifier(of: "deploy.yml", in: RepositoryKey(owner: "acme", name: "app"))
        #expect(run["workflow_id"] as? Int == workflowID)
        #expect(run["workflow_url"] as? String == "https://api.github.com/repos/acme/app/actions/workflows/\(workflowID)")
    }

    @Test func jobsAreServedWithGitHubsFields() throws {
        let driver = try driver()
        _ = dispatch(driver, "staging")
        let job = send(driver, "GET", "\(actions)/jobs/1000")
        #expect(job.status == 200)
        #expect(job.text == #"{"id":1000,"run_id":100,"workflow_name":"Deploy","head_branch":"main","run_url":"https://api.github.com/repos/acme/app/actions/runs/100","run_attempt":1,"node_id":"MDg6Q2hlY2tSdW4xMDAw","head_sha":"0000000000000000000000000000000000000000","url":"https://api.github.com/repos/acme/app/actions/jobs/1000","html_url":"https://github.com/acme/app/actions/runs/100/job/1000","status":"in_progress","conclusion":null,"created_at":"2026-01-15T16:00:00Z","started_at":"2026-01-15T16:00:00Z","completed_at":null,"name":"build","steps":[],"check_run_url":"https://api.github.com/repos/acme/app/check-runs/1000","labels":[],"runner_id":null,"runner_name":null,"runner_group_id":null,"runner_group_name":null}"#)
        let list = send(driver, "GET", "\(actions)/runs/100/jobs?filter=all").json
        #expect(list["total_count"] as? Int == 2)
        #expect((list["jobs"] as? [[String: Any]])?.map { "\($0["name"]!) \($0["status"]!)" } == ["build in_progress", "deploy queued"])
        #expect(send(driver, "GET", "\(actions)/runs/100/jobs?filter=some").status == 422)
        #expect(send(driver, "GET", "\(actions)/jobs/999").text == notFoundBody("https://docs.github.com/rest/actions/workflow-jobs#get-a-job-for-a-workflow-run"))
    }

    @Test func workflowsAreServedByIdAndByFileName() throws {
        let driver = try driver()
        let id = ActionsWorkflow.identifier(of: "deploy.yml", in: RepositoryKey(owner: "acme", name: "app"))
        let byFile = send(driver, "GET", "\(actions)/workflows/deploy.yml")
        #expect(byFile.text == #"{"id":\#(id),"node_id":"\#(byFile.json["node_id"] as? String ?? "")","name":"Deploy","path":".github/workflows/deploy.yml","state":"active","created_at":"2026-01-15T16:00:00Z","updated_at":"2026-01-15T16:00:00Z","url":"https://api.github.com/repos/acme/app/actions/workflows/\#(id)","html_url":"https://github.com/acme/app/blob/main/.github/workflows/deploy.yml","badge_url":"https://github.com/acme/app/workflows/Deploy/badge.svg"}"#)
        #expect(send(driver, "GET", "\(actions)/workflows/\(id)").text == byFile.text)
        let list = send(driver, "GET", "\(actions)/workflows").json
        #expect(list["total_count"] as? Int == 2)
        #expect((list["workflows"] as? [[String: Any]])?.map { $0["path"] as? String ?? "" } == [".github/workflows/deploy.yml", ".github/workflows/push.yml"])
        #expect(send(driver, "GET", "\(actions)/workflows/nope.yml").status == 404)
    }

    @Test func theRunsListFiltersPagesByNumberAndIsNewestFirst() throws {
        let driver = try driver()
        for environment in ["staging", "production", "staging"] {
            _ = dispatch(driver, environment)
            driver.send("POST", "/_mock/clock/advance", #"{"seconds":60}"#)
        }
        driver.trigger("push.yml", ref: "refs/heads/feature")
        let all = send(driver, "GET", "\(actions)/runs?per_page=2")
        #expect(all.json["total_count"] as? Int == 4)
        #expect((all.json["workflow_runs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [103, 102])
        #expect(all.headers["Link"] == #"<https://api.github.com/repos/acme/app/actions/runs?per_page=2&page=2>; rel="next", <https://api.github.com/repos/acme/app/actions/runs?per_page=2&page=2>; rel="last""#)
        let second = send(driver, "GET", "\(actions)/runs?status=pending&per_page=2&page=2")
        #expect(second.json["total_count"] as? Int == 1)
        #expect((second.json["workflow_runs"] as? [Any])?.isEmpty == true)
        let page2 = send(driver, "GET", "\(actions)/runs?per_page=2&page=2")
        #expect((page2.json["workflow_runs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [101, 100])
        #expect(page2.headers["Link"] == #"<https://api.github.com/repos/acme/app/actions/runs?per_page=2&page=1>; rel="prev", <https://api.github.com/repos/acme/app/actions/runs?per_page=2&page=1>; rel="first""#)
        func ids(_ query: String) -> [Int] {
            (send(driver, "GET", "\(actions)/runs?\(query)").json["workflow_runs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? []
        }
        #expect(ids("branch=feature") == [103])
        #expect(ids("event=workflow_dispatch") == [102, 101, 100])
        #expect(ids("status=pending") == [102])
        #expect(ids("status=in_progress") == [103, 101, 100])
        #expect(ids("status=completed") == [])
        driver.send("POST", "/_mock/repos/acme/app/runs/100/cancel")
        #expect(ids("status=cancelled") == [100])
        #expect(ids("status=completed") == [100])
        #expect(ids("status=in_progress") == [103, 102, 101])
        #expect(ids("actor=OctoCat&head_sha=0000000000000000000000000000000000000000") == [103, 102, 101, 100])
        #expect(ids("created=2026-01-15T16:01:00Z..2026-01-15T16:02:00Z") == [102, 101])
        #expect(ids("created=%3E%3D2026-01-15T16:02:00Z") == [103, 102])
        #expect(ids("created=2026-01-16") == [])
        #expect(ids("check_suite_id=101") == [101])
        #expect(send(driver, "GET", "\(actions)/runs?created=yesterday").status == 422)
        #expect(send(driver, "GET", "\(actions)/runs?page=0").status == 422)
        let perWorkflow = send(driver, "GET", "\(actions)/workflows/push.yml/runs").json
        #expect((perWorkflow["workflow_runs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [103])
        #expect(send(driver, "GET", "\(actions)/workflows/deploy.yml/runs").json["total_count"] as? Int == 3)
        #expect(send(driver, "GET", "\(actions)/workflows/nope.yml/runs").status == 404)
    }

    /// The story of the README: dispatch, the newcomer waits (`pending`), cancel the run ahead,
    /// the newcomer runs, all through GitHub's own operations.
    @Test func dispatchPendingCancelAheadInProgress() throws {
        let driver = try driver()
        let first = dispatch(driver, "production")
        let second = dispatch(driver, "production")
        #expect(send(driver, "GET", "\(actions)/runs/\(second)").json["status"] as? String == "pending")
        #expect(send(driver, "GET", "\(actions)/runs?status=pending").json["total_count"] as? Int == 1)
        let members = send(driver, "GET", "\(actions)/concurrency_groups/deploy-production").json["group_members"] as? [[String: Any]]
        #expect(members?.compactMap { $0["run_id"] as? Int } == [first, second])
        driver.send("POST", "/_mock/clock/advance", #"{"seconds":30}"#)
        let cancel = send(driver, "POST", "\(actions)/runs/\(first)/cancel")
        #expect(cancel.status == 202)
        #expect(cancel.text == "{}")
        let cancelled = send(driver, "GET", "\(actions)/runs/\(first)").json
        #expect(cancelled["status"] as? String == "completed")
        #expect(cancelled["conclusion"] as? String == "cancelled")
        #expect(cancelled["updated_at"] as? String == "2026-01-15T16:00:30Z")
        let running = send(driver, "GET", "\(actions)/runs/\(second)").json
        #expect(running["status"] as? String == "in_progress")
        let again = send(driver, "POST", "\(actions)/runs/\(first)/cancel")
        #expect(again.text == #"{"message":"Cannot cancel a workflow run that is completed.","documentation_url":"https://docs.github.com/rest/actions/workflow-runs#cancel-a-workflow-run","status":"409"}"#)
        #expect(send(driver, "POST", "\(actions)/runs/\(first)/force-cancel").status == 409)
    }

    /// Each job of a jobs list as `id attempt status conclusion`.
    func jobs(_ answer: Answer) -> [String] {
        (answer.json["jobs"] as? [[String: Any]] ?? []).map { job in
            "\(job["id"] as? Int ?? -1) \(job["run_attempt"] as? Int ?? -1) \(job["status"] as? String ?? "") \(job["conclusion"] as? String ?? "-")"
        }
    }

    @Test func rerunsKeepTheRunIdCountAttemptsAndGiveTheJobsTheyStartNewIds() throws {
        let driver = try driver()
        let id = dispatch(driver, "staging")
        let running = send(driver, "POST", "\(actions)/runs/\(id)/rerun")
        #expect(running.text == #"{"message":"This workflow is already running","documentation_url":"https://docs.github.com/rest/actions/workflow-runs#re-run-a-workflow","status":"403"}"#)
        driver.completeJob(1000, "failure")
        #expect(send(driver, "POST", "\(actions)/runs/\(id)/rerun-failed-jobs").status == 201)
        let run = send(driver, "GET", "\(actions)/runs/\(id)").json
        #expect(run["run_attempt"] as? Int == 2)
        #expect(run["status"] as? String == "in_progress")
        #expect(run["previous_attempt_url"] as? String == "https://api.github.com/repos/acme/app/actions/runs/\(id)/attempts/1")
        let first = send(driver, "GET", "\(actions)/runs/\(id)/attempts/1").json
        #expect(first["run_attempt"] as? Int == 1)
        #expect(first["conclusion"] as? String == "failure")
        #expect(send(driver, "GET", "\(actions)/runs/\(id)/attempts/2").json["status"] as? String == "in_progress")
        #expect(send(driver, "GET", "\(actions)/runs/\(id)/attempts/3").status == 404)
        // build failed, so build and deploy (which needs it) run again as jobs 1002 and 1003.
        #expect(jobs(send(driver, "GET", "\(actions)/runs/\(id)/jobs")) == ["1002 2 in_progress -", "1003 2 queued -"])
        let old = send(driver, "GET", "\(actions)/jobs/1000").json
        #expect(old["run_attempt"] as? Int == 1)
        #expect(old["conclusion"] as? String == "failure")
        #expect(old["run_url"] as? String == "https://api.github.com/repos/acme/app/actions/runs/\(id)")
        #expect(old["html_url"] as? String == "https://github.com/acme/app/actions/runs/\(id)/job/1000")
        driver.completeJob(1002)
        driver.completeJob(1003)
        #expect(send(driver, "POST", "\(actions)/runs/\(id)/rerun-failed-jobs").text == #"{"message":"This workflow run cannot be retried","documentation_url":"https://docs.github.com/rest/actions/workflow-runs#re-run-failed-jobs-from-a-workflow-run","status":"403"}"#)
        #expect(send(driver, "POST", "\(actions)/jobs/1001/rerun").text == #"{"message":"Only jobs from the current attempt can be re-run","documentation_url":"https://docs.github.com/rest/actions/workflow-runs#re-run-a-job-from-a-workflow-run","status":"403"}"#)
        #expect(send(driver, "POST", "\(actions)/jobs/1003/rerun", #"{"enable_debug_logging":false}"#).status == 201)
        #expect(send(driver, "GET", "\(actions)/jobs/1003").json["status"] as? String == "completed")
        #expect(send(driver, "GET", "\(actions)/jobs/1004").json["status"] as? String == "in_progress")
        #expect(send(driver, "GET", "\(actions)/runs/\(id)").json["run_attempt"] as? Int == 3)
        #expect(send(driver, "POST", "\(actions)/jobs/1004/rerun", "{").status == 400)
        // The state with its attempts and their jobs survives export and import byte for byte.
        let exported = driver.send("GET", "/_mock/state").text
        let reloaded = try Driver()
        #expect(reloaded.send("PUT", "/_mock/state", exported).status == 200)
        #expect(reloaded.send("GET", "/_mock/state").text == exported)
    }

    @Test func theJobsListsShowTheLatestAttemptEveryAttemptOrOneAttempt() throws {
        let driver = try driver()
        let id = dispatch(driver, "staging")
        driver.completeJob(1000)
        driver.completeJob(1001, "failure")
        #expect(send(driver, "POST", "\(actions)/runs/\(id)/rerun-failed-jobs").status == 201)
        driver.completeJob(1002)
        #expect(send(driver, "POST", "\(actions)/runs/\(id)/rerun").status == 201)
        // Attempt 1: build 1000, deploy 1001 (failed). Attempt 2 carried build over and ran
        // deploy as 1002. Attempt 3 ran both again as 1003 and 1004.
        let latest = ["1003 3 in_progress -", "1004 3 queued -"]
        #expect(jobs(send(driver, "GET", "\(actions)/runs/\(id)/jobs")) == latest)
        #expect(jobs(send(driver, "GET", "\(actions)/runs/\(id)/jobs?filter=latest")) == latest)
        #expect(jobs(send(driver, "GET", "\(actions)/runs/\(id)/jobs?filter=all")) == [
            "1000 1 completed success", "1001 1 completed failure", "1002 2 completed success", "1003 3 in_progress -", "1004 3 queued -",
        ])
        #expect(jobs(send(driver, "GET", "\(actions)/runs/\(id)/attempts/1/jobs")) == ["1000 1 completed success", "1001 1 completed failure"])
        #expect(jobs(send(driver, "GET", "\(actions)/runs/\(id)/attempts/2/jobs")) == ["1000 1 completed success", "1002 2 completed success"])
        #expect(jobs(send(driver, "GET", "\(actions)/runs/\(id)/attempts/3/jobs")) == latest)
        let page = send(driver, "GET", "\(actions)/runs/\(id)/attempts/2/jobs?per_page=1")
        #expect(page.json["total_count"] as? Int == 2)
        #expect(jobs(page) == ["1000 1 completed success"])
        #expect(page.headers["Link"] == #"<https://api.github.com/repos/acme/app/actions/runs/100/attempts/2/jobs?per_page=1&page=2>; rel="next", <https://api.github.com/repos/acme/app/actions/runs/100/attempts/2/jobs?per_page=1&page=2>; rel="last""#)
        let all = send(driver, "GET", "\(actions)/runs/\(id)/jobs?filter=all&per_page=2&page=3")
        #expect(all.json["total_count"] as? Int == 5)
        #expect(jobs(all) == ["1004 3 queued -"])
        #expect(send(driver, "GET", "\(actions)/runs/\(id)/attempts/4/jobs").text == notFoundBody(
            "https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt"))
        #expect(send(driver, "GET", "\(actions)/runs/999/attempts/1/jobs").status == 404)
        #expect(send(driver, "GET", "\(actions)/runs/\(id)/attempts/0/jobs").status == 404)
        #expect(send(driver, "GET", "\(actions)/runs/\(id)/jobs?filter=every").status == 422)
        #expect(send(driver, "POST", "\(actions)/runs/\(id)/attempts/1/jobs").status == 404)
    }

    @Test func dispatchAnswersAsEachVersionDoesAndRefusesWithGitHubsMessages() throws {
        let driver = try driver()
        let body = #"{"ref":"main","inputs":{"environment":"staging"}}"#
        let old = send(driver, "POST", "\(actions)/workflows/deploy.yml/dispatches", body)
        #expect(old.status == 204)
        #expect(old.text == "")
        let new = send(driver, "POST", "\(actions)/workflows/deploy.yml/dispatches", body, version: "2026-03-10")
        #expect(new.status == 200)
        #expect(new.json["workflow_run_id"] as? Int == 101)
        let documentation = "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event"
        func error(_ status: Int, _ message: String) -> String {
            #"{"message":"\#(message)","documentation_url":"\#(documentation)","status":"\#(status)"}"#
        }
        #expect(send(driver, "POST", "\(actions)/workflows/push.yml/dispatches", #"{"ref":"main"}"#).text == error(422, "Workflow does not have 'workflow_dispatch' trigger"))
        #expect(send(driver, "POST", "\(actions)/workflows/deploy.yml/dispatches", #"{"ref":"main","inputs":{"environment":"staging","foo":"1","bar":"2"}}"#).text
            == error(422, #"Unexpected inputs provided: [\"foo\", \"bar\"]"#))
        #expect(send(driver, "POST", "\(actions)/workflows/deploy.yml/dispatches", #"{"ref":"main"}"#).text == error(422, "Required input 'environment' not provided"))
        #expect(send(driver, "POST", "\(actions)/workflows/deploy.yml/dispatches", #"{"inputs":{}}"#).text == error(422, #"Invalid request.\n\n\"ref\" wasn't supplied."#))
        #expect(send(driver, "POST", "\(actions)/workflows/deploy.yml/dispatches", #"{"ref":""}"#).text == error(422, "No ref found for: "))
        #expect(send(driver, "POST", "\(actions)/workflows/deploy.yml/dispatches", "ref=main").text == error(400, "Problems parsing JSON"))
        #expect(send(driver, "POST", "\(actions)/workflows/nope.yml/dispatches", #"{"ref":"main"}"#).status == 404)
        #expect(driver.send("GET", "/_mock/state").json["run_id_start"] as? Int == 102, "refused dispatches trigger nothing")
    }

    @Test func writesNeedATokenWithWriteAccess() throws {
        let driver = try driver()
        driver.send("PUT", "/_mock/repos/acme/secret", #"{"visibility":"private"}"#)
        driver.send("PUT", "/_mock/tokens/github_pat_read", #"{"type":"fine_grained","repositories":["acme/app","acme/secret"],"permissions":{"actions":"read"}}"#)
        driver.send("PUT", "/_mock/tokens/ghs_read", #"{"type":"installation","repositories":"all","permissions":{"actions":"read"}}"#)
        driver.send("PUT", "/_mock/tokens/ghp_public", #"{"type":"classic","scopes":["public_repo"]}"#)
        let id = dispatch(driver, "staging")
        let cancel = "\(actions)/runs/\(id)/cancel"
        let documentation = "https://docs.github.com/rest/actions/workflow-runs#cancel-a-workflow-run"
        #expect(send(driver, "POST", cancel, token: nil).text == #"{"message":"Requires authentication","documentation_url":"\#(documentation)","status":"401"}"#)
        #expect(send(driver, "POST", cancel, token: "github_pat_read").text == #"{"message":"Resource not accessible by personal access token","documentation_url":"\#(documentation)","status":"403"}"#)
        #expect(send(driver, "POST", cancel, token: "ghs_read").text == #"{"message":"Resource not accessible by integration","documentation_url":"\#(documentation)","status":"403"}"#)
        #expect(send(driver, "POST", "/repos/acme/secret/actions/runs/\(id)/cancel", token: "ghp_public").text == notFoundBody(documentation))
        #expect(send(driver, "GET", "/repos/acme/secret/actions/runs", token: nil).status == 404)
        #expect(send(driver, "GET", "/repos/acme/secret/actions/runs", token: "github_pat_read").status == 200)
        #expect(send(driver, "GET", "\(actions)/runs/\(id)", token: "ghs_read").status == 200)
        #expect(send(driver, "POST", cancel, token: "ghp_public").status == 202)
        #expect(send(driver, "DELETE", "\(actions)/runs/\(id)").status == 404)
    }

    @Test func theControlAPIRerunsACompletedRunByTheSameRule() throws {
        let driver = try driver()
        let id = driver.trigger("push.yml")
        #expect(driver.send("POST", "/_mock/repos/acme/app/runs/\(id)/rerun", #"{"failed_only":false}"#).status == 422)
        driver.completeJob(1000, "failure")
        let rerun = driver.send("POST", "/_mock/repos/acme/app/runs/\(id)/rerun", #"{"failed_only":true}"#)
        #expect(rerun.status == 200)
        #expect(rerun.json["status"] as? String == "in_progress")
        #expect(send(driver, "GET", "\(actions)/runs/\(id)").json["run_attempt"] as? Int == 2)
        #expect(driver.send("POST", "/_mock/repos/acme/app/runs/\(id)/rerun", #"{"failed_only":"yes"}"#).status == 422)
    }
}
