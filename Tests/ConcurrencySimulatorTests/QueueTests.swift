import ConcurrencySimulator
import Testing

@Suite struct LeaseLifecycleTests {
    @Test func theFirstRequestAcquiresAtOnceAndLaterOnesWaitInArrivalOrder() throws {
        var simulator = try makeSimulator(now: t(100))
        #expect(try simulator.requestLease(in: repoKey, groupName: "Prod", run: RunID(1), job: nil, kind: .workflow) == 0)
        simulator.now = t(110)
        #expect(try simulator.requestLease(in: repoKey, groupName: "prod", run: RunID(3), job: JobID(31), kind: .job) == 1)
        simulator.now = t(120)
        #expect(try simulator.requestLease(in: repoKey, groupName: "PROD", run: RunID(2), job: JobID(22), kind: .reusableWorkflow) == 2)
        let group = try #require(simulator.repo.activeGroup(named: "prod"))
        #expect(group.name == "Prod")
        #expect(group.queue == [workflowItem(1, 100, acquired: 100), jobItem(3, 31, 110), reusableItem(2, 22, 120)])
    }

    @Test func releasingTheHolderHandsTheLeaseToTheNextItemAtTheClocksTime() throws {
        var simulator = try makeSimulator(now: t(100))
        try simulator.restoreQueue(in: repoKey, groupName: "prod", items: [workflowItem(1, 0, acquired: 5), jobItem(3, 31, 10), workflowItem(2, 20)])
        simulator.now = t(300)
        try simulator.releaseLease(in: repoKey, groupName: "PROD", item: workflowItem(1, 0))
        #expect(simulator.repo.activeGroup(named: "prod")?.queue == [jobItem(3, 31, 10, acquired: 300), workflowItem(2, 20)])
    }

    @Test func releasingAPendingItemKeepsTheHolderAndItsAcquisitionTime() throws {
        var simulator = try makeSimulator(now: t(100))
        try simulator.restoreQueue(in: repoKey, groupName: "prod", items: [workflowItem(1, 0, acquired: 5), jobItem(3, 31, 10), workflowItem(2, 20)])
        try simulator.releaseLease(in: repoKey, groupName: "prod", item: jobItem(3, 31, 10))
        #expect(simulator.repo.activeGroup(named: "prod")?.queue == [workflowItem(1, 0, acquired: 5), workflowItem(2, 20)])
    }

    @Test func aGroupIsActiveExactlyWhileItsQueueIsNonEmpty() throws {
        var simulator = try makeSimulator(now: t(100))
        try simulator.requestLease(in: repoKey, groupName: "b-group", run: RunID(1), job: nil, kind: .workflow)
        try simulator.requestLease(in: repoKey, groupName: "A-group", run: RunID(2), job: nil, kind: .workflow)
        #expect(simulator.repo.activeGroupKeys.map(\.folded) == ["a-group", "b-group"])
        try simulator.releaseLease(in: repoKey, groupName: "a-group", item: workflowItem(2, 100))
        #expect(simulator.repo.activeGroupKeys.map(\.folded) == ["b-group"])
        #expect(simulator.repo.activeGroup(named: "A-group") == nil)
        #expect(simulator.repo.activeGroupKeys.count == 1)
    }

    @Test func theNameShownIsTheSpellingFirstUsedEvenAfterTheGroupEmpties() throws {
        var simulator = try makeSimulator(now: t(100))
        try simulator.requestLease(in: repoKey, groupName: "Staging", run: RunID(2), job: nil, kind: .workflow)
        try simulator.releaseLease(in: repoKey, groupName: "staging", item: workflowItem(2, 100))
        try simulator.requestLease(in: repoKey, groupName: "STAGING", run: RunID(3), job: nil, kind: .workflow)
        #expect(simulator.repo.activeGroup(named: "staging")?.name == "Staging")
        // Run 1 was configured with "Prod" before anyone used the group.
        try simulator.requestLease(in: repoKey, groupName: "prod", run: RunID(2), job: nil, kind: .workflow)
        #expect(simulator.repo.activeGroup(named: "PROD")?.name == "Prod")
    }

    @Test func aRunRemembersEveryGroupItWasConfiguredForOrWaitedOn() throws {
        var simulator = try makeSimulator(now: t(100))
        try simulator.requestLease(in: repoKey, groupName: "zeta", run: RunID(3), job: JobID(31), kind: .job)
        try simulator.releaseLease(in: repoKey, groupName: "zeta", item: jobItem(3, 31, 100))
        #expect(simulator.repo.runs[RunID(3)].map { simulator.repo.configuredGroups(of: $0).map(\.folded) } == ["hotfix", "prod", "zeta"])
        #expect(simulator.repo.items(of: RunID(3), in: GroupKey("zeta")).isEmpty)
    }

