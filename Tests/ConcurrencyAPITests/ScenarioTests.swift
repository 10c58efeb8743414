import Testing

/// One scenario per queue rule, driven through the control API, with the exact queue of every
/// active group (read back through GitHub's endpoints) after every step.
@Suite struct ScenarioTests {
    enum Step: Sendable {
        case trigger(String, ref: String = "refs/heads/main", inputs: String = "{}")
        case completeJob(Int, String = "success")
        case completeRun(Int)
        case cancelRun(Int)
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let workflows: [(String, String)]
        /// Each step with the queues expected after it.
        let steps: [(Step, [String: [String]])]
        /// Run document fields expected at the end: run id → (status, conclusion, reason).
        var runs: [Int: (String, String?, String?)] = [:]
        var testDescription: String { name }
    }

    static let deploy = """
        name: Deploy
        on: [push, workflow_dispatch]
        concurrency:
          group: deploy-${{ github.ref_name }}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps: [{ run: ./deploy }]
        """

    static let deployMax = """
        name: Deploy
        on: push
        concurrency:
          group: deploy-${{ github.ref_name }}
          queue: max
        jobs:
          deploy:
            steps: [{ run: ./deploy }]
        """

    static let deployCancelling = """
        name: Deploy
        on: push
        concurrency:
          group: deploy-${{ github.ref_name }}
          cancel-in-progress: ${{ github.event_name == 'PUSH' }}
        jobs:
          deploy:
            steps: [{ run: ./deploy }]
        """

    static let calledDeploy = """
        name: Shared deploy
        on:
          workflow_call:
            inputs:
              environment: { type: string, required: true }
        concurrency: deploy-${{ inputs.environment }}
        jobs:
          deploy:
            name: Deploy to ${{ inputs.environment }}
            steps: [{ run: ./deploy }]
        """

    static let release = """
        name: Release
        on: push
        jobs:
          build:
            steps: [{ run: make }]
          ship:
            needs: build
            uses: ./.github/workflows/shared.yml
            with:
              environment: prod
        """

    static let releaseDeadlock = """
        name: Release
        on: push
        concurrency: deploy-prod
        jobs:
          ship:
            uses: ./.github/workflows/shared.yml
            with: { environment: prod }
        """

    static let matrix = """
        name: CI
        on: push
        jobs:
          test:
            strategy:
              matrix:
                os: [linux, macos]
                node: [20]
                include:
                  - os: windows
                    node: 22
            concurrency: test-${{ matrix.os }}
            steps: [{ run: npm test }]
          report:
            needs: test
            steps: [{ run: ./report }]
        """

