import ConcurrencySimulator
import Foundation
import GitHubREST
import Server
import SourceDocuments
import StateDocuments
import Testing
import Workflows

@Suite struct ControlAPITests {
    static let deploy = ScenarioTests.deploy

    @Test func healthAnswersOK() throws {
        let answer = try Driver().send("GET", "/_mock/health")
        #expect(answer.status == 200)
        #expect(answer.text == #"{"status":"ok"}"#)
    }

    @Test func healthChecksTheInvariantsWhenAsked() throws {
        let driver = try Driver()
        let checked = driver.send("GET", "/_mock/health?check=invariants")
        #expect(checked.status == 200)
        #expect(checked.text == #"{"status":"ok"}"#)
        let unknown = driver.send("GET", "/_mock/health?check=everything")
        #expect(unknown.status == 422)
        #expect(unknown.text == #"{"message":"Validation Failed","errors":[{"resource":"Health","field":"check","code":"invalid","message":"check must be invariants, not 'everything'"}],"documentation_url":"README.md#control-api","status":"422"}"#)
    }

    @Test func repositoriesAreCreatedThenUpdated() throws {
        let driver = try Driver()
        let created = driver.send("PUT", "/_mock/repos/octo/Widgets", #"{"visibility":"private"}"#)
        #expect(created.status == 201)
        #expect(created.text == #"{"owner":"octo","name":"Widgets","visibility":"private"}"#)
        #expect(driver.send("GET", "/repos/octo/widgets/actions/concurrency_groups").status == 404, "private without a token")
        let updated = driver.send("PUT", "/_mock/repos/OCTO/widgets", #"{"visibility":"public"}"#)
        #expect(updated.status == 200)
        #expect(updated.text == #"{"owner":"octo","name":"Widgets","visibility":"public"}"#)
        #expect(driver.send("GET", "/repos/octo/widgets/actions/concurrency_groups").text == #"{"total_count":0,"concurrency_groups":[]}"#)
        #expect(driver.send("PUT", "/_mock/repos/octo/x", #"{"visibility":"internal"}"#).status == 422)
    }

    @Test func anInvalidWorkflowIsRefusedWithLineAndColumnAndNotRegistered() throws {
        let driver = try Driver()
        let answer = driver.send("PUT", "/_mock/repos/acme/app/workflows/deploy.yml", "on: push\nconcurrency:\n  group: x\n  queue: fifo\njobs:\n  a: {}\n")
        #expect(answer.status == 422)
        #expect(answer.text == #"{"message":"Validation Failed","errors":[{"resource":"Workflow","field":"source","code":"invalid","message":"deploy.yml:4:10: queue must be one of single, max, not 'fifo'","line":4,"column":10}],"documentation_url":"README.md#control-api","status":"422"}"#)
        #expect(driver.send("GET", "/_mock/repos/acme/app/workflows/deploy.yml").status == 404)
        let trigger = driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"deploy.yml"}"#)
        #expect(trigger.status == 422)
    }

    @Test func workflowFilesRegisterInAnyOrderAndAMissingTargetFailsTheTriggerNamingTheFile() throws {
        let driver = try Driver()
        driver.workflow("release.yml", ScenarioTests.release)
        let missing = driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"release.yml"}"#)
        #expect(missing.status == 422)
        #expect(missing.json["errors"].flatMap { ($0 as? [[String: Any]])?.first?["message"] as? String }
                == "release.yml:8:11: job 'ship' uses ./.github/workflows/shared.yml, which is not a registered workflow of a mocked repository")
        #expect(driver.send("GET", "/_mock/events").json["total_count"] as? Int == 0)
        driver.workflow("shared.yml", ScenarioTests.calledDeploy)
        #expect(driver.trigger("release.yml") == 100)
    }

    @Test func registeringTheSameFileAgainReplacesIt() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.deploy)
        let replaced = driver.send("PUT", "/_mock/repos/acme/app/workflows/deploy.yml", Self.deploy.replacingOccurrences(of: "deploy-${{", with: "ship-${{"))
        #expect(replaced.status == 200)
        driver.trigger("deploy.yml")
        #expect(driver.queues() == ["ship-main": ["100 in_progress"]])
    }

    @Test func triggerErrorsAreValidationFailures() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.deploy)
        let cases: [(String, String)] = [
            (#"{"workflow":"nope.yml"}"#, "nope.yml: workflow nope.yml is not registered in acme/app"),
            (#"{"workflow":"deploy.yml","event":"schedule"}"#, "deploy.yml: workflow deploy.yml does not run on schedule (its triggers: push, workflow_dispatch)"),
            (#"{"workflow":"deploy.yml","colour":"red"}"#, "request body:1:26: unknown key 'colour' in a trigger; allowed: workflow, ref, event, inputs, vars, actor, sha, head_ref, base_ref, payload"),
            (#"{"ref":"main"}"#, "request body:1:1: a trigger is missing 'workflow'"),
            (#"{"workflow":"deploy.yml","base_ref":false}"#, "request body:1:37: base_ref must be a string"),
            (#"{"workflow":"deploy.yml","ref":null}"#, "request body:1:32: ref must be a string"),
            (#"{"workflow":"#, "request body:2:1: invalid YAML: while parsing a flow node: did not find expected node content"),
        ]
        for (body, message) in cases {
            let answer = driver.send("POST", "/_mock/repos/acme/app/runs", body)
            #expect(answer.status == 422, "\(body)")
            #expect((answer.json["errors"] as? [[String: Any]])?.first?["message"] as? String == message, "\(body)")
        }
        #expect(driver.send("GET", "/_mock/repos/acme/app/runs/100").status == 404, "nothing was created")
        #expect(driver.send("POST", "/_mock/repos/acme/other/runs", #"{"workflow":"deploy.yml"}"#).status == 404)
    }

    /// A trigger body is read as JSON without Yams when it is JSON; YAML bodies still trigger,
    /// and a body refused either way gets the same message.
    @Test func triggerBodiesMayBeYAMLAndAreRefusedAlike() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.deploy)
        let cases: [(String, String)] = [
            ("workflow: deploy.yml\ncolour: red\n", "request body:2:1: unknown key 'colour' in a trigger; allowed: workflow, ref, event, inputs, vars, actor, sha, head_ref, base_ref, payload"),
            (#"{"workflow":"deploy.yml","workflow":"deploy.yml"}"#, "request body:1:2: duplicate key 'workflow' in a mapping"),
            ("{workflow: deploy.yml, ref: null}", "request body:1:29: ref must be a string"),
        ]
        for (body, message) in cases {
            let answer = driver.send("POST", "/_mock/repos/acme/app/runs", body)
            #expect(answer.status == 422, "\(body)")
            #expect((answer.json["errors"] as? [[String: Any]])?.first?["message"] as? String == message, "\(body)")
        }
        #expect(driver.send("GET", "/_mock/repos/acme/app/runs/100").status == 404, "nothing was created")
        let yaml = driver.send("POST", "/_mock/repos/acme/app/runs", "workflow: deploy.yml\nref: refs/heads/release\n")
        #expect(yaml.status == 201)
        #expect(yaml.json["concurrency_groups"] as? [String] == ["deploy-release"])
    }

    @Test func completingAJobThatIsNotInProgressIsRefused() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.deploy)
        driver.trigger("deploy.yml")
        driver.trigger("deploy.yml")
        let waiting = driver.send("POST", "/_mock/repos/acme/app/jobs/1001/complete", #"{"conclusion":"success"}"#)
        #expect(waiting.status == 422)
        #expect((waiting.json["errors"] as? [[String: Any]])?.first?["message"] as? String == "job 1001 is queued, not in_progress")
        #expect(driver.send("POST", "/_mock/repos/acme/app/jobs/1000/complete", #"{"conclusion":"skipped"}"#).status == 422)
        #expect(driver.send("POST", "/_mock/repos/acme/app/jobs/9999/complete").status == 404)
        let done = driver.send("POST", "/_mock/repos/acme/app/jobs/1000/complete")
        #expect(done.status == 200)
        #expect(done.json["conclusion"] as? String == "success")
        #expect(driver.send("POST", "/_mock/repos/acme/app/jobs/1000/complete").status == 422)
        #expect(driver.send("POST", "/_mock/repos/acme/app/runs/100/cancel").status == 422, "already completed")
    }

    @Test func unknownControlPathsAndWrongMethods() throws {
        let driver = try Driver()
        #expect(driver.send("GET", "/_mock/nothing").status == 404)
        let wrong = driver.send("DELETE", "/_mock/state")
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "GET, PUT")
    }

    @Test func theClockIsFrozenOrRealTimeAndNeverGoesBack() throws {
        let driver = try Driver()
        #expect(driver.send("GET", "/_mock/clock").text == #"{"now":"2026-01-15T16:00:00Z","frozen":true}"#)
        #expect(driver.send("POST", "/_mock/clock/advance", #"{"seconds":90}"#).text == #"{"now":"2026-01-15T16:01:30Z","frozen":true}"#)
        #expect(driver.send("PUT", "/_mock/clock", #"{"now":"2026-02-01T00:00:00Z"}"#).text == #"{"now":"2026-02-01T00:00:00Z","frozen":true}"#)
        let back = driver.send("PUT", "/_mock/clock", #"{"now":"2026-01-01T00:00:00Z"}"#)
        #expect(back.status == 422)
        #expect(driver.send("POST", "/_mock/clock/advance", #"{"seconds":-5}"#).status == 422)
        #expect(driver.send("GET", "/_mock/clock").text == #"{"now":"2026-02-01T00:00:00Z","frozen":true}"#)
        #expect(driver.send("PUT", "/_mock/clock", #"{"frozen":false}"#).text == #"{"now":"2026-02-01T00:00:00Z","frozen":false}"#)
    }

    @Test func leaseTimesComeFromTheClock() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.deploy)
        driver.trigger("deploy.yml")
        driver.trigger("deploy.yml")
        driver.send("POST", "/_mock/clock/advance", #"{"seconds":600}"#)
        driver.completeJob(1000)
        let list = driver.send("GET", "/repos/acme/app/actions/concurrency_groups")
        #expect(list.text.contains(#""last_acquired_at":"2026-01-15T16:10:00Z""#))
    }

    @Test func theExportedStateLoadsBackWithIdenticalAnswers() throws {
        let driver = try Driver()
        driver.workflow("shared.yml", ScenarioTests.calledDeploy)
        driver.workflow("release.yml", ScenarioTests.release)
        driver.workflow("ci.yml", ScenarioTests.matrix)
        driver.trigger("release.yml")
        driver.trigger("ci.yml")
        driver.send("POST", "/_mock/clock/advance", #"{"seconds":30}"#)
        driver.completeJob(1000)
        driver.trigger("release.yml")
        driver.trigger("ci.yml")
        let exported = driver.send("GET", "/_mock/state")
        #expect(exported.status == 200)

        let reloaded = try Driver()
        let put = reloaded.send("PUT", "/_mock/state", exported.text)
        #expect(put.status == 200, "\(put.text)")
        #expect(put.text == exported.text)
        let targets = ["/repos/acme/app/actions/concurrency_groups"]
            + driver.queues().keys.sorted().map { "/repos/acme/app/actions/concurrency_groups/\($0)" }
            + (100...103).map { "/repos/acme/app/actions/runs/\($0)/concurrency_groups" }
            + (100...103).map { "/_mock/repos/acme/app/runs/\($0)" }
        for target in targets {
            #expect(reloaded.send("GET", target).text == driver.send("GET", target).text, "\(target)")
        }
        #expect(reloaded.trigger("ci.yml") == driver.trigger("ci.yml"), "ids continue from the same place")
    }

    @Test func anInvalidStateChangesNothing() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.deploy)
        driver.trigger("deploy.yml")
        let before = driver.send("GET", "/_mock/state").text
        let answer = driver.send("PUT", "/_mock/state", #"{"now":"2026-01-15T16:00:00Z","repositories":[{"owner":"a"}]}"#)
        #expect(answer.status == 422)
        #expect((answer.json["errors"] as? [[String: Any]])?.first?["message"] as? String == "request body:1:47: a repository is missing 'name'")
        #expect(driver.send("GET", "/_mock/state").text == before)
    }

    @Test func resetGoesBackToTheStartingState() throws {
        let driver = try Driver()
        let start = driver.send("GET", "/_mock/state").text
        driver.workflow("deploy.yml", Self.deploy)
        driver.trigger("deploy.yml")
        driver.send("POST", "/_mock/clock/advance", #"{"seconds":5}"#)
        #expect(driver.send("GET", "/_mock/state").text != start)
        #expect(driver.send("POST", "/_mock/reset").status == 200)
        #expect(driver.send("GET", "/_mock/state").text == start)
    }

    @Test func aFixtureReplaysEventsByTheSameRules() throws {
        let fixture = """
            now: "2026-01-15T16:00:00Z"
            frozen: true
            run_id_start: 500
            job_id_start: 9000
            repositories:
              - owner: acme
                name: app
                workflows:
                  - file: deploy.yml
                    source: |
            \(Self.deploy.split(separator: "\n").map { "            " + $0 }.joined(separator: "\n"))
            events:
              - trigger: { repository: acme/app, workflow: deploy.yml }
              - trigger: { repository: acme/app, workflow: deploy.yml }
              - advance_clock: { seconds: 60 }
              - complete_job: { job: 9000 }
              - trigger: { repository: acme/app, workflow: deploy.yml }
            """
        let server = MockServer(state: try FixtureLoader.load(fixture, file: "events.yml"), configuration: APIConfiguration(baseURL: apiBase))
        let group = get(server, "/repos/acme/app/actions/concurrency_groups/deploy-main")
        let members = group.json["group_members"] as? [[String: Any]] ?? []
        #expect(members.map { $0["run_id"] as? Int } == [501, 502])
        #expect(get(server, "/repos/acme/app/actions/concurrency_groups").text.contains(#""last_acquired_at":"2026-01-15T16:01:00Z""#))
    }

    @Test func aBadEventNamesItsLine() {
        let fixture = """
            now: "2026-01-15T16:00:00Z"
            repositories:
              - { owner: acme, name: app }
            events:
              - complete_job: { job: 77 }
            """
        #expect(throws: SourceError(file: "events.yml", line: 5, column: 19, message: "complete_job: job 77 does not exist")) {
            try FixtureLoader.load(fixture, file: "events.yml")
        }
    }
}