    @Test func itemsOfARunCarryTheirQueuePositions() throws {
        var simulator = try makeSimulator()
        try simulator.restoreQueue(in: repoKey, groupName: "prod", items: [workflowItem(3, 0, acquired: 0), jobItem(1, 11, 1), workflowItem(2, 2), reusableItem(1, 12, 3)])
        let items = simulator.repo.items(of: RunID(1), in: GroupKey("PROD"))
        #expect(items.map(\.position) == [1, 3])
        #expect(items.map(\.item) == [jobItem(1, 11, 1), reusableItem(1, 12, 3)])
    }

    @Test func aRunCannotWaitTwiceForTheSameLease() throws {
        var simulator = try makeSimulator(now: t(100))
        try simulator.requestLease(in: repoKey, groupName: "prod", run: RunID(1), job: nil, kind: .workflow)
        let before = Array(simulator.repo.activeGroups)
        #expect(throws: SimulatorError("run 1 already holds or waits on concurrency group 'Prod' at position 0, around this request")) {
            try simulator.requestLease(in: repoKey, groupName: "prod", run: RunID(1), job: JobID(12), kind: .reusableWorkflow)
        }
        #expect(Array(simulator.repo.activeGroups) == before)
    }

    @Test func aQueueHoldsAtMostOneHolderAndOneHundredPending() throws {
        var simulator = Simulator(now: t(0))
        try simulator.addRepository(owner: "o", name: "r", visibility: .public)
        let key = RepositoryKey(owner: "o", name: "r")
        for id in 1...102 {
            try simulator.addRun(in: key, id: RunID(id), name: "run \(id)", jobs: [], configuredGroups: [])
        }
        for id in 1...101 {
            try simulator.requestLease(in: key, groupName: "busy", run: RunID(id), job: nil, kind: .workflow)
        }
        #expect(throws: SimulatorError("concurrency group 'busy' already holds 101 items")) {
            try simulator.requestLease(in: key, groupName: "busy", run: RunID(102), job: nil, kind: .workflow)
        }
        #expect(simulator.repositories[key]?.group(GroupKey("busy"))?.queue.count == 101)
    }
}

