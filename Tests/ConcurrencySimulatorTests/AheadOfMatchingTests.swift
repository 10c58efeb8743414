import ConcurrencySimulator
import Testing

/// GitHub: `ahead_of_run` matches workflow-level and reusable-workflow leases held on behalf of
/// the run, never its job-level leases; `ahead_of_job` matches the job's own job-level lease and
/// reusable-workflow leases on its ancestor path.
@Suite struct AheadOfMatchingTests {
    /// One group holding every lease kind of run 1 behind items of runs 2 and 3.
    func queue(_ items: [QueueItem]) throws -> (Repository, ConcurrencyGroup) {
        var simulator = try makeSimulator()
        try simulator.restoreQueue(in: repoKey, groupName: "prod", items: items)
        let repository = simulator.repo
        return (repository, repository.activeGroup(named: "prod")!)
    }

    @Test func aheadOfRunSelectsTheRunsWorkflowLevelLease() throws {
        let (repository, group) = try queue([workflowItem(2, 0, acquired: 1), jobItem(3, 31, 2), workflowItem(1, 3)])
        #expect(repository.indexOfItem(aheadOfRun: RunID(1), in: group) == 2)
        #expect(repository.indexOfItem(aheadOfRun: RunID(2), in: group) == 0)
    }

    @Test func aheadOfRunSelectsAReusableWorkflowLeaseHeldOnBehalfOfTheRun() throws {
        let (repository, group) = try queue([workflowItem(3, 0, acquired: 0), reusableItem(1, 12, 5)])
        #expect(repository.indexOfItem(aheadOfRun: RunID(1), in: group) == 1)
    }

    @Test func aheadOfRunNeverSelectsJobLevelLeases() throws {
        let (repository, group) = try queue([jobItem(1, 11, 0, acquired: 0), jobItem(1, 13, 1), jobItem(3, 31, 2)])
        #expect(repository.indexOfItem(aheadOfRun: RunID(1), in: group) == nil)
        #expect(repository.indexOfItem(aheadOfRun: RunID(3), in: group) == nil)
    }

    @Test func aheadOfRunOfARunWithoutItemsSelectsNothing() throws {
        let (repository, group) = try queue([workflowItem(3, 0, acquired: 0)])
        #expect(repository.indexOfItem(aheadOfRun: RunID(1), in: group) == nil)
        #expect(repository.indexOfItem(aheadOfRun: RunID(999), in: group) == nil)
    }

    @Test func aheadOfJobSelectsTheJobsOwnJobLevelLease() throws {
        let (repository, group) = try queue([workflowItem(3, 0, acquired: 0), jobItem(2, 21, 1), jobItem(1, 11, 2)])
        #expect(repository.indexOfItem(aheadOfJob: JobID(11), in: group) == 2)
        #expect(repository.indexOfItem(aheadOfJob: JobID(21), in: group) == 1)
    }

    @Test func aheadOfJobNeverSelectsWorkflowLevelLeasesOrOtherJobs() throws {
        let (repository, group) = try queue([workflowItem(1, 0, acquired: 0), jobItem(2, 21, 1)])
        #expect(repository.indexOfItem(aheadOfJob: JobID(11), in: group) == nil)
        #expect(repository.indexOfItem(aheadOfJob: JobID(23), in: group) == nil)
        #expect(repository.indexOfItem(aheadOfJob: JobID(999), in: group) == nil)
    }

    @Test func aheadOfJobSelectsTheReusableLeaseOfTheUsesJobItself() throws {
        let (repository, group) = try queue([workflowItem(3, 0, acquired: 0), reusableItem(1, 12, 1)])
        #expect(repository.indexOfItem(aheadOfJob: JobID(12), in: group) == 1)
    }

    @Test func aheadOfJobSelectsAReusableLeaseOnTheJobsAncestorPath() throws {
        let (repository, group) = try queue([workflowItem(3, 0, acquired: 0), reusableItem(2, 22, 1), reusableItem(1, 12, 2)])
        // Job 13 and job 15 (two levels down) both run inside uses: job 12.
        #expect(repository.indexOfItem(aheadOfJob: JobID(13), in: group) == 2)
        #expect(repository.indexOfItem(aheadOfJob: JobID(15), in: group) == 2)
        #expect(repository.indexOfItem(aheadOfJob: JobID(14), in: group) == 2)
        // Job 11 is a sibling of the uses: job, not inside it.
        #expect(repository.indexOfItem(aheadOfJob: JobID(11), in: group) == nil)
        #expect(repository.indexOfItem(aheadOfJob: JobID(23), in: group) == 1)
    }

    @Test func aheadOfJobOfANestedCallSelectsTheInnerReusableLease() throws {
        let (repository, group) = try queue([workflowItem(3, 0, acquired: 0), reusableItem(1, 14, 1)])
        #expect(repository.indexOfItem(aheadOfJob: JobID(15), in: group) == 1)
        #expect(repository.indexOfItem(aheadOfJob: JobID(14), in: group) == 1)
        // The outer uses: job and its direct child are not below job 14.
        #expect(repository.indexOfItem(aheadOfJob: JobID(12), in: group) == nil)
        #expect(repository.indexOfItem(aheadOfJob: JobID(13), in: group) == nil)
    }

    @Test func eachItemsPositionQuerySelectsThatItem() throws {
        let items = [workflowItem(3, 0, acquired: 0), jobItem(1, 11, 1), reusableItem(2, 22, 2), reusableItem(1, 12, 3), jobItem(2, 21, 4)]
        let (repository, group) = try queue(items)
        for (index, item) in items.enumerated() {
            #expect(repository.indexSelected(by: Repository.positionQuery(of: item), in: group) == index)
        }
        #expect(Repository.positionQuery(of: items[0]) == .aheadOfRun(RunID(3)))
        #expect(Repository.positionQuery(of: items[1]) == .aheadOfJob(JobID(11)))
        #expect(Repository.positionQuery(of: items[2]) == .aheadOfJob(JobID(22)))
        #expect(repository.indexOfItem(aheadOfRun: RunID(1), in: group) == 3)
    }
}
