@testable import ConcurrencySimulator
import Testing

/// Jobs of different runs with the same name, key and kind share one `JobShape`; the sharing
/// never changes what a job reads back.
@Suite struct JobShapeTests {
    @Test func namesCanonicallyEquivalentButNotByteEqualStayApart() throws {
        var simulator = Simulator(now: t(0))
        try simulator.addRepository(owner: "o", name: "r", visibility: .public)
        let key = RepositoryKey(owner: "o", name: "r")
        try simulator.addRun(in: key, id: RunID(1), name: "A", jobs: [.init(id: JobID(10), name: "caf\u{E9}")], configuredGroups: [])
        try simulator.addRun(in: key, id: RunID(2), name: "A", jobs: [.init(id: JobID(20), name: "cafe\u{301}")], configuredGroups: [])
        try simulator.addRun(in: key, id: RunID(3), name: "A", jobs: [.init(id: JobID(30), name: "caf\u{E9}", key: "k")], configuredGroups: [])
        let jobs = simulator.repositories[key]!.jobs
        #expect(Array(jobs[JobID(10)]!.name.utf8) == [0x63, 0x61, 0x66, 0xC3, 0xA9])
        #expect(Array(jobs[JobID(20)]!.name.utf8) == [0x63, 0x61, 0x66, 0x65, 0xCC, 0x81])
        #expect(jobs[JobID(30)]!.key == "k" && jobs[JobID(10)]!.key.utf8.count == 5)
    }

