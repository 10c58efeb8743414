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
        #expect(MemoryLayout<WorkflowRun>.stride == 144)
        #expect(MemoryLayout<RunTimes>.stride == 32)
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

    /// A queue keeps one acquisition time, its holder's: it moves with the holder's place, and a
    /// holder removed takes it along until the next holder is given one.
    @Test func aQueueKeepsOnlyItsHoldersAcquisitionTime() {
        var queue: GroupQueue = [
            QueueItem(run: RunID(1), job: nil, kind: .workflow, waitingSince: t(1), acquiredAt: t(2)),
            QueueItem(run: RunID(2), job: JobID(20), kind: .job, waitingSince: t(3)),
            QueueItem(run: RunID(3), job: JobID(30), kind: .reusableWorkflow, waitingSince: t(4)),
        ]
        #expect(queue.map(\.acquiredAt) == [t(2), nil, nil] && queue.holderAcquiredAt == t(2))
        #expect(queue.map(\.run) == [RunID(1), RunID(2), RunID(3)] && queue.map(\.job) == [nil, JobID(20), JobID(30)])
        #expect(queue.map(\.kind) == [.workflow, .job, .reusableWorkflow] && queue.map(\.waitingSince) == [t(1), t(3), t(4)])
        queue.remove(at: 1)
        #expect(queue.map(\.acquiredAt) == [t(2), nil] && queue.map(\.run) == [RunID(1), RunID(3)])
        queue.remove(at: 0)
        #expect(queue.map(\.acquiredAt) == [nil] && queue.first?.run == RunID(3))
        queue.holderAcquiredAt = t(9)
        #expect(queue.first?.acquiredAt == t(9))
        queue.append(QueueItem(run: RunID(4), job: nil, kind: .workflow, waitingSince: t(9)))
        #expect(queue.map(\.acquiredAt) == [t(9), nil] && queue.count == 2)
        #expect(MemoryLayout<GroupQueue>.stride == 16)
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
