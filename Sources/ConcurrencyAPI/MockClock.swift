import ConcurrencySimulator

/// The simulator's clock: real time from an anchor, or frozen and moved by hand. It never goes
/// back, because queues are FIFO by the times items started waiting.
public struct MockClock: Sendable {
    public private(set) var frozen: Bool
    /// The simulated time at `wallAnchor`.
    private var simulatedAnchor: Timestamp
    private var wallAnchor: Timestamp

    public init(now: Timestamp, frozen: Bool, wall: Timestamp) {
        self.frozen = frozen
        self.simulatedAnchor = now
        self.wallAnchor = wall
    }

    public func now(wall: Timestamp) -> Timestamp {
        frozen ? simulatedAnchor : simulatedAnchor.adding(seconds: max(0, wall.secondsSinceEpoch - wallAnchor.secondsSinceEpoch))
    }

    /// Sets the time and mode; refuses a time before the current one.
    public mutating func set(now: Timestamp?, frozen: Bool?, wall: Timestamp) -> Bool {
        let current = self.now(wall: wall)
        let target = now ?? current
        guard target >= current else { return false }
        simulatedAnchor = target
        wallAnchor = wall
        self.frozen = frozen ?? self.frozen
        return true
    }

    public mutating func advance(seconds: Int64, wall: Timestamp) {
        simulatedAnchor = now(wall: wall).adding(seconds: seconds)
        wallAnchor = wall
    }
}
