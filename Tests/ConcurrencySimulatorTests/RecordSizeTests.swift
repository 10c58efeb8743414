import ConcurrencySimulator
import Testing

/// A large state holds these by the hundred thousand, each stored whole: their sizes are most of
/// what a queued item costs (README, Performance).
@Suite struct RecordSizeTests {
    @Test func recordsStayCompact() {
        #expect(MemoryLayout<Job>.stride == 72)
        #expect(MemoryLayout<JobTimes>.stride == 24)
        #expect(MemoryLayout<QueueItem>.stride == 40)
        #expect(MemoryLayout<WorkflowRun>.stride == 152)
    }
}
