@testable import ConcurrencySimulator
import Testing

/// A large state holds these by the hundred thousand, each stored whole: their sizes are most of
/// what a queued item costs (README, Performance).
@Suite struct RecordSizeTests {
    @Test func recordsStayCompact() {
        #expect(MemoryLayout<Job>.stride == 48)
        #expect(MemoryLayout<JobTimes>.stride == 24)
        #expect(MemoryLayout<JobProgress>.stride == 16)
        #expect(MemoryLayout<QueueItem>.stride == 32)
        #expect(MemoryLayout<WorkflowRun>.stride == 160)
    }

    /// A queue item keeps its job's id and its kind in one word: both read back whole.
    @Test(arguments: LeaseKind.allCases)
    func aQueueItemReadsBackItsJobAndKind(kind: LeaseKind) {
        for job in [nil, JobID(1), JobID(58_000_000_001), JobID(Simulator.largestIdentifier)] {
            var item = QueueItem(run: RunID(Simulator.largestIdentifier), job: job, kind: kind, waitingSince: t(5))
            #expect(item.job == job && item.kind == kind && item.run == RunID(Simulator.largestIdentifier))
            #expect(item.waitingSince == t(5) && item.acquiredAt == nil)
            item.acquiredAt = t(6)
            #expect(item.acquiredAt == t(6) && item.job == job && item.kind == kind)
        }
    }

    /// A job's packed times, status and conclusion read back whole, from the first second of year
    /// 0 to the last of 9999, each field changed alone.
    @Test(arguments: ExecutionStatus.allCases)
    func aJobsProgressReadsBackEveryFieldAlone(status: ExecutionStatus) {
        let yearZero = Timestamp(year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0)!
        for conclusion in [nil] + Conclusion.allCases {
            for times in [
                JobTimes(createdAt: t(5)),
                JobTimes(createdAt: yearZero, startedAt: .latestWritable, completedAt: yearZero),
                JobTimes(createdAt: .latestWritable, startedAt: nil, completedAt: t(-1)),
            ] {
                var progress = JobProgress(times: times, status: status, conclusion: conclusion)
                #expect(progress.times == times && progress.status == status && progress.conclusion == conclusion)
                progress.times.startedAt = t(7)
                #expect(progress.times.startedAt == t(7) && progress.times.createdAt == times.createdAt)
                #expect(progress.times.completedAt == times.completedAt && progress.status == status && progress.conclusion == conclusion)
                progress.conclusion = .skipped
                progress.status = .queued
                #expect(progress.times.startedAt == t(7) && progress.times.completedAt == times.completedAt)
                #expect(progress.status == .queued && progress.conclusion == .skipped)
            }
        }
    }

    /// A job's out-of-line fields compare by what they hold, however they came to hold it.
    @Test func jobsWithEqualFieldsAreEqual() {
        let group = ConcurrencySettings(group: "deploy")
        let shape = JobShape(name: "a", key: "a", callsReusableWorkflow: false, attempt: 1)
        let plain = Job(Simulator.JobSpec(id: JobID(1), name: "a", concurrency: group), run: RunID(1), createdAt: t(0), shape: shape)
        var changed = plain
        changed.outputs = ["x": "1"]
        #expect(changed != plain && changed.outputs == ["x": "1"] && changed.concurrency == group)
        changed.outputs = [:]
        #expect(changed == plain)
        changed.concurrency = nil
        changed.cancellationReason = "because"
        changed.cancellationReason = nil
        changed.concurrency = group
        #expect(changed == plain && changed.hashValue == plain.hashValue)
    }
}
