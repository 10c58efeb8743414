import ConcurrencySimulator
import Testing

/// Run metadata stamped by the engine, and the three re-run operations.
@Suite struct RerunTests {
    let key = RepositoryKey(owner: "acme", name: "app")

    func simulator() throws -> Simulator { try liveSimulator() }

    /// build → deploy (group env-prod) → notify, under the workflow-level group `prod`.
    func plan(workflowGroup: String? = "prod") -> RunPlan {
        RunPlan(
            name: "Deploy", workflow: "deploy.yml", concurrency: workflowGroup.map { ConcurrencySettings(group: $0) },
            jobs: [
                PlannedJob(key: "build", name: "build"),
                PlannedJob(key: "deploy", name: "deploy", needs: [0], concurrency: ConcurrencySettings(group: "env-prod")),
                PlannedJob(key: "notify", name: "notify", needs: [1]),
            ],
            origin: RunOrigin(event: "workflow_dispatch", ref: "refs/heads/release", sha: "abc", actor: "monalisa"))
    }

    func run(_ simulator: Simulator, _ id: Int) -> WorkflowRun { simulator.repositories[key]!.runs[RunID(id)]! }
    func job(_ simulator: Simulator, _ id: Int) -> Job { simulator.repositories[key]!.jobs[JobID(id)]! }