    static let scenarios: [Scenario] = [
        Scenario(
            name: "queue single: a newer waiting run cancels the waiting one",
            workflows: [("deploy.yml", deploy)],
            steps: [
                (.trigger("deploy.yml"), ["deploy-main": ["100 in_progress"]]),
                (.trigger("deploy.yml"), ["deploy-main": ["100 in_progress", "101 pending"]]),
                (.trigger("deploy.yml"), ["deploy-main": ["100 in_progress", "102 pending"]]),
                (.trigger("deploy.yml", ref: "refs/heads/dev"), ["deploy-main": ["100 in_progress", "102 pending"], "deploy-dev": ["103 in_progress"]]),
                (.completeJob(1000), ["deploy-main": ["102 in_progress"], "deploy-dev": ["103 in_progress"]]),
            ],
            runs: [
                100: ("completed", "success", nil),
                101: ("completed", "cancelled", "Canceling since a higher priority waiting request for 'deploy-main' exists"),
                102: ("in_progress", nil, nil),
            ]),
        Scenario(
            name: "queue max: runs wait in FIFO order",
            workflows: [("deploy.yml", deployMax)],
            steps: [
                (.trigger("deploy.yml"), ["deploy-main": ["100 in_progress"]]),
                (.trigger("deploy.yml"), ["deploy-main": ["100 in_progress", "101 pending"]]),
                (.trigger("deploy.yml"), ["deploy-main": ["100 in_progress", "101 pending", "102 pending"]]),
                (.completeRun(100), ["deploy-main": ["101 in_progress", "102 pending"]]),
                (.cancelRun(102), ["deploy-main": ["101 in_progress"]]),
                (.completeRun(101), [:]),
            ],
            runs: [102: ("completed", "cancelled", "The run was canceled by @concurrency-mock.")]),
        Scenario(
            name: "cancel-in-progress as an expression cancels the holder",
            workflows: [("deploy.yml", deployCancelling)],
            steps: [
                (.trigger("deploy.yml"), ["deploy-main": ["100 in_progress"]]),
                (.trigger("deploy.yml"), ["deploy-main": ["101 in_progress"]]),
            ],
            runs: [100: ("completed", "cancelled", "Canceling since a higher priority waiting request for 'deploy-main' exists")]),
        Scenario(
            name: "a uses: job holds the called workflow's lease, then its jobs run",
            workflows: [("shared.yml", calledDeploy), ("release.yml", release), ("deploy.yml", deploy)],
            steps: [
                (.trigger("release.yml"), [:]),
                (.trigger("release.yml"), [:]),
                (.completeJob(1000), ["deploy-prod": ["100/1001 in_progress"]]),
                (.completeJob(1003), ["deploy-prod": ["100/1001 in_progress", "101/1004 pending"]]),
                (.completeJob(1002), ["deploy-prod": ["101/1004 in_progress"]]),
                (.completeRun(101), [:]),
            ],
            runs: [100: ("completed", "success", nil), 101: ("completed", "success", nil)]),
        Scenario(
            name: "a called workflow waiting on its caller's group is a deadlock",
            workflows: [("shared.yml", calledDeploy), ("release.yml", releaseDeadlock)],
            steps: [(.trigger("release.yml"), [:])],
            runs: [100: ("completed", "cancelled", "Canceling since a deadlock was detected for concurrency group: 'deploy-prod' between a top level workflow and 'ship'")]),
        Scenario(
            name: "matrix legs hold job-level groups; a failed leg skips its dependents",
            workflows: [("ci.yml", matrix)],
            steps: [
                (.trigger("ci.yml"), ["test-linux": ["100/1000 in_progress"], "test-macos": ["100/1001 in_progress"], "test-windows": ["100/1002 in_progress"]]),
                (.trigger("ci.yml"), ["test-linux": ["100/1000 in_progress", "101/1004 pending"], "test-macos": ["100/1001 in_progress", "101/1005 pending"], "test-windows": ["100/1002 in_progress", "101/1006 pending"]]),
                (.completeJob(1000, "failure"), ["test-linux": ["101/1004 in_progress"], "test-macos": ["100/1001 in_progress", "101/1005 pending"], "test-windows": ["100/1002 in_progress", "101/1006 pending"]]),
                (.completeRun(100), ["test-linux": ["101/1004 in_progress"], "test-macos": ["101/1005 in_progress"], "test-windows": ["101/1006 in_progress"]]),
            ],
            runs: [100: ("completed", "failure", nil), 101: ("in_progress", nil, nil)]),
    ]

    @Test(arguments: scenarios)
    func scenario(_ scenario: Scenario) throws {
        let driver = try Driver()
        for (file, yaml) in scenario.workflows { driver.workflow(file, yaml) }
        for (index, (step, expected)) in scenario.steps.enumerated() {
            switch step {
            case .trigger(let file, let ref, let inputs): driver.trigger(file, ref: ref, inputs: inputs)
            case .completeJob(let id, let conclusion): driver.completeJob(id, conclusion)
            case .completeRun(let id): #expect(driver.send("POST", "/_mock/repos/acme/app/runs/\(id)/complete").status == 200)
            case .cancelRun(let id): #expect(driver.send("POST", "/_mock/repos/acme/app/runs/\(id)/cancel").status == 200)
            }
            #expect(driver.queues() == expected, "after step \(index + 1)")
        }
        for (id, (status, conclusion, reason)) in scenario.runs {
            let run = driver.run(id)
            #expect(run["status"] as? String == status, "run \(id)")
            #expect(run["conclusion"] as? String == conclusion, "run \(id)")
            #expect(run["cancellation_reason"] as? String == reason, "run \(id)")
        }
    }

