import ConcurrencySimulator
import Testing

/// A run checked on its own (`Simulator.check`) and added later is refused for what `addRun`
/// refuses first: the checks against the state (run and job ids in use) keep their places among
/// the others.
@Suite struct CheckedRunTests {
    private func refusal(_ spec: Simulator.RunSpec, checkedAt time: Timestamp = t(1000)) throws -> SimulatorError? {
        var simulator = try makeSimulator()
        do {
            try simulator.addRun(in: repoKey, Simulator.check(spec, now: time))
            return nil
        } catch {
            return error
        }
    }

    private func run(_ id: Int, jobs: [Simulator.JobSpec], configuredGroups: [String] = []) -> Simulator.RunSpec {
        Simulator.RunSpec(id: RunID(id), name: "Deploy", jobs: jobs, configuredGroups: configuredGroups)
    }

    @Test func aRunIDInUseComesBeforeItsJobsProblems() throws {
        let spec = run(1, jobs: [.init(id: JobID(90), name: "bad\u{0}")])
        #expect(try refusal(spec) == SimulatorError("run 1 is declared twice"))
    }

    @Test func aJobIDInUseComesAfterTheEarlierJobsProblemsAndBeforeTheLaterOnes() throws {
        // Job 11 is run 1's; job 92's parent is no uses: job.
        let inUseFirst = run(9, jobs: [.init(id: JobID(90), name: "build"), .init(id: JobID(11), name: "test"), .init(id: JobID(92), name: "x", parent: JobID(90))])
        #expect(try refusal(inUseFirst) == SimulatorError("job 11 is declared twice", subject: .job(index: 1)))
        let badNameFirst = run(9, jobs: [.init(id: JobID(90), name: "bad\u{0}"), .init(id: JobID(11), name: "test")])
        #expect(try refusal(badNameFirst) == SimulatorError(
            "the name of job 90 contains U+0000; names cannot hold control characters, line or paragraph separators, or bytes that are not UTF-8",
            subject: .job(index: 0), field: "job"))
        let badGroupLater = run(9, jobs: [.init(id: JobID(31), name: "deploy")], configuredGroups: [""])
        #expect(try refusal(badGroupLater) == SimulatorError("job 31 is declared twice", subject: .job(index: 0)))
    }

    /// A record holds its attempt in 4 bytes; an attempt no run can reach is refused before a
    /// record is made, never cut short.
    @Test(arguments: [0, -1, Simulator.largestAttempt + 1, Int.max])
    func aJobOfAnAttemptNoRunHasIsRefused(attempt: Int) throws {
        let spec = run(9, jobs: [.init(id: JobID(90), name: "build", attempt: attempt)])
        #expect(try refusal(spec) == SimulatorError("job 90 is of attempt \(attempt), which its run does not have", subject: .job(index: 0)))
    }

    /// A run holds its attempt in 4 bytes too: only a run listing every earlier attempt is at a
    /// later one, and an attempt far beyond them is refused without listing their numbers.
    @Test(arguments: [2, Simulator.largestAttempt + 1, Int.max])
    func aRunAtAnAttemptItsEarlierAttemptsDoNotReachIsRefused(attempt: Int) throws {
        let spec = Simulator.RunSpec(id: RunID(9), name: "Deploy", jobs: [], configuredGroups: [], attempt: attempt)
        #expect(try refusal(spec) == SimulatorError(
            "run 9 is at attempt \(attempt), so it has the earlier attempts 1 to \(attempt - 1), in order", subject: nil))
    }

    @Test func aRunCheckedWithAnotherClockGetsItsRecordsFromTheSimulatorsClock() throws {
        var simulator = try makeSimulator()
        try simulator.addRun(in: repoKey, Simulator.check(run(9, jobs: [.init(id: JobID(90), name: "build")]), now: t(5)))
        #expect(simulator.repositories[repoKey]!.jobs[JobID(90)]!.times == JobTimes(createdAt: t(1000)))
        #expect(simulator.repositories[repoKey]!.runs[RunID(9)]!.times == RunTimes.at(t(1000)))
    }
}