    @Test func theEngineStampsTimesFromTheClockAndRunNumbersCountPerWorkflow() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: plan())
        simulator.now = t(60)
        try simulator.completeJob(JobID(1000), conclusion: .success)
        simulator.now = t(90)
        try simulator.trigger(in: key, plan: plan())
        let first = run(simulator, 100)
        #expect(first.origin == RunOrigin(event: "workflow_dispatch", ref: "refs/heads/release", sha: "abc", actor: "monalisa"))
        #expect(first.origin.branch == "release")
        #expect(first.runNumber == 1)
        #expect(run(simulator, 101).runNumber == 2)
        #expect(first.times == RunTimes(createdAt: t(0), updatedAt: t(60), startedAt: t(0)))
        #expect(job(simulator, 1000).times == JobTimes(createdAt: t(0), startedAt: t(0), completedAt: t(60)))
        #expect(job(simulator, 1001).times == JobTimes(createdAt: t(0), startedAt: t(60)))
        #expect(job(simulator, 1002).times == JobTimes(createdAt: t(0)))
        #expect(run(simulator, 101).status == .pending)
    }

    @Test func aRerunKeepsTheIdCountsTheAttemptAndReentersTheGroupsByTheQueueRules() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: plan())
        simulator.now = t(10)
        try simulator.completeJob(JobID(1000), conclusion: .failure)
        #expect(run(simulator, 100).conclusion == .failure)
        try simulator.trigger(in: key, plan: plan())
        #expect(run(simulator, 101).status == .inProgress)
        simulator.now = t(20)
        try simulator.rerun(RunID(100), scope: .all, actor: "hubot")
        let rerun = run(simulator, 100)
        #expect(rerun.attempt == 2)
        #expect(rerun.status == .pending)
        #expect(rerun.conclusion == nil)
        #expect(rerun.origin.triggeringActor == "hubot")
        #expect(rerun.origin.actor == "monalisa")
        #expect(rerun.times == RunTimes(createdAt: t(0), updatedAt: t(20), startedAt: t(20)))
        #expect(rerun.previousAttempts == [RunAttempt(
            number: 1, conclusion: .failure, triggeringActor: "monalisa", startedAt: t(0), updatedAt: t(10), jobs: [JobID(1000), JobID(1001), JobID(1002)])])
        #expect(simulator.repositories[key]!.activeGroup(named: "prod")?.queue.map(\.run) == [RunID(101), RunID(100)])
        // Run 101 took jobs 1003 to 1005, so the new attempt's jobs count on from 1006.
        #expect(rerun.jobs == [JobID(1006), JobID(1007), JobID(1008)])
        #expect(job(simulator, 1006).status == .queued)
        #expect(job(simulator, 1006).attempt == 2)
        #expect(job(simulator, 1007).needs == [JobID(1006)])
        #expect(job(simulator, 1008).needs == [JobID(1007)])
        #expect(job(simulator, 1006).times == JobTimes(createdAt: t(20)))
        #expect(job(simulator, 1000).status == .completed)
        #expect(job(simulator, 1000).conclusion == .failure)
        #expect(job(simulator, 1000).attempt == 1)
        #expect(simulator.nextJobID == JobID(1009))
        try simulator.completeRun(RunID(101))
        #expect(run(simulator, 100).status == .inProgress)
        #expect(job(simulator, 1006).status == .inProgress)
        #expect(job(simulator, 1000).times == JobTimes(createdAt: t(0), startedAt: t(0), completedAt: t(10)))
    }

    @Test func rerunFailedJobsStartsTheFailedJobAndItsDependentsOnly() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: plan(workflowGroup: nil))
        try simulator.completeJob(JobID(1000), conclusion: .success)
        try simulator.completeJob(JobID(1001), conclusion: .failure)
        #expect(job(simulator, 1002).conclusion == .skipped)
        try simulator.rerun(RunID(100), scope: .failedJobs, actor: "octocat")
        // build is carried over with its id and result; deploy and notify run again as 1003, 1004.
        #expect(run(simulator, 100).jobs == [JobID(1000), JobID(1003), JobID(1004)])
        #expect(run(simulator, 100).jobsOfEveryAttempt == [JobID(1000), JobID(1001), JobID(1002), JobID(1003), JobID(1004)])
        #expect(job(simulator, 1000).conclusion == .success)
        #expect(job(simulator, 1000).attempt == 1)
        #expect(job(simulator, 1003).status == .inProgress)
        #expect(job(simulator, 1003).attempt == 2)
        #expect(job(simulator, 1003).needs == [JobID(1000)])
        #expect(job(simulator, 1004).status == .queued)
        #expect(job(simulator, 1004).needs == [JobID(1003)])
        #expect(job(simulator, 1001).conclusion == .failure)
        #expect(job(simulator, 1002).conclusion == .skipped)
        try simulator.completeRun(RunID(100))
        #expect(run(simulator, 100).conclusion == .success)
        #expect(run(simulator, 100).jobs(ofAttempt: 1) == [JobID(1000), JobID(1001), JobID(1002)])
        #expect(run(simulator, 100).jobs(ofAttempt: 2) == [JobID(1000), JobID(1003), JobID(1004)])
        #expect(run(simulator, 100).jobs(ofAttempt: 3) == nil)
    }

    @Test func aJobRerunStartsTheJobAndItsDependents() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: plan(workflowGroup: nil))
        try simulator.completeRun(RunID(100))
        try simulator.rerun(RunID(100), scope: .job(JobID(1001)), actor: "octocat")
        #expect(run(simulator, 100).jobs == [JobID(1000), JobID(1003), JobID(1004)])
        #expect(job(simulator, 1000).status == .completed)
        #expect(job(simulator, 1003).status == .inProgress)
        #expect(job(simulator, 1004).status == .queued)
        // A job of an earlier attempt only cannot be re-run; one carried over can.
        try simulator.completeRun(RunID(100))
        #expect(throws: RerunRefusal.jobNotInCurrentAttempt) { try simulator.rerun(RunID(100), scope: .job(JobID(1001)), actor: "x") }
        try simulator.rerun(RunID(100), scope: .job(JobID(1000)), actor: "octocat")
        #expect(run(simulator, 100).jobs == [JobID(1005), JobID(1006), JobID(1007)])
        #expect(run(simulator, 100).previousAttempts.map(\.jobs) == [
            [JobID(1000), JobID(1001), JobID(1002)], [JobID(1000), JobID(1003), JobID(1004)],
        ])
    }

    /// lint; call (uses:) enclosing unit and e2e (needs unit), under the called workflow's
    /// group `calls`; report needs call.
    func callingPlan() -> RunPlan {
        RunPlan(
            name: "CI", workflow: "ci.yml", concurrency: nil,
            jobs: [
                PlannedJob(key: "lint", name: "lint"),
                PlannedJob(key: "call", name: "call", callsReusableWorkflow: true, calledWorkflowConcurrency: ConcurrencySettings(group: "calls")),
                PlannedJob(key: "call/unit", name: "call / unit", parent: 1),
                PlannedJob(key: "call/e2e", name: "call / e2e", parent: 1, needs: [2], concurrency: ConcurrencySettings(group: "e2e")),
                PlannedJob(key: "report", name: "report", needs: [1]),
            ])
    }

    @Test func aFailedJobInsideACalledWorkflowRunsTheWholeCalledWorkflowAgainUnderNewIDs() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: callingPlan())
        try simulator.completeJob(JobID(1000), conclusion: .success)
        try simulator.completeJob(JobID(1002), conclusion: .success)
        try simulator.completeJob(JobID(1003), conclusion: .failure)
        #expect(run(simulator, 100).conclusion == .failure)
        #expect(job(simulator, 1004).conclusion == .skipped)
        simulator.checkInvariants()

        try simulator.rerun(RunID(100), scope: .failedJobs, actor: "octocat")
        simulator.checkInvariants()
        // lint is carried over; call, both called jobs and report run again as 1005 to 1008.
        #expect(run(simulator, 100).jobs == [JobID(1000), JobID(1005), JobID(1006), JobID(1007), JobID(1008)])
        #expect(job(simulator, 1006).parent == JobID(1005))
        #expect(job(simulator, 1007).parent == JobID(1005))
        #expect(job(simulator, 1007).needs == [JobID(1006)])
        #expect(job(simulator, 1008).needs == [JobID(1005)])
        // The new uses: job holds the called workflow's group; the old one holds nothing.
        #expect(simulator.repositories[key]!.activeGroup(named: "calls")?.queue == [
            QueueItem(run: RunID(100), job: JobID(1005), kind: .reusableWorkflow, waitingSince: t(0), acquiredAt: t(0)),
        ])
        #expect(job(simulator, 1001).conclusion == .failure)
        #expect(job(simulator, 1003).parent == JobID(1001))

        try simulator.completeJob(JobID(1006), conclusion: .success)
        try simulator.completeJob(JobID(1007), conclusion: .success)
        #expect(job(simulator, 1005).conclusion == .success)
        #expect(job(simulator, 1008).status == .inProgress)
        try simulator.completeJob(JobID(1008), conclusion: .success)
        #expect(run(simulator, 100).conclusion == .success)
        #expect(simulator.repositories[key]!.activeGroup(named: "calls") == nil)
        simulator.checkInvariants()
    }

    @Test func retentionDropsTheJobsOfEveryAttemptWithTheirRun() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: plan(workflowGroup: nil))
        try simulator.completeRun(RunID(100))
        try simulator.rerun(RunID(100), scope: .all, actor: "octocat")
        try simulator.completeRun(RunID(100))
        try simulator.trigger(in: key, plan: plan(workflowGroup: nil))
        try simulator.completeRun(RunID(101))
        simulator.retainCompletedRuns(1)
        #expect(simulator.repositories[key]!.runs.keys.sorted() == [RunID(101)])
        #expect(simulator.repositories[key]!.jobs.keys.sorted() == [JobID(1006), JobID(1007), JobID(1008)])
        #expect((1000...1009).filter { simulator.repositoryKey(ofJob: JobID($0)) != nil } == [1006, 1007, 1008])
        #expect(simulator.nextJobID == JobID(1009))
    }

    @Test func aRerunWhoseJobIDsWouldPassTheLargestIdentifierIsRefusedBeforeAnythingChanges() throws {
        var simulator = try simulator()
        simulator.jobIDStart = JobID(Simulator.largestIdentifier - 4)
        try simulator.trigger(in: key, plan: plan(workflowGroup: nil))
        try simulator.completeRun(RunID(100))
        let before = simulator.repositories[key]!
        #expect(throws: RerunRefusal.jobIDsUsedUp(
            "job ids are used up: this re-run's 3 jobs would end at 9007199254740992, past 9007199254740991 (2^53 - 1, beyond which JavaScript clients lose precision)"
        )) { try simulator.rerun(RunID(100), scope: .all, actor: "x") }
        #expect(simulator.repositories[key]!.runs == before.runs)
        #expect(simulator.repositories[key]!.jobs == before.jobs)
        #expect((0...4).filter { simulator.repositoryKey(ofJob: JobID(Simulator.largestIdentifier - $0)) != nil } == [2, 3, 4], "only the first attempt's jobs hold ids")
        #expect(simulator.nextJobID == JobID(Simulator.largestIdentifier - 1))
        // Two new ids still fit: deploy and notify run again as the last two.
        try simulator.rerun(RunID(100), scope: .job(JobID(Simulator.largestIdentifier - 3)), actor: "x")
        #expect(run(simulator, 100).jobs == [
            JobID(Simulator.largestIdentifier - 4), JobID(Simulator.largestIdentifier - 1), JobID(Simulator.largestIdentifier),
        ])
    }

    @Test func aRunIsAddedWithEveryEarlierAttemptOrNotAtAll() throws {
        var simulator = try simulator()
        let spec = Simulator.RunSpec(id: RunID(7), name: "CI", jobs: [.init(id: JobID(70), name: "build", attempt: 2)], configuredGroups: [], attempt: 2)
        #expect(throws: SimulatorError("run 7 is at attempt 2, so it has the earlier attempts 1 to 1, in order")) { try simulator.addRun(in: key, spec) }
        #expect(simulator.repositories[key]!.runs.isEmpty)
        #expect(simulator.repositoryKey(ofJob: JobID(70)) == nil)
    }

    @Test func refusedRerunsChangeNothing() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: plan())
        let before = simulator.repositories[key]!.runs[RunID(100)]
        #expect(throws: RerunRefusal.notCompleted) { try simulator.rerun(RunID(100), scope: .all, actor: "x") }
        #expect(throws: RerunRefusal.runNotFound) { try simulator.rerun(RunID(7), scope: .all, actor: "x") }
        #expect(throws: RerunRefusal.jobNotFound) { try simulator.rerun(RunID(100), scope: .job(JobID(7)), actor: "x") }
        try simulator.completeRun(RunID(100))
        #expect(throws: RerunRefusal.nothingToRerun) { try simulator.rerun(RunID(100), scope: .failedJobs, actor: "x") }
        #expect(simulator.repositories[key]!.runs[RunID(100)]?.attempt == before?.attempt)
        #expect(simulator.repositories[key]!.jobs.count == 3)
        #expect(simulator.nextJobID == JobID(1003))
    }
}
