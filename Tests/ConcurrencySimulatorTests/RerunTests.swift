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
        #expect(rerun.previousAttempts == [RunAttempt(number: 1, conclusion: .failure, triggeringActor: "monalisa", startedAt: t(0), updatedAt: t(10))])
        #expect(simulator.repositories[key]!.activeGroup(named: "prod")?.queue.map(\.run) == [RunID(101), RunID(100)])
        #expect(job(simulator, 1000).status == .queued)
        #expect(job(simulator, 1000).attempt == 2)
        try simulator.completeRun(RunID(101))
        #expect(run(simulator, 100).status == .inProgress)
        #expect(job(simulator, 1000).status == .inProgress)
    }

    @Test func rerunFailedJobsStartsTheFailedJobAndItsDependentsOnly() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: plan(workflowGroup: nil))
        try simulator.completeJob(JobID(1000), conclusion: .success)
        try simulator.completeJob(JobID(1001), conclusion: .failure)
        #expect(job(simulator, 1002).conclusion == .skipped)
        try simulator.rerun(RunID(100), scope: .failedJobs, actor: "octocat")
        #expect(job(simulator, 1000).conclusion == .success)
        #expect(job(simulator, 1000).attempt == 1)
        #expect(job(simulator, 1001).status == .inProgress)
        #expect(job(simulator, 1001).attempt == 2)
        #expect(job(simulator, 1002).status == .queued)
        try simulator.completeRun(RunID(100))
        #expect(run(simulator, 100).conclusion == .success)
    }

    @Test func aJobRerunStartsTheJobAndItsDependents() throws {
        var simulator = try simulator()
        try simulator.trigger(in: key, plan: plan(workflowGroup: nil))
        try simulator.completeRun(RunID(100))
        try simulator.rerun(RunID(100), scope: .job(JobID(1001)), actor: "octocat")
        #expect(job(simulator, 1000).status == .completed)
        #expect(job(simulator, 1001).status == .inProgress)
        #expect(job(simulator, 1002).status == .queued)
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
    }
}
