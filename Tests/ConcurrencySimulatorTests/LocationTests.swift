import Testing
@testable import ConcurrencySimulator

/// Runs and jobs are found by id in whichever repository holds them: the home repository (the
/// first one added) through its own tables, every other one through location entries.
@Suite struct LocationTests {
    let home = RepositoryKey(owner: "acme", name: "home")
    let other = RepositoryKey(owner: "acme", name: "other")

    /// Two repositories, each with a run (ids 1 and 2) of one job (ids 10 and 20).
    private func twoRepositories() throws -> Simulator {
        var simulator = Simulator(now: Timestamp(secondsSinceEpoch: 1_768_493_700))
        try simulator.addRepository(owner: "acme", name: "home", visibility: .public)
        try simulator.addRepository(owner: "acme", name: "other", visibility: .private)
        try simulator.addRun(in: home, id: RunID(1), name: "CI", jobs: [.init(id: JobID(10), name: "build")], configuredGroups: [])
        try simulator.addRun(in: other, id: RunID(2), name: "CI", jobs: [.init(id: JobID(20), name: "build")], configuredGroups: [])
        return simulator
    }

    @Test func everyIDIsFoundAndOnlyOtherRepositoriesKeepLocations() throws {
        let simulator = try twoRepositories()
        #expect(simulator.homeRepository == home)
        #expect(simulator.repositoryKey(ofRun: RunID(1)) == home)
        #expect(simulator.repositoryKey(ofJob: JobID(10)) == home)
        #expect(simulator.repositoryKey(ofRun: RunID(2)) == other)
        #expect(simulator.repositoryKey(ofJob: JobID(20)) == other)
        #expect(simulator.repositoryKey(ofRun: RunID(3)) == nil)
        #expect(simulator.repositoryKey(ofJob: JobID(11)) == nil)
        #expect(Array(simulator.runLocations.keys) == [RunID(2)])
        #expect(Array(simulator.jobLocations.keys) == [JobID(20)])
        #expect(simulator.invariantViolations() == [])
    }

    @Test func anIDInUseInEitherRepositoryIsRefusedInTheOther() throws {
        var simulator = try twoRepositories()
        for (key, run, job, refusal) in [
            (other, 1, 21, "run 1 is declared twice"), (other, 3, 10, "job 10 is declared twice"),
            (home, 2, 11, "run 2 is declared twice"), (home, 3, 20, "job 20 is declared twice"),
        ] {
            #expect(throws: SimulatorError(refusal, subject: job == 21 || job == 11 ? nil : .job(index: 0))) {
                try simulator.addRun(in: key, id: RunID(run), name: "CI", jobs: [.init(id: JobID(job), name: "test")], configuredGroups: [])
            }
        }
        #expect(simulator.repositories[home]!.runs.count == 1 && simulator.repositories[other]!.runs.count == 1)
        #expect(simulator.runLocations.count == 1 && simulator.jobLocations.count == 1)
        #expect(simulator.invariantViolations() == [])
    }

    @Test func droppingCompletedRunsForgetsTheirLocations() throws {
        var simulator = try twoRepositories()
        for id in 3...4 {
            try simulator.addRun(in: other, Simulator.RunSpec(
                id: RunID(id), name: "CI", jobs: [.init(id: JobID(10 * id), name: "build")], configuredGroups: [],
                status: .completed, conclusion: .success))
        }
        #expect(simulator.runLocations.keys.map(\.rawValue).sorted() == [2, 3, 4])
        simulator.retainCompletedRuns(1)
        #expect(simulator.runLocations.keys.map(\.rawValue).sorted() == [2, 4])
        #expect(simulator.jobLocations.keys.map(\.rawValue).sorted() == [20, 40])
        #expect(simulator.repositoryKey(ofJob: JobID(30)) == nil)
        #expect(simulator.invariantViolations() == [])
    }
}