@Suite struct BuildingValidationTests {
    @Test func repositoriesAreUniqueIgnoringCase() throws {
        var simulator = try makeSimulator()
        #expect(throws: SimulatorError("repository octocat/Hello-World is declared twice")) {
            try simulator.addRepository(owner: "OCTOCAT", name: "hello-world", visibility: .private)
        }
        #expect(simulator.repo.visibility == .public)
    }

    @Test func runAndJobIdsAreUniqueAcrossTheMock() throws {
        var simulator = try makeSimulator()
        try simulator.addRepository(owner: "other", name: "repo", visibility: .public)
        let other = RepositoryKey(owner: "other", name: "repo")
        #expect(throws: SimulatorError("run 1 is declared twice")) {
            try simulator.addRun(in: other, id: RunID(1), name: "x", jobs: [], configuredGroups: [])
        }
        #expect(throws: SimulatorError("job 11 is declared twice", subject: .job(index: 1))) {
            try simulator.addRun(in: other, id: RunID(9), name: "x", jobs: [.init(id: JobID(90), name: "a"), .init(id: JobID(11), name: "b")], configuredGroups: [])
        }
        #expect(simulator.repositoryKey(ofRun: RunID(9)) == nil)
        #expect(simulator.repositoryKey(ofJob: JobID(90)) == nil)
        #expect(simulator.repositories[other]?.runs.isEmpty == true)
    }

    @Test func aChildJobNeedsAUsesJobDeclaredBeforeIt() throws {
        var simulator = try makeSimulator()
        #expect(throws: SimulatorError("job 92's parent 91 is not a uses: job declared before it in run 9", subject: .job(index: 1))) {
            try simulator.addRun(in: repoKey, id: RunID(9), name: "x", jobs: [
                .init(id: JobID(91), name: "plain"), .init(id: JobID(92), name: "child", parent: JobID(91)),
            ], configuredGroups: [])
        }
    }

    @Test func emptyConfiguredGroupNamesAreRefused() throws {
        var simulator = try makeSimulator()
        #expect(throws: SimulatorError("a concurrency group name cannot be empty", subject: .configuredGroup(index: 1), field: "concurrency_group")) {
            try simulator.addRun(in: repoKey, id: RunID(9), name: "x", jobs: [], configuredGroups: ["ok", ""])
        }
    }

    struct BadQueue: CustomTestStringConvertible, Sendable {
        let items: [QueueItem]
        let error: SimulatorError
        var testDescription: String { error.message }
    }

    static func deadlock(at index: Int, around earlier: Int) -> SimulatorError {
        SimulatorError(
            "run 1 waits on concurrency group 'prod' inside its own lease at position \(earlier): GitHub cancels such a run as a deadlock",
            subject: .queueItem(index: index))
    }

    static let badQueues: [BadQueue] = [
        BadQueue(items: [workflowItem(7, 0)], error: SimulatorError("run 7 is not a run of octocat/Hello-World", subject: .queueItem(index: 0))),
        BadQueue(items: [workflowItem(1, 0), QueueItem(run: RunID(2), job: JobID(21), kind: .workflow, waitingSince: t(1))],
                 error: SimulatorError("a workflow-level item has no job; use kind job or reusable_workflow", subject: .queueItem(index: 1))),
        BadQueue(items: [QueueItem(run: RunID(1), job: nil, kind: .job, waitingSince: t(0))],
                 error: SimulatorError("a job item needs a job", subject: .queueItem(index: 0))),
        BadQueue(items: [jobItem(1, 21, 0)], error: SimulatorError("job 21 is not a job of run 1", subject: .queueItem(index: 0))),
        BadQueue(items: [reusableItem(1, 11, 0)],
                 error: SimulatorError("a reusable_workflow item is tied to a uses: job, and job 11 calls no reusable workflow", subject: .queueItem(index: 0))),
        BadQueue(items: [workflowItem(1, 10), workflowItem(2, 5)],
                 error: SimulatorError("the queue is FIFO: this item started waiting at 2026-01-15T16:03:25Z, before the item ahead of it (2026-01-15T16:03:30Z)", subject: .queueItem(index: 1))),
        BadQueue(items: [workflowItem(1, 0), workflowItem(2, 5, acquired: 6)],
                 error: SimulatorError("only the item at position 0 holds the lease and has an acquisition time", subject: .queueItem(index: 1))),
        BadQueue(items: [workflowItem(1, 10, acquired: 9)],
                 error: SimulatorError("the lease was acquired at 2026-01-15T16:03:29Z, before the item started waiting at 2026-01-15T16:03:30Z", subject: .queueItem(index: 0))),
        BadQueue(items: [workflowItem(1, 10, acquired: 2000)],
                 error: SimulatorError("the lease was acquired at 2026-01-15T16:36:40Z, after the clock's now (2026-01-15T16:20:00Z)", subject: .queueItem(index: 0))),
        BadQueue(items: [workflowItem(1, 2000)],
                 error: SimulatorError("the item started waiting at 2026-01-15T16:36:40Z, after the clock's now (2026-01-15T16:20:00Z)", subject: .queueItem(index: 0))),
        BadQueue(items: [workflowItem(1, 0), reusableItem(1, 12, 1)],
                 error: deadlock(at: 1, around: 0)),
        BadQueue(items: [jobItem(1, 11, 0), workflowItem(1, 1)],
                 error: deadlock(at: 1, around: 0)),
        BadQueue(items: [reusableItem(1, 12, 0), jobItem(1, 13, 1)],
                 error: deadlock(at: 1, around: 0)),
        BadQueue(items: [jobItem(1, 12, 0), reusableItem(1, 12, 1)],
                 error: deadlock(at: 1, around: 0)),
        BadQueue(items: [workflowItem(3, 0), jobItem(1, 15, 1), jobItem(1, 12, 2)],
                 error: deadlock(at: 2, around: 1)),
        BadQueue(items: [workflowItem(1, 0), workflowItem(1, 1)],
                 error: deadlock(at: 1, around: 0)),
        BadQueue(items: [], error: SimulatorError("concurrency group 'prod' has an empty queue; an inactive group is simply left out")),
    ]

    @Test(arguments: badQueues)
    func aBadQueueIsRefusedWithItsReasonAndChangesNothing(_ bad: BadQueue) throws {
        var simulator = try makeSimulator()
        try simulator.restoreQueue(in: repoKey, groupName: "other", items: [workflowItem(3, 0, acquired: 0)])
        let before = simulator.repo
        #expect(throws: bad.error) {
            try simulator.restoreQueue(in: repoKey, groupName: "prod", items: bad.items)
        }
        #expect(Array(simulator.repo.activeGroups) == Array(before.activeGroups))
        #expect(simulator.repo.activeGroupKeys == before.activeGroupKeys)
        #expect(simulator.repo.runs == before.runs)
    }

    @Test func siblingJobsOfOneRunMayWaitOnTheSameGroup() throws {
        var simulator = try makeSimulator()
        try simulator.restoreQueue(in: repoKey, groupName: "prod", items: [jobItem(1, 11, 0, acquired: 0), reusableItem(1, 12, 1), jobItem(2, 21, 2)])
        #expect(simulator.repo.activeGroup(named: "prod")?.queue.count == 3)
    }

    @Test func aCompletedRunOrJobCannotBeInAQueue() throws {
        var simulator = try makeSimulator()
        try simulator.addRun(in: repoKey, .init(id: RunID(8), name: "Done", jobs: [], configuredGroups: [], status: .completed, conclusion: .success))
        try simulator.addRun(in: repoKey, .init(id: RunID(9), name: "Half", jobs: [.init(id: JobID(91), name: "a", status: .completed, conclusion: .success)], configuredGroups: []))
        #expect(throws: SimulatorError("run 8 has completed, so it cannot hold or wait for a lease", subject: .queueItem(index: 0))) {
            try simulator.restoreQueue(in: repoKey, groupName: "g", items: [workflowItem(8, 0)])
        }
        #expect(throws: SimulatorError("run 9 (job 91) has completed, so it cannot hold or wait for a lease", subject: .queueItem(index: 1))) {
            try simulator.restoreQueue(in: repoKey, groupName: "g", items: [workflowItem(9, 0), jobItem(9, 91, 1)])
        }
    }

    @Test func aGroupIsDeclaredOnceIgnoringCase() throws {
        var simulator = try makeSimulator()
        try simulator.restoreQueue(in: repoKey, groupName: "Prod", items: [workflowItem(3, 0, acquired: 0)])
        #expect(throws: SimulatorError("concurrency group 'PROD' is declared twice (also as 'Prod'; names are case-insensitive)")) {
            try simulator.restoreQueue(in: repoKey, groupName: "PROD", items: [workflowItem(1, 0, acquired: 0)])
        }
    }

    @Test func aQueueLongerThanTheLimitIsRefused() throws {
        var simulator = Simulator(now: t(0))
        try simulator.addRepository(owner: "o", name: "r", visibility: .public)
        let key = RepositoryKey(owner: "o", name: "r")
        for id in 1...102 { try simulator.addRun(in: key, id: RunID(id), name: "r", jobs: [], configuredGroups: []) }
        let items = (1...102).map { workflowItem($0, -100) }
        #expect(throws: SimulatorError("concurrency group 'g' has 102 items; a queue holds at most 101 (one holder and 100 pending)")) {
            try simulator.restoreQueue(in: key, groupName: "g", items: items)
        }
    }

    @Test func restoringAQueueAddsTheGroupToEachRunsConfiguration() throws {
        var simulator = try makeSimulator()
        try simulator.restoreQueue(in: repoKey, groupName: "Alpha", items: [workflowItem(2, 0, acquired: 0), jobItem(1, 11, 1)])
        #expect(simulator.repo.runs[RunID(1)].map { simulator.repo.configuredGroups(of: $0).map(\.folded) } == ["alpha", "prod"])
        #expect(simulator.repo.runs[RunID(2)].map { simulator.repo.configuredGroups(of: $0).map(\.folded) } == ["alpha"])
    }
}

