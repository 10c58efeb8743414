import Testing

/// A trigger body may carry the event's payload; it becomes `github.event`.
@Suite struct TriggerPayloadTests {
    @Test func twoPushesToOnePullRequestReplaceEachOtherButAnotherPullRequestDoesNot() throws {
        let driver = try Driver()
        driver.workflow("ci.yml", """
            name: CI
            on: [push, pull_request]
            concurrency:
              group: ${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}
              cancel-in-progress: ${{ github.event_name == 'pull_request' }}
            jobs:
              test:
                runs-on: ubuntu-latest
                steps: [{ run: make test }]
            """)
        let first = driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"ci.yml","event":"pull_request","ref":"refs/pull/7/merge"}"#)
        let other = driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"ci.yml","event":"pull_request","ref":"refs/pull/8/merge"}"#)
        let second = driver.send(
            "POST", "/_mock/repos/acme/app/runs",
            #"{"workflow":"ci.yml","event":"pull_request","ref":"refs/pull/7/merge","payload":{"action":"synchronize"}}"#)
        #expect([first.status, other.status, second.status] == [201, 201, 201])
        #expect(driver.queues() == ["CI-7": ["102 in_progress"], "CI-8": ["101 in_progress"]])
        let replaced = driver.run(100)
        #expect(replaced["conclusion"] as? String == "cancelled")
        #expect((replaced["cancelled_by"] as? [String: Any])?["reason"] as? String == "cancel_in_progress")
    }

    @Test func aPayloadThatIsNotAMappingIsRefusedAndNothingRuns() throws {
        let driver = try Driver()
        driver.workflow("ci.yml", "on: push\njobs:\n  go: {}\n")
        let answer = driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"ci.yml","payload":[1]}"#)
        #expect(answer.status == 422)
        let errors = answer.json["errors"] as? [[String: Any]] ?? []
        #expect(errors.first?["message"] as? String == "request body:1:32: payload must be a mapping (the event's webhook payload)")
        #expect(driver.send("GET", "/_mock/events").json["total_count"] as? Int == 0)
    }
}