    @Test func jobsOfOneWorkflowShareOneShapeObjectHoweverTheyWereChecked() throws {
        var simulator = Simulator(now: t(0))
        try simulator.addRepository(owner: "o", name: "r", visibility: .public)
        let key = RepositoryKey(owner: "o", name: "r")
        func run(_ id: Int) -> Simulator.RunSpec {
            Simulator.RunSpec(
                id: RunID(id), name: "CI", jobs: [.init(id: JobID(10 * id), name: "build"), .init(id: JobID(10 * id + 1), name: "test")],
                configuredGroups: [])
        }
        // As a loader checks them: one table of shapes for every run.
        var shapes = SharedJobShapes()
        for id in 1...3 { try simulator.addRun(in: key, Simulator.check(run(id), now: t(0), sharing: &shapes)) }
        // Checked alone, with shapes of its own, in between runs of another workflow.
        try simulator.addRun(in: key, id: RunID(4), name: "Other", jobs: [.init(id: JobID(40), name: "lint")], configuredGroups: [])
        try simulator.addRun(in: key, Simulator.check(run(5), now: t(0)))
        let jobs = simulator.repositories[key]!.jobs
        for id in [20, 30, 50] { #expect(jobs[JobID(id)]!.shape === jobs[JobID(10)]!.shape, "build of run \(id / 10)") }
        for id in [21, 31, 51] { #expect(jobs[JobID(id)]!.shape === jobs[JobID(11)]!.shape, "test of run \(id / 10)") }
        #expect(jobs[JobID(10)]!.shape !== jobs[JobID(11)]!.shape)
        #expect(jobs[JobID(40)]!.name == "lint" && jobs[JobID(51)]!.name == "test")
    }

    /// A loader compares a job with the shape of the job at its place in the run checked before;
    /// any difference (name, key, kind, attempt, parent, needs) gives it a shape of its own.
    @Test func aJobAtTheSamePlaceAsAnotherOnlySharesItsShapeWhenAllIsAlike() throws {
        var simulator = Simulator(now: t(0))
        try simulator.addRepository(owner: "o", name: "r", visibility: .public)
        let key = RepositoryKey(owner: "o", name: "r")
        let variants: [(Int) -> [Simulator.JobSpec]] = [
            { [.init(id: JobID($0), name: "build"), .init(id: JobID($0 + 1), name: "test")] },
            { [.init(id: JobID($0), name: "build"), .init(id: JobID($0 + 1), name: "test")] },
            { [.init(id: JobID($0), name: "build", key: "b"), .init(id: JobID($0 + 1), name: "test")] },
            { [.init(id: JobID($0), name: "built"), .init(id: JobID($0 + 1), name: "test")] },
            { [.init(id: JobID($0), name: "build", callsReusableWorkflow: true), .init(id: JobID($0 + 1), name: "test", parent: JobID($0))] },
            { [.init(id: JobID($0), name: "build"), .init(id: JobID($0 + 1), name: "test", needs: [JobID($0)])] },
            { [.init(id: JobID($0), name: "build", status: .completed, conclusion: .success, attempt: 2), .init(id: JobID($0 + 1), name: "test")] },
        ]
        var shapes = SharedJobShapes()
        for (index, jobs) in variants.enumerated() {
            let id = index + 1
            try simulator.addRun(in: key, Simulator.check(
                Simulator.RunSpec(id: RunID(id), name: "CI", jobs: jobs(10 * id), configuredGroups: [], attempt: index == 6 ? 2 : 1,
                                  previousAttempts: index == 6 ? [RunAttempt(number: 1, conclusion: .failure, triggeringActor: "octocat", startedAt: t(0), updatedAt: t(0), jobs: [])] : []),
                now: t(0), sharing: &shapes))
        }
        let jobs = simulator.repositories[key]!.jobs
        let builds = (1...7).map { jobs[JobID(10 * $0)]! }
        // Runs 2 and 6 list the build of run 1; the others differ from it each in one way.
        #expect(builds[1].shape === builds[0].shape && builds[5].shape === builds[0].shape)
        #expect(Set(builds.map { ObjectIdentifier($0.shape) }).count == 5)
        #expect(builds.map(\.key) == ["build", "build", "b", "built", "build", "build", "build"])
        #expect(builds.map(\.callsReusableWorkflow) == [false, false, false, false, true, false, false])
        #expect(builds.map(\.attempt) == [1, 1, 1, 1, 1, 1, 2])
        let tests = (1...7).map { jobs[JobID(10 * $0 + 1)]! }
        #expect(Set(tests.map { ObjectIdentifier($0.shape) }).count == 3)
        #expect(tests.map(\.parent) == [nil, nil, nil, nil, JobID(50), nil, nil])
        #expect(tests.map(\.needs) == [[], [], [], [], [], [JobID(60)], []])
    }

    /// Parents and needs are kept as distances in ids, shared where runs number their jobs alike
    /// and read back exactly wherever the ids are.
    @Test func parentsAndNeedsReadBackExactlyAndAreSharedAtTheSameDistances() throws {
        var simulator = Simulator(now: t(0))
        try simulator.addRepository(owner: "o", name: "r", visibility: .public)
        let key = RepositoryKey(owner: "o", name: "r")
        func run(_ id: Int, firstJob: Int, lastJob: Int) -> Simulator.RunSpec {
            Simulator.RunSpec(id: RunID(id), name: "CI", jobs: [
                .init(id: JobID(firstJob), name: "call", callsReusableWorkflow: true),
                .init(id: JobID(firstJob + 1), name: "build", parent: JobID(firstJob)),
                .init(id: JobID(lastJob), name: "test", parent: JobID(firstJob), needs: [JobID(firstJob + 1)]),
            ], configuredGroups: [])
        }
        var shapes = SharedJobShapes()
        try simulator.addRun(in: key, Simulator.check(run(1, firstJob: 10, lastJob: 12), now: t(0), sharing: &shapes))
        try simulator.addRun(in: key, Simulator.check(run(2, firstJob: 20, lastJob: 22), now: t(0), sharing: &shapes))
        // The last job far from the others: ids up to the largest, distances past 2^52.
        try simulator.addRun(in: key, Simulator.check(run(3, firstJob: 1, lastJob: Simulator.largestIdentifier), now: t(0), sharing: &shapes))
        let jobs = simulator.repositories[key]!.jobs
        #expect(jobs[JobID(12)]!.parent == JobID(10) && jobs[JobID(12)]!.needs == [JobID(11)])
        #expect(jobs[JobID(22)]!.parent == JobID(20) && jobs[JobID(22)]!.needs == [JobID(21)])
        #expect(jobs[JobID(10)]!.parent == nil && jobs[JobID(10)]!.needs == [])
        let far = jobs[JobID(Simulator.largestIdentifier)]!
        #expect(far.parent == JobID(1) && far.needs == [JobID(2)])
        #expect(jobs[JobID(22)]!.shape === jobs[JobID(12)]!.shape)
        #expect(far.shape !== jobs[JobID(12)]!.shape && far.name == "test")
        #expect(jobs[JobID(2)]!.shape === jobs[JobID(11)]!.shape, "build sits one id after its parent in every run")
        #expect(simulator.invariantViolations() == [])
    }

    /// Runs with the same long name share its text; names that only look alike keep their bytes.
    @Test func runsShareTheirLongNamesByBytes() throws {
        var simulator = Simulator(now: t(0))
        try simulator.addRepository(owner: "o", name: "r", visibility: .public)
        let key = RepositoryKey(owner: "o", name: "r")
        let composed = "Deploy to production caf\u{E9}"
        let decomposed = "Deploy to production cafe\u{301}"
        for (id, name) in [(1, composed), (2, String(decoding: Array(composed.utf8), as: UTF8.self)), (3, decomposed), (4, "CI")] {
            try simulator.addRun(in: key, id: RunID(id), name: name, jobs: [], configuredGroups: [])
        }
        let runs = simulator.repositories[key]!.runs
        func storage(_ id: Int) -> UnsafePointer<UInt8>? { runs[RunID(id)]!.name.utf8.withContiguousStorageIfAvailable { $0.baseAddress }! }
        #expect(storage(1) == storage(2), "one text for both runs")
        #expect(Array(runs[RunID(3)]!.name.utf8) == Array(decomposed.utf8) && storage(3) != storage(1))
        #expect(runs[RunID(4)]!.name == "CI")
    }

    @Test func jobsKeepTheirNamesPastTheSharedShapesLimit() throws {
        var simulator = Simulator(now: t(0))
        try simulator.addRepository(owner: "o", name: "r", visibility: .public)
        let key = RepositoryKey(owner: "o", name: "r")
        // 5,000 names: the repository starts its shared shapes afresh once, at 4,096.
        for index in 1...5_000 {
            try simulator.addRun(
                in: key, id: RunID(index), name: "A", jobs: [.init(id: JobID(100_000 + index), name: "job \(index % 4_500)")],
                configuredGroups: [])
        }
        let jobs = simulator.repositories[key]!.jobs
        #expect((1...5_000).allSatisfy { jobs[JobID(100_000 + $0)]!.name == "job \($0 % 4_500)" })
    }
}
