import Foundation
import Testing

/// The event journal: every change in order, cancellations with their cause, and the run
/// document's `cancelled_by`.
@Suite struct EventJournalTests {
    /// `type run job group kind conclusion cause(reason by_run)` per event, compactly.
    func lines(_ answer: Answer) -> [String] {
        (answer.json["events"] as? [[String: Any]] ?? []).map { event in
            var parts = [event["type"] as? String ?? "?"]
            if let run = event["run_id"] as? Int { parts.append("run=\(run)") }
            if let job = event["job_id"] as? Int { parts.append("job=\(job)") }
            if let group = event["group"] as? String { parts.append("group=\(group)") }
            if let kind = event["kind"] as? String { parts.append("kind=\(kind)") }
            if let conclusion = event["conclusion"] as? String { parts.append("conclusion=\(conclusion)") }
            if let cause = event["cause"] as? [String: Any] {
                parts.append("cause=\(cause["reason"] as? String ?? "?")/\(cause["by_run_id"] as? Int ?? 0)")
            }
            return parts.joined(separator: " ")
        }
    }

    @Test func aSupersededRunNamesTheNewcomerAndTheJournalHoldsWhatHappenedInOrder() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", ScenarioTests.deploy)
        let first = driver.trigger("deploy.yml")
        let second = driver.trigger("deploy.yml")
        let third = driver.trigger("deploy.yml")
        #expect([first, second, third] == [100, 101, 102] as [Int])

        let superseded = driver.run(second)
        let cause = try #require(superseded["cancelled_by"] as? [String: Any])
        #expect(cause["reason"] as? String == "superseded")
        #expect(cause["by_run_id"] as? Int == third)
        #expect(cause["by_job_id"] is NSNull)
        #expect(cause["group"] as? String == "deploy-main")
        #expect(cause["message"] as? String == "Canceling since a higher priority waiting request for 'deploy-main' exists")
        let jobs = superseded["jobs"] as? [[String: Any]] ?? []
        #expect((jobs.first?["cancelled_by"] as? [String: Any])?["by_run_id"] as? Int == third)
        #expect(driver.run(first)["cancelled_by"] is NSNull)

        let journal = driver.send("GET", "/_mock/events")
        #expect(journal.status == 200)
        #expect(journal.json["oldest_seq"] as? Int == 1)
        #expect(lines(journal) == [
            "run.created run=100",
            "group.requested run=100 group=deploy-main kind=workflow",
            "group.acquired run=100 group=deploy-main kind=workflow",
            "job.started run=100 job=1000",
            "run.created run=101",
            "group.requested run=101 group=deploy-main kind=workflow",
            "run.created run=102",
            "run.cancelled run=101 cause=superseded/102",
            "job.cancelled run=101 job=1001 cause=superseded/102",
            "job.completed run=101 job=1001 conclusion=cancelled",
            "group.released run=101 group=deploy-main kind=workflow",
            "run.completed run=101 conclusion=cancelled",
            "group.requested run=102 group=deploy-main kind=workflow",
        ])
        #expect(journal.json["total_count"] as? Int == 13)
    }

    @Test func filtersSelectByRunGroupTypeAndRepositoryAndSinceResumes() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", ScenarioTests.deploy)
        driver.trigger("deploy.yml")
        driver.trigger("deploy.yml")
        driver.trigger("deploy.yml")
        #expect(lines(driver.send("GET", "/_mock/events?run_id=101&type=run.cancelled")) == ["run.cancelled run=101 cause=superseded/102"])
        #expect(driver.send("GET", "/_mock/events?group=DEPLOY-MAIN").json["total_count"] as? Int == 7)
        #expect(driver.send("GET", "/_mock/events?repository=ACME/app").json["total_count"] as? Int == 13)
        #expect(driver.send("GET", "/_mock/events?repository=acme/other").json["total_count"] as? Int == 0)
        let afterTen = driver.send("GET", "/_mock/events?since=10&limit=2")
        #expect(lines(afterTen) == ["group.released run=101 group=deploy-main kind=workflow", "run.completed run=101 conclusion=cancelled"])
        #expect(afterTen.json["total_count"] as? Int == 3)
    }

    @Test func theClockAndTheWholeStateAreEventsTooAndTheJournalOutlivesAReset() throws {
        let driver = try Driver()
        driver.send("POST", "/_mock/clock/advance", #"{"seconds":60}"#)
        driver.send("POST", "/_mock/reset")
        let exported = driver.send("GET", "/_mock/state")
        driver.send("PUT", "/_mock/state", exported.text)
        let journal = driver.send("GET", "/_mock/events")
        #expect(lines(journal) == ["clock.changed", "state.reset", "state.replaced"])
        let at = (journal.json["events"] as? [[String: Any]] ?? []).map { $0["at"] as? String ?? "" }
        #expect(at == ["2026-01-15T16:01:00Z", "2026-01-15T16:00:00Z", "2026-01-15T16:00:00Z"])
    }

    @Test func badFiltersAreRefusedWithTheFieldAtFault() throws {
        let driver = try Driver()
        for (query, field) in [("since=-1", "since"), ("limit=0", "limit"), ("run_id=x", "run_id"), ("repository=acme", "repository"), ("type=run.started", "type")] {
            let answer = driver.send("GET", "/_mock/events?\(query)")
            #expect(answer.status == 422, "\(query)")
            let errors = answer.json["errors"] as? [[String: Any]] ?? []
            #expect(errors.first?["field"] as? String == field, "\(query)")
        }
    }

    @Test func aJobSkippedForAFailedNeedCarriesItsCauseOnItsCompletion() throws {
        let driver = try Driver()
        driver.workflow("ci.yml", """
            name: CI
            on: push
            jobs:
              build:
                runs-on: ubuntu-latest
                steps: [{ run: make }]
              test:
                needs: build
                runs-on: ubuntu-latest
                steps: [{ run: make test }]
            """)
        let run = driver.trigger("ci.yml")
        driver.completeJob(1000, "failure")
        let skipped = driver.send("GET", "/_mock/events?type=job.completed&run_id=\(run)")
        let events = skipped.json["events"] as? [[String: Any]] ?? []
        #expect(events.count == 2)
        let cause = events.last?["cause"] as? [String: Any]
        #expect(events.last?["conclusion"] as? String == "skipped")
        #expect(cause?["reason"] as? String == "needs_failed")
        #expect(cause?["by_job_id"] as? Int == 1000)
        #expect(cause?["message"] as? String == "Skipped since job 'build' it needs concluded failure")
        let test = (driver.run(run)["jobs"] as? [[String: Any]] ?? []).last
        #expect(test?["conclusion"] as? String == "skipped")
        #expect(test?["cancelled_by"] is NSNull)
    }
}
