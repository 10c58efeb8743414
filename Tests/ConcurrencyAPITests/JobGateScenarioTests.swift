import Foundation
import Testing

/// Job `if:`, outputs and when groups are evaluated, driven through the control API, with the
/// exact queues (read back through GitHub's endpoints) and run documents after every step.
@Suite struct JobGateScenarioTests {
    /// Triggers `file` as `actor`; answers the run id.
    @discardableResult
    func trigger(_ driver: Driver, _ file: String, actor: String = "octocat", event: String = "push") -> Int {
        let answer = driver.send(
            "POST", "/_mock/repos/acme/app/runs", #"{"workflow":"\#(file)","ref":"refs/heads/main","event":"\#(event)","actor":"\#(actor)"}"#)
        #expect(answer.status == 201, "\(answer.text)")
        return answer.json["id"] as? Int ?? -1
    }

    func complete(_ driver: Driver, _ job: Int, _ conclusion: String = "success", outputs: String = "{}") {
        let answer = driver.send(
            "POST", "/_mock/repos/acme/app/jobs/\(job)/complete", #"{"conclusion":"\#(conclusion)","outputs":\#(outputs)}"#)
        #expect(answer.status == 200, "\(answer.text)")
    }

    /// Each job of the run as `key status conclusion group`.
    func jobs(_ driver: Driver, _ run: Int) -> [String] {
        (driver.run(run)["jobs"] as? [[String: Any]] ?? []).map { job in
            let conclusion = job["conclusion"] as? String ?? "-"
            let group = job["concurrency_group"] as? String ?? "-"
            return "\(job["key"] as? String ?? "") \(job["status"] as? String ?? "") \(conclusion) \(group)"
        }
    }

    func outcome(_ driver: Driver, _ run: Int) -> String {
        let document = driver.run(run)
        return "\(document["status"] as? String ?? "") \(document["conclusion"] as? String ?? "-")"
    }

    /// The groups the run endpoint lists for the run.
    func runGroups(_ driver: Driver, _ run: Int) -> [String] {
        driver.send("GET", "/repos/acme/app/actions/runs/\(run)/concurrency_groups").groupNames
    }

    // MARK: - if:

    static let pipeline = """
        on: push
        jobs:
          build:
            outputs:
              ship: ${{ steps.decide.outputs.ship }}
            steps: [{ run: make }]
          test:
            needs: build
            steps: [{ run: make test }]
          notify:
            needs: [build, test]
            if: failure()
            concurrency: alerts
            steps: [{ run: ./page }]
          cleanup:
            needs: test
            if: ${{ always() }}
            steps: [{ run: ./clean }]
          publish:
            needs: test
            steps: [{ run: ./publish }]
          ship:
            needs: build
            if: needs.build.outputs.ship == 'yes' && needs.build.result == 'success'
            concurrency: ship-${{ needs.build.result }}
            steps: [{ run: ./ship }]
        """

    @Test func ifDecidesWhenTheJobBecomesReadyWithStatusFunctionsAndDefaultSuccess() throws {
        let driver = try Driver()
        driver.workflow("pipeline.yml", Self.pipeline)
        trigger(driver, "pipeline.yml")
        #expect(driver.queues() == [:])
        #expect(jobs(driver, 100) == [
            "build in_progress - -", "test queued - -", "notify queued - -", "cleanup queued - -", "publish queued - -", "ship queued - -",
        ])
        // A failed build: test and ship are skipped (success() is false), notify runs (failure()
        // through the failed build and the skipped test), cleanup runs (always()), publish is
        // skipped because test was.
        complete(driver, 1000, "failure", outputs: #"{"ship":"yes"}"#)
        #expect(driver.queues() == ["alerts": ["100/1002 in_progress"]])
        #expect(jobs(driver, 100) == [
            "build completed failure -", "test completed skipped -", "notify in_progress - alerts", "cleanup in_progress - -",
            "publish completed skipped -", "ship completed skipped -",
        ])
        #expect(runGroups(driver, 100) == ["alerts"])
        complete(driver, 1002)
        #expect(driver.queues() == [:])
        complete(driver, 1003)
        #expect(outcome(driver, 100) == "completed failure")

