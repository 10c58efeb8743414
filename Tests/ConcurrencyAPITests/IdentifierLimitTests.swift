import ControlAPI
import GitHubREST
import JSONOutput
import MockHTTP
import Server
import StateDocuments
import ConcurrencySimulator
import Foundation
import Testing

/// Ids stop at 2^53 - 1: JavaScript clients read JSON numbers as doubles.
@Suite struct IdentifierLimitTests {
    static func state(runIDStart: Int, jobIDStart: Int) -> String {
        #"{"now":"2026-01-15T16:00:00Z","frozen":true,"run_id_start":\#(runIDStart),"job_id_start":\#(jobIDStart),"repositories":[{"owner":"acme","name":"app","workflows":[{"file":"one.yml","source":"on: push\njobs:\n  a: {}\n"},{"file":"three.yml","source":"on: push\njobs:\n  a: {}\n  b: {}\n  c: {}\n"}]}]}"#
    }

    static func refusal(_ resource: String, _ field: String, _ message: String, line: Int, column: Int) -> String {
        #"{"message":"Validation Failed","errors":[{"resource":"\#(resource)","field":"\#(field)","code":"invalid","message":"\#(message)","line":\#(line),"column":\#(column)}],"documentation_url":"README.md#control-api","status":"422"}"#
    }

    @Test func anImportedIdPastTheLimitIsRefusedAndChangesNothing() throws {
        let driver = try Driver()
        let before = driver.send("GET", "/_mock/state").text
        let answer = driver.send("PUT", "/_mock/state", #"{"now":"2026-01-15T16:00:00Z","run_id_start":9223372036854775806}"#)
        #expect(answer.status == 422)
        #expect(answer.text == Self.refusal(
            "State", "body",
            "request body:1:46: run_id_start must be at most 9007199254740991 (2^53 - 1, beyond which JavaScript clients lose precision)",
            line: 1, column: 46))
        #expect(driver.send("GET", "/_mock/state").text == before)
        driver.workflow("deploy.yml", ScenarioTests.deploy)
        #expect((0..<3).map { _ in driver.trigger("deploy.yml") } == [100, 101, 102])
    }

    @Test func theRunIdPastTheLimitIsRefusedAtTrigger() throws {
        let driver = try Driver()
        #expect(driver.send("PUT", "/_mock/state", Self.state(runIDStart: 9_007_199_254_740_991, jobIDStart: 1)).status == 200)
        let first = driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"one.yml"}"#)
        #expect(first.status == 201)
        #expect(first.json["id"] as? Int == 9_007_199_254_740_991)
        let exported = driver.send("GET", "/_mock/state")
        #expect(exported.json["run_id_start"] as? Int == 9_007_199_254_740_991)
        let second = driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"one.yml"}"#)
        #expect(second.status == 422)
        #expect(second.text == Self.refusal(
            "Run", "workflow",
            "one.yml: run ids are used up: the next would be 9007199254740992, past 9007199254740991 (2^53 - 1, beyond which JavaScript clients lose precision)",
            line: 0, column: 0))
        #expect(driver.send("GET", "/_mock/state").text == exported.text)
        #expect(driver.send("PUT", "/_mock/state", exported.text).status == 200, "an exported state with its ids used up loads back")
    }

    @Test func jobIdsPastTheLimitAreRefusedAtTrigger() throws {
        let driver = try Driver()
        #expect(driver.send("PUT", "/_mock/state", Self.state(runIDStart: 5, jobIDStart: 9_007_199_254_740_990)).status == 200)
        let before = driver.send("GET", "/_mock/state").text
        let answer = driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"three.yml"}"#)
        #expect(answer.status == 422)
        #expect(answer.text == Self.refusal(
            "Run", "workflow",
            "three.yml: job ids are used up: this run's 3 jobs would end at 9007199254740992, past 9007199254740991 (2^53 - 1, beyond which JavaScript clients lose precision)",
            line: 0, column: 0))
        #expect(driver.send("GET", "/_mock/state").text == before)
        #expect(driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"one.yml"}"#).status == 201, "two ids are left for a smaller run")
    }

    @Test func jobIdsPastTheLimitAreRefusedAtRerunBeforeAnythingChanges() throws {
        let driver = try Driver()
        #expect(driver.send("PUT", "/_mock/state", Self.state(runIDStart: 5, jobIDStart: 9_007_199_254_740_987)).status == 200)
        #expect(driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"three.yml"}"#).status == 201)
        #expect(driver.send("POST", "/_mock/repos/acme/app/runs/5/complete").status == 200)
        let before = driver.send("GET", "/_mock/state").text
        let message = "job ids are used up: this re-run's 3 jobs would end at 9007199254740992, past 9007199254740991 (2^53 - 1, beyond which JavaScript clients lose precision)"
        let control = driver.send("POST", "/_mock/repos/acme/app/runs/5/rerun")
        #expect(control.status == 422)
        #expect(control.text.contains(message), "\(control.text)")
        let github = driver.server.respond(to: HTTPRequest(
            method: "POST", target: "/repos/acme/app/actions/runs/5/rerun", headers: HTTPHeaders([("Authorization", "Bearer ghp_any")])))
        #expect(String(decoding: github.body, as: UTF8.self) == #"{"message":"\#(message)","documentation_url":"https://docs.github.com/rest/actions/workflow-runs#re-run-a-workflow","status":"422"}"#)
        #expect(driver.send("GET", "/_mock/state").text == before)
        // A job re-run of c alone needs one id, and gets the last.
        let job = driver.server.respond(to: HTTPRequest(
            method: "POST", target: "/repos/acme/app/actions/jobs/9007199254740989/rerun", headers: HTTPHeaders([("Authorization", "Bearer ghp_any")])))
        #expect(job.status == 201)
        #expect((driver.run(5)["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [9_007_199_254_740_987, 9_007_199_254_740_988, 9_007_199_254_740_990])
    }

    @Test func aPathIdPastTheLimitIsNotFound() throws {
        let driver = try Driver()
        #expect(driver.send("GET", "/_mock/repos/acme/app/runs/9007199254740992").status == 404)
        #expect(driver.send("GET", "/_mock/repos/acme/app/runs/99999999999999999999").status == 404)
    }
}
