import ConcurrencySimulator

/// Times used across the simulator tests: `t(n)` is n seconds after a fixed start.
func t(_ seconds: Int64) -> Timestamp { Timestamp(secondsSinceEpoch: 1_768_493_000 + seconds) }

let repoKey = RepositoryKey(owner: "octocat", name: "Hello-World")

/// A repository with three runs:
/// - run 1 "Deploy": job 11 `build`, job 12 `call-deploy` (uses:) enclosing job 13 `deploy`
///   and job 14 `call-nested` (uses:) enclosing job 15 `nested-deploy`;
/// - run 2 "Deploy": job 21 `build`, job 22 `call-deploy` (uses:) enclosing job 23 `deploy`;
/// - run 3 "Hotfix": job 31 `deploy`.
func makeSimulator(now: Timestamp = t(1000)) throws -> Simulator {
    var simulator = Simulator(now: now)
    try simulator.addRepository(owner: "octocat", name: "Hello-World", visibility: .public)
    try simulator.addRun(in: repoKey, id: RunID(1), name: "Deploy", jobs: [
        .init(id: JobID(11), name: "build"),
        .init(id: JobID(12), name: "call-deploy", callsReusableWorkflow: true),
        .init(id: JobID(13), name: "deploy", parent: JobID(12)),
        .init(id: JobID(14), name: "call-nested", parent: JobID(12), callsReusableWorkflow: true),
        .init(id: JobID(15), name: "nested-deploy", parent: JobID(14)),
    ], configuredGroups: ["Prod"])
    try simulator.addRun(in: repoKey, id: RunID(2), name: "Deploy", jobs: [
        .init(id: JobID(21), name: "build"),
        .init(id: JobID(22), name: "call-deploy", callsReusableWorkflow: true),
        .init(id: JobID(23), name: "deploy", parent: JobID(22)),
    ], configuredGroups: [])
    try simulator.addRun(in: repoKey, id: RunID(3), name: "Hotfix", jobs: [
        .init(id: JobID(31), name: "deploy"),
    ], configuredGroups: ["hotfix", "prod"])
    return simulator
}

func workflowItem(_ run: Int, _ waiting: Int64, acquired: Int64? = nil) -> QueueItem {
    QueueItem(run: RunID(run), job: nil, kind: .workflow, waitingSince: t(waiting), acquiredAt: acquired.map(t))
}

func jobItem(_ run: Int, _ job: Int, _ waiting: Int64, acquired: Int64? = nil) -> QueueItem {
    QueueItem(run: RunID(run), job: JobID(job), kind: .job, waitingSince: t(waiting), acquiredAt: acquired.map(t))
}

func reusableItem(_ run: Int, _ job: Int, _ waiting: Int64, acquired: Int64? = nil) -> QueueItem {
    QueueItem(run: RunID(run), job: JobID(job), kind: .reusableWorkflow, waitingSince: t(waiting), acquiredAt: acquired.map(t))
}

extension Simulator {
    var repo: Repository { repositories[repoKey]! }
}

/// An empty public `acme/app` at `t(0)`, run ids from 100 and job ids from 1000: where the
/// lifecycle and re-run tests start.
func liveSimulator() throws -> Simulator {
    var simulator = Simulator(now: t(0))
    try simulator.addRepository(owner: "acme", name: "app", visibility: .public)
    simulator.runIDStart = RunID(100)
    simulator.jobIDStart = JobID(1000)
    return simulator
}
