import ConcurrencySimulator
import Testing

/// A large state holds these by the hundred thousand, each stored whole: their sizes are most of
/// what a queued item costs (README, Performance).
@Suite struct RecordSizeTests {
    @Test func recordsStayCompact() {
        #expect(MemoryLayout<Job>.stride == 72)
        #expect(MemoryLayout<JobTimes>.stride == 24)
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
}
