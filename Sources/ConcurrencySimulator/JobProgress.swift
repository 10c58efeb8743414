/// A job's three times, status and conclusion in 16 bytes: what changes as a job moves along,
/// packed because a large state holds hundreds of thousands of jobs (a `JobTimes` alone is 24).
///
/// Each time is 41 bits, its seconds since 1970 plus `timeBias`, which holds every second of
/// years -32,000 to 36,000 (every clock and document time is within years 0 to 9999); the
/// largest code stands for a time not yet reached. Status takes 2 bits, the conclusion 3
/// (0 for none): 128 bits in all, laid out from the low bit of `low` to the high bit of `high`
/// as created, started, completed, status, conclusion.
struct JobProgress: Hashable, Sendable {
    private var low: UInt64
    private var high: UInt64

    private static let timeWidth = 41
    private static let timeBias: Int64 = 1 << 40
    private static let absentCode: UInt128 = 1 << timeWidth - 1
    private static let startedOffset = timeWidth
    private static let completedOffset = 2 * timeWidth
    private static let statusOffset = 3 * timeWidth
    private static let conclusionOffset = statusOffset + 2

    init(times: JobTimes, status: ExecutionStatus, conclusion: Conclusion?) {
        (low, high) = (0, 0)
        self.times = times
        self.status = status
        self.conclusion = conclusion
    }

    var times: JobTimes {
        get {
            JobTimes(
                createdAt: Self.time(field(at: 0, width: Self.timeWidth)) ?? .absent,
                startedAt: Self.time(field(at: Self.startedOffset, width: Self.timeWidth)),
                completedAt: Self.time(field(at: Self.completedOffset, width: Self.timeWidth)))
        }
        set {
            setField(at: 0, width: Self.timeWidth, to: Self.code(of: newValue.createdAt))
            setField(at: Self.startedOffset, width: Self.timeWidth, to: Self.code(of: newValue.startedAt))
            setField(at: Self.completedOffset, width: Self.timeWidth, to: Self.code(of: newValue.completedAt))
        }
    }

    var status: ExecutionStatus {
        get {
            switch field(at: Self.statusOffset, width: 2) {
            case 0: .queued
            case 1: .pending
            case 2: .inProgress
            default: .completed
            }
        }
        set {
            let number: UInt128 = switch newValue {
            case .queued: 0
            case .pending: 1
            case .inProgress: 2
            case .completed: 3
            }
            setField(at: Self.statusOffset, width: 2, to: number)
        }
    }

    var conclusion: Conclusion? {
        get {
            switch field(at: Self.conclusionOffset, width: 3) {
            case 0: nil
            case 1: .success
            case 2: .failure
            case 3: .cancelled
            default: .skipped
            }
        }
        set {
            let number: UInt128 = switch newValue {
            case nil: 0
            case .success: 1
            case .failure: 2
            case .cancelled: 3
            case .skipped: 4
            }
            setField(at: Self.conclusionOffset, width: 3, to: number)
        }
    }

    private var bits: UInt128 {
        get { UInt128(high) << 64 | UInt128(low) }
        set { (low, high) = (UInt64(truncatingIfNeeded: newValue), UInt64(truncatingIfNeeded: newValue >> 64)) }
    }

    private func field(at offset: Int, width: Int) -> UInt128 {
        bits >> offset & (1 << width - 1)
    }

    private mutating func setField(at offset: Int, width: Int, to value: UInt128) {
        let mask: UInt128 = (1 << width - 1) << offset
        bits = bits & ~mask | value << offset & mask
    }

    private static func code(of time: Timestamp?) -> UInt128 {
        guard let time, time != .absent else { return absentCode }
        let biased = time.secondsSinceEpoch + timeBias
        precondition((0..<Int64(absentCode)).contains(biased), "a job's times are within years -32,000 to 36,000")
        return UInt128(biased)
    }

    private static func time(_ code: UInt128) -> Timestamp? {
        code == absentCode ? nil : Timestamp(secondsSinceEpoch: Int64(code) - timeBias)
    }
}