        // A build that succeeds and says ship: test and ship run, ship's group is evaluated
        // with the real result; notify is skipped (nothing failed), cleanup and publish run.
        trigger(driver, "pipeline.yml")
        complete(driver, 1006, outputs: #"{"ship":"yes"}"#)
        #expect(driver.queues() == ["ship-success": ["101/1011 in_progress"]])
        #expect(jobs(driver, 101) == [
            "build completed success -", "test in_progress - -", "notify queued - -", "cleanup queued - -", "publish queued - -",
            "ship in_progress - ship-success",
        ])
        complete(driver, 1007)
        #expect(jobs(driver, 101) == [
            "build completed success -", "test completed success -", "notify completed skipped -", "cleanup in_progress - -",
            "publish in_progress - -", "ship in_progress - ship-success",
        ])
        #expect(runGroups(driver, 101) == ["ship-success"])

        // A build that does not say ship: ship is skipped by its own condition and joins nothing.
        trigger(driver, "pipeline.yml")
        complete(driver, 1012, outputs: #"{"ship":"no"}"#)
        #expect(driver.queues() == ["ship-success": ["101/1011 in_progress"]])
        #expect(jobs(driver, 102).last == "ship completed skipped -")
        let skipped = (driver.run(102)["jobs"] as? [[String: Any]] ?? []).last
        #expect(skipped?["cancelled_by"] is NSNull, "skipped by its own if:, not by a failed need")
    }

    @Test func aJobCancelledByItsGroupLetsAlwaysAndCancelledDependentsRun() throws {
        let driver = try Driver()
        driver.workflow("ship.yml", """
            on: push
            jobs:
              deploy:
                concurrency: { group: env, cancel-in-progress: true }
              report:
                needs: deploy
                if: always()
                concurrency: report-${{ needs.deploy.result }}
              notify:
                needs: deploy
                if: ${{ cancelled() }}
              next:
                needs: deploy
            """)
        trigger(driver, "ship.yml")
        #expect(driver.queues() == ["env": ["100/1000 in_progress"]])
        trigger(driver, "ship.yml")
        #expect(driver.queues() == ["env": ["101/1004 in_progress"], "report-cancelled": ["100/1001 in_progress"]])
        #expect(jobs(driver, 100) == [
            "deploy completed cancelled env", "report in_progress - report-cancelled", "notify in_progress - -", "next completed skipped -",
        ])
        let skips = driver.send("GET", "/_mock/events?run_id=100&type=job.completed").text
        #expect(skips.contains(#""job_id":1003"#) && skips.contains(#""reason":"needs_failed""#), "\(skips)")
        complete(driver, 1001)
        complete(driver, 1002)
        #expect(driver.queues() == ["env": ["101/1004 in_progress"]])
        #expect(outcome(driver, 100) == "completed cancelled")
    }

    @Test func anIfInsideACalledWorkflowSeesItsOwnNeeds() throws {
        let driver = try Driver()
        driver.workflow("called.yml", """
            on: workflow_call
            jobs:
              check:
                steps: [{ run: ./check }]
              fix:
                needs: check
                if: failure()
                concurrency: fix-${{ github.ref_name }}
            """)
        driver.workflow("ci.yml", """
            on: push
            jobs:
              call:
                uses: ./.github/workflows/called.yml
            """)
        trigger(driver, "ci.yml")
        complete(driver, 1001, "failure")
        #expect(driver.queues() == ["fix-main": ["100/1002 in_progress"]])
        complete(driver, 1002)
        #expect(driver.queues() == [:])
        #expect(jobs(driver, 100) == ["call completed failure -", "call/check completed failure -", "call/fix completed success fix-main"])
    }

    static let calledBuild = """
        on:
          workflow_call:
            outputs:
              version:
                description: the version built
                value: v${{ jobs.build.outputs.version }}
        concurrency: build-${{ github.ref_name }}
        jobs:
          build:
            outputs:
              version: ${{ steps.v.outputs.version }}
            steps: [{ run: make }]
        """

    static let callerWithOutputs = """
        on: [push, workflow_dispatch]
        jobs:
          call:
            uses: ./.github/workflows/build.yml
          manual:
            if: github.event_name == 'workflow_dispatch'
            uses: ./.github/workflows/build.yml
          release:
            needs: call
            concurrency: release-${{ needs.call.outputs.version }}
            steps: [{ run: ./release }]
        """

    @Test func aUsesJobHasAnIfAndItsCalledWorkflowsOutputs() throws {
        let driver = try Driver()
        driver.workflow("build.yml", Self.calledBuild)
        driver.workflow("release.yml", Self.callerWithOutputs)
        trigger(driver, "release.yml")
        // The skipped uses: job never asks for its called workflow's group.
        #expect(driver.queues() == ["build-main": ["100/1000 in_progress"]])
        #expect(jobs(driver, 100) == [
            "call in_progress - -", "call/build in_progress - -", "manual completed skipped -", "manual/build completed skipped -",
            "release queued - -",
        ])
        complete(driver, 1001, outputs: #"{"version":"1.2"}"#)
        #expect(driver.queues() == ["release-v1.2": ["100/1004 in_progress"]])
        #expect(jobs(driver, 100).last == "release in_progress - release-v1.2")
        let exported = try JSONSerialization.jsonObject(with: Data(driver.send("GET", "/_mock/state").text.utf8)) as? [String: Any]
        let runs = ((exported?["repositories"] as? [[String: Any]])?.first?["runs"] as? [[String: Any]]) ?? []
        let call = (runs.first?["jobs"] as? [[String: Any]])?.first
        #expect(call?["outputs"] as? [String: String] == ["version": "v1.2"])
    }

    @Test func aReRunOfAFailedCalledJobRunsTheCalledWorkflowAgainAndItsOutputsReachTheNewJobs() throws {
        let driver = try Driver()
        driver.workflow("build.yml", Self.calledBuild + "\n" + """
              check:
                needs: build
                steps: [{ run: make check }]
            """)
        driver.workflow("release.yml", Self.callerWithOutputs)
        trigger(driver, "release.yml")
        // call 1000 (build 1001, check 1002), manual 1003 (build 1004, check 1005), release 1006.
        complete(driver, 1001, outputs: #"{"version":"1.2"}"#)
        complete(driver, 1002, "failure")
        #expect(jobs(driver, 100).last == "release completed skipped -")
        #expect(driver.send("POST", "/_mock/repos/acme/app/runs/100/rerun", #"{"failed_only":true}"#).status == 200)
        // check failed inside call: call runs its whole called workflow again, and release, which
        // needs call, runs again too, as 1007 to 1010; manual (skipped) is carried over.
        #expect(driver.queues() == ["build-main": ["100/1007 in_progress"]])
        #expect(jobs(driver, 100) == [
            "call in_progress - -", "call/build in_progress - -", "call/check queued - -", "manual completed skipped -",
            "manual/build completed skipped -", "manual/check completed skipped -", "release queued - -",
        ])
        #expect((driver.run(100)["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [1007, 1008, 1009, 1003, 1004, 1005, 1010])
        complete(driver, 1008, outputs: #"{"version":"2.0"}"#)
        complete(driver, 1009)
        // The new release reads the new call's outputs; attempt 1's release stays skipped.
        #expect(driver.queues() == ["release-v2.0": ["100/1010 in_progress"]])
        let old = driver.send("GET", "/repos/acme/app/actions/jobs/1006").json
        #expect(old["conclusion"] as? String == "skipped")
        #expect(old["run_attempt"] as? Int == 1)
        let exported = driver.send("GET", "/_mock/state").text
        let reloaded = try Driver()
        #expect(reloaded.send("PUT", "/_mock/state", exported).status == 200)
        #expect(reloaded.send("GET", "/_mock/state").text == exported)
        complete(reloaded, 1010)
        #expect(reloaded.run(100)["conclusion"] as? String == "success")
    }

    // MARK: - When groups are evaluated

    static let botReviewWorkflowLevel = """
        name: Review
        on: push
        concurrency:
          group: review-${{ github.ref_name }}
          cancel-in-progress: true
        jobs:
          review:
            if: github.actor != 'dependabot[bot]'
            steps: [{ run: ./review }]
        """

    @Test func aWorkflowLevelGroupIsClaimedBeforeAnyIfSoAnAllSkippedRunStillCancels() throws {
        let driver = try Driver()
        driver.workflow("review.yml", Self.botReviewWorkflowLevel)
        trigger(driver, "review.yml")
        #expect(driver.queues() == ["review-main": ["100 in_progress"]])
        #expect(jobs(driver, 100) == ["review in_progress - -"])
        trigger(driver, "review.yml", actor: "dependabot[bot]")
        #expect(driver.queues() == [:])
        #expect(jobs(driver, 101) == ["review completed skipped -"])
        #expect(outcome(driver, 101) == "completed skipped")
        #expect(outcome(driver, 100) == "completed cancelled")
        #expect(driver.run(100)["cancellation_reason"] as? String == "Canceling since a higher priority waiting request for 'review-main' exists")
        #expect(runGroups(driver, 101) == ["review-main"])
    }

    static let botReviewJobLevel = """
        name: Review
        on: push
        jobs:
          review:
            if: github.actor != 'dependabot[bot]'
            concurrency:
              group: review-${{ github.ref_name }}
              cancel-in-progress: true
            steps: [{ run: ./review }]
        """

    @Test func aSkippedJobNeverAsksForItsJobLevelGroup() throws {
        let driver = try Driver()
        driver.workflow("review.yml", Self.botReviewJobLevel)
        trigger(driver, "review.yml")
        #expect(driver.queues() == ["review-main": ["100/1000 in_progress"]])
        trigger(driver, "review.yml", actor: "dependabot[bot]")
        #expect(driver.queues() == ["review-main": ["100/1000 in_progress"]])
        #expect(driver.send("GET", "/_mock/repos/acme/app/runs/101").text == #"{"id":101,"name":"Review","workflow":"review.yml","status":"completed","conclusion":"skipped","cancellation_reason":null,"cancelled_by":null,"concurrency_groups":[],"jobs":[{"id":1001,"key":"review","name":"review","status":"completed","conclusion":"skipped","parent_id":null,"concurrency_group":null,"workflow_concurrency_group":null,"cancellation_reason":null,"cancelled_by":null}]}"#)
        #expect(runGroups(driver, 101) == [])
        #expect(outcome(driver, 100) == "in_progress -")
        trigger(driver, "review.yml")
        #expect(driver.queues() == ["review-main": ["102/1002 in_progress"]])
        #expect(outcome(driver, 100) == "completed cancelled")
    }

    static let groupFromOutput = """
        name: Deploy
        on: push
        jobs:
          plan:
            outputs:
              environment: ${{ steps.pick.outputs.environment }}
            steps: [{ id: pick, run: ./pick }]
          deploy:
            needs: plan
            concurrency:
              group: deploy-${{ needs.plan.outputs.environment }}
              cancel-in-progress: ${{ needs.plan.outputs.environment != 'production' }}
            steps: [{ run: ./deploy }]
        """

    @Test func aJobLevelGroupIsEvaluatedWhenTheJobBecomesReady() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.groupFromOutput)
        trigger(driver, "deploy.yml")
        #expect(driver.queues() == [:])
        #expect(driver.send("GET", "/_mock/repos/acme/app/runs/100").text == #"{"id":100,"name":"Deploy","workflow":"deploy.yml","status":"in_progress","conclusion":null,"cancellation_reason":null,"cancelled_by":null,"concurrency_groups":[],"jobs":[{"id":1000,"key":"plan","name":"plan","status":"in_progress","conclusion":null,"parent_id":null,"concurrency_group":null,"workflow_concurrency_group":null,"cancellation_reason":null,"cancelled_by":null},{"id":1001,"key":"deploy","name":"deploy","status":"queued","conclusion":null,"parent_id":null,"concurrency_group":null,"workflow_concurrency_group":null,"cancellation_reason":null,"cancelled_by":null}]}"#)
        let unknown = driver.send("GET", "/repos/acme/app/actions/runs/100/concurrency_groups")
        #expect(unknown.status == 200)
        #expect(unknown.json["total_count"] as? Int == 0)
        complete(driver, 1000, outputs: #"{"environment":"production"}"#)
        #expect(driver.queues() == ["deploy-production": ["100/1001 in_progress"]])
        #expect(driver.send("GET", "/_mock/repos/acme/app/runs/100").text == #"{"id":100,"name":"Deploy","workflow":"deploy.yml","status":"in_progress","conclusion":null,"cancellation_reason":null,"cancelled_by":null,"concurrency_groups":["deploy-production"],"jobs":[{"id":1000,"key":"plan","name":"plan","status":"completed","conclusion":"success","parent_id":null,"concurrency_group":null,"workflow_concurrency_group":null,"cancellation_reason":null,"cancelled_by":null},{"id":1001,"key":"deploy","name":"deploy","status":"in_progress","conclusion":null,"parent_id":null,"concurrency_group":"deploy-production","workflow_concurrency_group":null,"cancellation_reason":null,"cancelled_by":null}]}"#)
        #expect(runGroups(driver, 100) == ["deploy-production"])

        trigger(driver, "deploy.yml")
        #expect(driver.queues() == ["deploy-production": ["100/1001 in_progress"]])
        complete(driver, 1002, outputs: #"{"environment":"production"}"#)
        #expect(driver.queues() == ["deploy-production": ["100/1001 in_progress", "101/1003 pending"]])

        trigger(driver, "deploy.yml")
        complete(driver, 1004, outputs: #"{"environment":"staging"}"#)
        #expect(driver.queues() == ["deploy-production": ["100/1001 in_progress", "101/1003 pending"], "deploy-staging": ["102/1005 in_progress"]])
        trigger(driver, "deploy.yml")
        complete(driver, 1006, outputs: #"{"environment":"staging"}"#)
        #expect(driver.queues() == ["deploy-production": ["100/1001 in_progress", "101/1003 pending"], "deploy-staging": ["103/1007 in_progress"]])
        #expect(outcome(driver, 102) == "completed cancelled")
    }

    @Test func aStateWithPendingGatesExportsImportsAndExportsTheSameBytes() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.groupFromOutput)
        driver.workflow("pipeline.yml", Self.pipeline)
        trigger(driver, "deploy.yml")
        trigger(driver, "pipeline.yml")
        complete(driver, 1002, outputs: #"{"ship":"yes","note":"line\nbreak \"quoted\""}"#)
        let exported = driver.send("GET", "/_mock/state").text
        let reloaded = try Driver()
        #expect(reloaded.send("PUT", "/_mock/state", exported).status == 200)
        #expect(reloaded.send("GET", "/_mock/state").text == exported)
        // The reloaded gates decide as the originals would.
        complete(reloaded, 1000, outputs: #"{"environment":"qa"}"#)
        #expect(reloaded.queues() == ["deploy-qa": ["100/1001 in_progress"], "ship-success": ["101/1007 in_progress"]])
    }

    @Test func anImportedGateIsCheckedBeforeTheStateIsReplaced() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.groupFromOutput)
        driver.workflow("pipeline.yml", Self.pipeline)
        trigger(driver, "deploy.yml")
        trigger(driver, "pipeline.yml")
        let exported = driver.send("GET", "/_mock/state").text
        #expect(exported.contains(#""if":"failure()""#))
        let broken = exported.replacingOccurrences(of: #""if":"failure()""#, with: #""if":"failure(""#)
        let refused = driver.send("PUT", "/_mock/state", broken)
        #expect(refused.status == 422)
        #expect(refused.text.contains("the gate is invalid: if: "), "\(refused.text)")
        let decided = exported.replacingOccurrences(
            of: #""status":"queued","conclusion":null,"cancellation_reason":null,"cancelled_by":null,"run_attempt":1,"created_at":"2026-01-15T16:00:00Z","started_at":null,"completed_at":null,"concurrency":null,"gate":{"file":"deploy.yml""#,
            with: #""status":"queued","conclusion":null,"cancellation_reason":null,"cancelled_by":null,"run_attempt":1,"created_at":"2026-01-15T16:00:00Z","started_at":null,"completed_at":null,"concurrency":{"group":"early","cancel_in_progress":false,"queue":"single"},"gate":{"file":"deploy.yml""#)
        #expect(decided != exported)
        let early = driver.send("PUT", "/_mock/state", decided)
        #expect(early.status == 422)
        #expect(early.text.contains("its gate has not decided its concurrency yet"), "\(early.text)")
        #expect(driver.send("GET", "/_mock/state").text == exported, "nothing changed")
    }

    static let attemptGroup = """
        on: push
        jobs:
          deploy:
            concurrency: attempt-${{ github.run_attempt }}
            steps: [{ run: ./deploy }]
        """

    @Test func aReRunEvaluatesJobLevelGroupsAgainWithItsAttempt() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.attemptGroup)
        trigger(driver, "deploy.yml")
        #expect(driver.queues() == ["attempt-1": ["100/1000 in_progress"]])
        complete(driver, 1000)
        #expect(driver.queues() == [:])
        #expect(driver.send("POST", "/_mock/repos/acme/app/runs/100/rerun").status == 200)
        // The new attempt's job is a new record, 1001; job 1000 stays attempt 1's.
        #expect(driver.queues() == ["attempt-2": ["100/1001 in_progress"]])
        #expect(runGroups(driver, 100) == ["attempt-1", "attempt-2"])
    }

    @Test func aReRunEvaluatesTheWorkflowLevelGroupAgainWithItsAttempt() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", """
            on: push
            concurrency: run-${{ github.run_attempt }}
            jobs:
              deploy:
                steps: [{ run: ./deploy }]
            """)
        trigger(driver, "deploy.yml")
        #expect(driver.queues() == ["run-1": ["100 in_progress"]])
        complete(driver, 1000)
        #expect(driver.queues() == [:])
        #expect(driver.send("POST", "/_mock/repos/acme/app/runs/100/rerun").status == 200)
        #expect(driver.queues() == ["run-2": ["100 in_progress"]])
        #expect(runGroups(driver, 100) == ["run-1", "run-2"])
        let exported = driver.send("GET", "/_mock/state").text
        let reloaded = try Driver()
        #expect(reloaded.send("PUT", "/_mock/state", exported).status == 200)
        #expect(reloaded.send("GET", "/_mock/state").text == exported)
        complete(reloaded, 1001)
        #expect(reloaded.send("POST", "/_mock/repos/acme/app/runs/100/rerun").status == 200)
        #expect(reloaded.queues() == ["run-3": ["100 in_progress"]])
    }

    @Test func outputsAreValidatedBeforeAnythingChanges() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.groupFromOutput)
        trigger(driver, "deploy.yml")
        for body in [#"{"outputs":[1]}"#, #"{"outputs":{"a":1}}"#, #"{"outputs":{"":"x"}}"#, #"{"outputs":{"a\u0001":"x"}}"#] {
            let answer = driver.send("POST", "/_mock/repos/acme/app/jobs/1000/complete", body)
            #expect(answer.status == 422, "\(body)")
            #expect(answer.text.contains(#""field":"outputs""#), "\(body): \(answer.text)")
        }
        #expect(jobs(driver, 100) == ["plan in_progress - -", "deploy queued - -"])
    }
}
