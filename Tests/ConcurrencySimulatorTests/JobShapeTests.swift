import ConcurrencySimulator
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