    @Test func theRunDocumentShowsTheJobTreeAndEveryConfiguredGroup() throws {
        let driver = try Driver()
        driver.workflow("shared.yml", Self.calledDeploy)
        driver.workflow("release.yml", Self.release)
        let id = driver.trigger("release.yml")
        let answer = driver.send("GET", "/_mock/repos/acme/app/runs/\(id)")
        #expect(answer.text == #"{"id":100,"name":"Release","workflow":"release.yml","status":"in_progress","conclusion":null,"cancellation_reason":null,"cancelled_by":null,"concurrency_groups":["deploy-prod"],"jobs":[{"id":1000,"key":"build","name":"build","status":"in_progress","conclusion":null,"parent_id":null,"concurrency_group":null,"workflow_concurrency_group":null,"cancellation_reason":null,"cancelled_by":null},{"id":1001,"key":"ship","name":"ship","status":"queued","conclusion":null,"parent_id":null,"concurrency_group":null,"workflow_concurrency_group":"deploy-prod","cancellation_reason":null,"cancelled_by":null},{"id":1002,"key":"ship/deploy","name":"ship / Deploy to prod","status":"queued","conclusion":null,"parent_id":1001,"concurrency_group":null,"workflow_concurrency_group":null,"cancellation_reason":null,"cancelled_by":null}]}"#)
        driver.completeJob(1000)
        let group = driver.send("GET", "/repos/acme/app/actions/concurrency_groups/deploy-prod")
        let member = (group.json["group_members"] as? [[String: Any]])?.first
        #expect(member?["job_id"] as? Int == 1001)
        #expect(member?["job_name"] as? String == "ship")
        #expect(driver.send("GET", "/repos/acme/app/actions/concurrency_groups/deploy-prod?ahead_of_run=100").status == 200)
        #expect(driver.send("GET", "/repos/acme/app/actions/concurrency_groups/deploy-prod?ahead_of_job=1002").status == 200)
        driver.completeJob(1002)
        let runList = driver.send("GET", "/repos/acme/app/actions/runs/100/concurrency_groups")
        #expect(runList.text.contains(#""group_name":"deploy-prod","group_url":"https://api.github.com/repos/acme/app/actions/concurrency_groups/deploy-prod","group_members":[]"#))
        #expect(driver.run(100)["conclusion"] as? String == "success")
    }

    @Test func queueMaxCancelsTheNewcomerToAFullQueue() throws {
        let driver = try Driver()
        driver.workflow("deploy.yml", Self.deployMax)
        for _ in 0..<101 { driver.trigger("deploy.yml") }
        let full = driver.queues()["deploy-main"] ?? []
        #expect(full.count == 101)
        #expect(full.first == "100 in_progress")
        #expect(full.last == "200 pending")
        let newcomer = driver.trigger("deploy.yml")
        #expect(newcomer == 201)
        #expect(driver.queues()["deploy-main"] == full)
        let run = driver.run(newcomer)
        #expect(run["conclusion"] as? String == "cancelled")
        #expect(run["cancellation_reason"] as? String == "Canceling since the concurrency queue for 'deploy-main' already holds 100 pending requests")
    }

    @Test func aJobCancelledByANewerWaitingJobSkipsItsDependents() throws {
        let driver = try Driver()
        driver.workflow("ship.yml", """
            on: push
            jobs:
              deploy:
                concurrency: env-prod
              smoke:
                needs: deploy
              announce:
                needs: smoke
            """)
        driver.trigger("ship.yml")
        driver.trigger("ship.yml")
        #expect(driver.queues() == ["env-prod": ["100/1000 in_progress", "101/1003 pending"]])
        driver.trigger("ship.yml")
        #expect(driver.queues() == ["env-prod": ["100/1000 in_progress", "102/1006 pending"]])
        let cancelled = driver.run(101)
        let jobs = cancelled["jobs"] as? [[String: Any]] ?? []
        #expect(jobs.map { $0["conclusion"] as? String } == ["cancelled", "skipped", "skipped"])
        #expect(jobs.first?["cancellation_reason"] as? String == "Canceling since a higher priority waiting request for 'env-prod' exists")
        #expect(cancelled["conclusion"] as? String == "cancelled")
        #expect(cancelled["cancellation_reason"] as? String == "Canceling since a higher priority waiting request for 'env-prod' exists")
    }

    @Test func matrixLegsAreNamedAsGitHubShowsThem() throws {
        let driver = try Driver()
        driver.workflow("ci.yml", Self.matrix)
        driver.trigger("ci.yml")
        let jobs = driver.run(100)["jobs"] as? [[String: Any]] ?? []
        #expect(jobs.compactMap { $0["key"] as? String } == ["test (linux, 20)", "test (macos, 20)", "test (windows, 22)", "report"])
        #expect(jobs.compactMap { $0["concurrency_group"] as? String } == ["test-linux", "test-macos", "test-windows"])
        #expect(driver.run(100)["concurrency_groups"] as? [String] == ["test-linux", "test-macos", "test-windows"])
    }
}
