import ConcurrencySimulator
import Testing

/// The queue rules of GitHub Actions, driven through `trigger`, `completeJob`, `cancelRun`.
@Suite struct LifecycleTests {
    let key = RepositoryKey(owner: "acme", name: "app")

    func simulator() throws -> Simulator { try liveSimulator() }

    func deploy(_ settings: ConcurrencySettings?, jobs: [PlannedJob] = [PlannedJob(key: "deploy", name: "deploy")]) -> RunPlan {
        RunPlan(name: "Deploy", workflow: "deploy.yml", concurrency: settings, jobs: jobs)
    }

    func queue(_ simulator: Simulator, _ group: String) -> [String] {
        simulator.repositories[key]!.activeGroup(named: group)?.queue.map { item in
            let owner = item.job.map { "job \($0)" } ?? "run \(item.run)"
            return "\(owner) \(item.acquiredAt == nil ? "waiting" : "holding")"
        } ?? []
    }

    func run(_ simulator: Simulator, _ id: Int) -> WorkflowRun { simulator.repositories[key]!.runs[RunID(id)]! }
    func job(_ simulator: Simulator, _ id: Int) -> Job { simulator.repositories[key]!.jobs[JobID(id)]! }

    @Test func idsCountUpFromTheConfiguredStart() throws {
        var simulator = try simulator()
        #expect(try simulator.trigger(in: key, plan: deploy(nil, jobs: [PlannedJob(key: "a", name: "a"), PlannedJob(key: "b", name: "b")])) == RunID(100))
        #expect(try simulator.trigger(in: key, plan: deploy(nil)) == RunID(101))
        #expect(simulator.repositories[key]!.runs[RunID(101)]!.jobs == [JobID(1002)])
    }

    @Test func queueSingleCancelsTheWaitingRunWhenANewerOneArrives() throws {
        var simulator = try simulator()
        let settings = ConcurrencySettings(group: "prod")
        try simulator.trigger(in: key, plan: deploy(settings))
        simulator.now = t(10)
        try simulator.trigger(in: key, plan: deploy(settings))
        #expect(queue(simulator, "prod") == ["run 100 holding", "run 101 waiting"])
        #expect(run(simulator, 101).status == .pending)
        simulator.now = t(20)
        try simulator.trigger(in: key, plan: deploy(settings))
        #expect(queue(simulator, "prod") == ["run 100 holding", "run 102 waiting"])
        #expect(run(simulator, 101).status == .completed)
        #expect(run(simulator, 101).conclusion == .cancelled)
        #expect(run(simulator, 101).cancellationReason == "Canceling since a higher priority waiting request for 'prod' exists")
        #expect(job(simulator, 1001).conclusion == .cancelled)
    }

    @Test func completingTheHolderHandsTheLeaseToTheNextInFIFOOrderAtTheClocksTime() throws {
        var simulator = try simulator()
        let settings = ConcurrencySettings(group: "prod", queue: .max)
        for second in [0, 5, 9] {
            simulator.now = t(Int64(second))
            try simulator.trigger(in: key, plan: deploy(settings))
        }
        #expect(queue(simulator, "prod") == ["run 100 holding", "run 101 waiting", "run 102 waiting"])
        simulator.now = t(60)
        try simulator.completeJob(JobID(1000), conclusion: .success)
        #expect(run(simulator, 100).status == .completed)
        #expect(run(simulator, 100).conclusion == .success)
        #expect(queue(simulator, "prod") == ["run 101 holding", "run 102 waiting"])
        #expect(simulator.repositories[key]!.activeGroup(named: "prod")!.queue[0].acquiredAt == t(60))
        #expect(run(simulator, 101).status == .inProgress)
        #expect(job(simulator, 1001).status == .inProgress)
        #expect(job(simulator, 1002).status == .queued)
    }

    @Test func queueMaxCancelsANewcomerToAFullQueue() throws {
        var simulator = try simulator()
        let settings = ConcurrencySettings(group: "busy", queue: .max)
        for _ in 0..<101 { try simulator.trigger(in: key, plan: deploy(settings)) }
        #expect(simulator.repositories[key]!.activeGroup(named: "busy")!.queue.count == 101)
        let newcomer = try simulator.trigger(in: key, plan: deploy(settings))
        #expect(run(simulator, newcomer.rawValue).conclusion == .cancelled)
        #expect(run(simulator, newcomer.rawValue).cancellationReason == "Canceling since the concurrency queue for 'busy' already holds 100 pending requests")
        #expect(simulator.repositories[key]!.activeGroup(named: "busy")!.queue.count == 101)
    }