/// A fixture's queues restored at once: the sorted index of active groups merges them in one pass.
@Suite struct BulkQueueRestoreTests {
    @Test func queuesRestoredTogetherJoinTheSortedIndex() throws {
        var simulator = try makeSimulator()
        try simulator.restoreQueue(in: repoKey, groupName: "m", items: [workflowItem(3, 0, acquired: 0)])
        try simulator.restoreQueues(in: repoKey, [
            ("zeta", [workflowItem(1, 0, acquired: 0)]), ("Alpha", [jobItem(2, 21, 0, acquired: 0)]), ("b", [jobItem(1, 11, 0, acquired: 0)]),
        ])
        #expect(simulator.repo.activeGroupKeys.map(\.folded) == ["alpha", "b", "m", "zeta"])
        #expect(simulator.repo.activeGroup(named: "ALPHA")?.name == "Alpha")
        simulator.checkInvariants()
    }

    @Test func aRefusedGroupRestoresNoneAndIsNamedByItsPlace() throws {
        var simulator = try makeSimulator()
        do {
            try simulator.restoreQueues(in: repoKey, [("one", [workflowItem(1, 0, acquired: 0)]), ("ONE", [workflowItem(2, 0, acquired: 0)])])
            Issue.record("a group declared twice was restored")
        } catch {
            #expect(error.groupIndex == 1)
            #expect(error.refusal == SimulatorError("concurrency group 'ONE' is declared twice (also as 'one'; names are case-insensitive)"))
        }
        #expect(simulator.repo.activeGroupKeys.isEmpty)
        #expect(simulator.repo.activeGroupKeys.isEmpty)
    }
}