    @Test func cancelInProgressOfTheNewcomerCancelsTheHolder() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: deploy(ConcurrencySettings(group: "prod")))
        simulator.now = t(30)
        try simulator.trigger(in: key, plan: deploy(ConcurrencySettings(group: "Prod", cancelInProgress: true)))
        #expect(run(simulator, 100).conclusion == .cancelled)
        #expect(run(simulator, 100).cancellationReason == "Canceling since a higher priority waiting request for 'prod' exists")
        #expect(queue(simulator, "prod") == ["run 101 holding"])
        #expect(run(simulator, 101).status == .inProgress)
    }

    @Test func theNewcomersSettingsDecide() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: deploy(ConcurrencySettings(group: "prod", cancelInProgress: true)))
        try simulator.trigger(in: key, plan: deploy(ConcurrencySettings(group: "prod", queue: .max)))
        try simulator.trigger(in: key, plan: deploy(ConcurrencySettings(group: "prod", queue: .max)))
        #expect(queue(simulator, "prod") == ["run 100 holding", "run 101 waiting", "run 102 waiting"])
    }

    @Test func jobLevelLeasesWaitAfterNeedsAndSkipDependentsOfACancelledJob() throws {
        var simulator = try simulator()
        let jobs = [
            PlannedJob(key: "build", name: "build"),
            PlannedJob(key: "deploy", name: "deploy", needs: [0], concurrency: ConcurrencySettings(group: "env-prod")),
            PlannedJob(key: "notify", name: "notify", needs: [1]),
        ]
        try simulator.trigger(in: key, plan: deploy(nil, jobs: jobs))
        try simulator.trigger(in: key, plan: deploy(nil, jobs: jobs))
        #expect(job(simulator, 1001).status == .queued)
        #expect(queue(simulator, "env-prod").isEmpty)
        try simulator.completeJob(JobID(1000), conclusion: .success)
        #expect(queue(simulator, "env-prod") == ["job 1001 holding"])
        try simulator.completeJob(JobID(1003), conclusion: .success)
        #expect(queue(simulator, "env-prod") == ["job 1001 holding", "job 1004 waiting"])
        #expect(job(simulator, 1004).status == .pending)
        try simulator.trigger(in: key, plan: deploy(nil, jobs: jobs))
        try simulator.completeJob(JobID(1006), conclusion: .success)
        #expect(queue(simulator, "env-prod") == ["job 1001 holding", "job 1007 waiting"])
        #expect(job(simulator, 1004).conclusion == .cancelled)
        #expect(job(simulator, 1005).status == .completed)
        #expect(job(simulator, 1005).conclusion == .skipped)
        #expect(run(simulator, 101).conclusion == .cancelled)
        #expect(run(simulator, 101).cancellationReason == "Canceling since a higher priority waiting request for 'env-prod' exists")
    }

    @Test func aFailedJobSkipsItsDependentsAndFailsTheRun() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: deploy(nil, jobs: [PlannedJob(key: "a", name: "a"), PlannedJob(key: "b", name: "b", needs: [0])]))
        try simulator.completeJob(JobID(1000), conclusion: .failure)
        #expect(job(simulator, 1001).conclusion == .skipped)
        #expect(run(simulator, 100).status == .completed)
        #expect(run(simulator, 100).conclusion == .failure)
    }

    func reusable(group: String, jobGroup: String? = nil) -> RunPlan {
        RunPlan(name: "Release", workflow: "release.yml", concurrency: ConcurrencySettings(group: "release"), jobs: [
            PlannedJob(key: "build", name: "build"),
            PlannedJob(key: "call-deploy", name: "call-deploy", needs: [0], callsReusableWorkflow: true,
                       concurrency: jobGroup.map { ConcurrencySettings(group: $0) },
                       calledWorkflowConcurrency: ConcurrencySettings(group: group)),
            PlannedJob(key: "call-deploy/deploy", name: "call-deploy / deploy", parent: 1),
        ])
    }

    @Test func aUsesJobTakesItsOwnLeaseThenTheCalledWorkflowsThenItsJobsStart() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: deploy(ConcurrencySettings(group: "deploy-prod")))
        try simulator.trigger(in: key, plan: reusable(group: "deploy-prod", jobGroup: "gate"))
        try simulator.completeJob(JobID(1001), conclusion: .success)
        #expect(queue(simulator, "gate") == ["job 1002 holding"])
        #expect(queue(simulator, "deploy-prod") == ["run 100 holding", "job 1002 waiting"])
        #expect(simulator.repositories[key]!.activeGroup(named: "deploy-prod")!.queue[1].kind == .reusableWorkflow)
        #expect(job(simulator, 1002).status == .pending)
        #expect(job(simulator, 1003).status == .queued)
        try simulator.completeJob(JobID(1000), conclusion: .success)
        #expect(queue(simulator, "deploy-prod") == ["job 1002 holding"])
        #expect(job(simulator, 1002).status == .inProgress)
        #expect(job(simulator, 1003).status == .inProgress)
        try simulator.completeJob(JobID(1003), conclusion: .success)
        #expect(job(simulator, 1002).conclusion == .success)
        #expect(queue(simulator, "deploy-prod").isEmpty)
        #expect(queue(simulator, "gate").isEmpty)
        #expect(run(simulator, 101).conclusion == .success)
        #expect(queue(simulator, "release").isEmpty)
    }

    @Test func aCalledWorkflowWaitingOnItsCallersGroupIsADeadlock() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: reusable(group: "RELEASE"))
        try simulator.completeJob(JobID(1000), conclusion: .success)
        #expect(run(simulator, 100).conclusion == .cancelled)
        #expect(run(simulator, 100).cancellationReason == "Canceling since a deadlock was detected for concurrency group: 'release' between a top level workflow and 'call-deploy'")
        #expect(simulator.repositories[key]!.activeGroupKeys.isEmpty)
    }

    @Test func aJobWaitingOnItsRunsGroupIsADeadlock() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: deploy(ConcurrencySettings(group: "prod"), jobs: [
            PlannedJob(key: "deploy", name: "Deploy it", concurrency: ConcurrencySettings(group: "prod")),
        ]))
        #expect(run(simulator, 100).cancellationReason == "Canceling since a deadlock was detected for concurrency group: 'prod' between a top level workflow and 'Deploy it'")
        #expect(job(simulator, 1000).conclusion == .cancelled)
    }

    @Test func completeRunFinishesInProgressJobsUntilNoneIsLeft() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: deploy(nil, jobs: [
            PlannedJob(key: "a", name: "a"), PlannedJob(key: "b", name: "b", needs: [0]),
            PlannedJob(key: "c", name: "c", needs: [1], concurrency: ConcurrencySettings(group: "held")),
        ]))
        try simulator.trigger(in: key, plan: deploy(nil, jobs: [PlannedJob(key: "x", name: "x", concurrency: ConcurrencySettings(group: "held"))]))
        try simulator.completeRun(RunID(100))
        #expect(job(simulator, 1000).conclusion == .success)
        #expect(job(simulator, 1001).conclusion == .success)
        #expect(job(simulator, 1002).status == .pending, "c waits on a lease run 101 holds")
        #expect(run(simulator, 100).status == .inProgress)
        try simulator.completeRun(RunID(101))
        #expect(run(simulator, 101).conclusion == .success)
        #expect(job(simulator, 1002).status == .inProgress)
        try simulator.completeRun(RunID(100))
        #expect(run(simulator, 100).conclusion == .success)
    }

    @Test func cancellingARunReleasesAllItsItems() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: deploy(ConcurrencySettings(group: "a"), jobs: [PlannedJob(key: "j", name: "j", concurrency: ConcurrencySettings(group: "b"))]))
        try simulator.trigger(in: key, plan: deploy(ConcurrencySettings(group: "a", queue: .max)))
        #expect(queue(simulator, "a") == ["run 100 holding", "run 101 waiting"])
        try simulator.cancelRun(RunID(100), reason: CancellationReason.controlAPI)
        #expect(run(simulator, 100).cancellationReason == "The run was canceled by @concurrency-mock.")
        #expect(queue(simulator, "a") == ["run 101 holding"])
        #expect(queue(simulator, "b").isEmpty)
        #expect(throws: SimulatorError("run 100 has already completed")) { try simulator.cancelRun(RunID(100), reason: "again") }
    }

    @Test func completingAJobIsRefusedUnlessItIsInProgress() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: reusable(group: "x"))
        let before = simulator.repositories[key]!.jobs
        #expect(throws: SimulatorError("job 1001 is queued, not in_progress")) { try simulator.completeJob(JobID(1001), conclusion: .success) }
        #expect(throws: SimulatorError("job 9 does not exist")) { try simulator.completeJob(JobID(9), conclusion: .success) }
        #expect(throws: SimulatorError("a job completes with success or failure, not skipped")) { try simulator.completeJob(JobID(1000), conclusion: .skipped) }
        #expect(simulator.repositories[key]!.jobs == before)
        try simulator.completeJob(JobID(1000), conclusion: .success)
        #expect(throws: SimulatorError("job 1001 calls a reusable workflow; it completes when the called workflow's jobs do")) {
            try simulator.completeJob(JobID(1001), conclusion: .success)
        }
    }

    @Test func everyRunRemembersTheGroupsOfItsConfiguration() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: reusable(group: "deploy-x", jobGroup: "gate"))
        #expect(simulator.repositories[key]!.configuredGroups(of: run(simulator, 100)).map(\.folded) == ["deploy-x", "gate", "release"])
        try simulator.cancelRun(RunID(100), reason: "stop")
        #expect(simulator.repositories[key]!.configuredGroups(of: run(simulator, 100)).map(\.folded) == ["deploy-x", "gate", "release"])
    }
}
