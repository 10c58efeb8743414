import ConcurrencySimulator
import SourceDocuments
import Yams

/// The simulator's clock: real time from an anchor, or frozen and moved by hand. It never goes
/// back, because queues are FIFO by the times items started waiting.
public struct MockClock: Sendable {
    public private(set) var frozen: Bool
    /// The simulated time at `wallAnchor`.
    private var simulatedAnchor: Timestamp
    private var wallAnchor: Timestamp

    /// The clock stops at the last second RFC 3339 can write.
    public static let latest = Timestamp.latestWritable

    public init(now: Timestamp, frozen: Bool, wall: Timestamp) {
        self.frozen = frozen
        self.simulatedAnchor = now
        self.wallAnchor = wall
    }

    public func now(wall: Timestamp) -> Timestamp {
        let running = simulatedAnchor.adding(seconds: max(0, wall.secondsSinceEpoch - wallAnchor.secondsSinceEpoch))
        return min(frozen ? simulatedAnchor : running, Self.latest)
    }

    /// Sets the time and mode; refuses a time before the current one or after `latest`.
    public mutating func set(now: Timestamp?, frozen: Bool?, wall: Timestamp) -> Bool {
        let current = self.now(wall: wall)
        let target = now ?? current
        guard target >= current, target <= Self.latest else { return false }
        simulatedAnchor = target
        wallAnchor = wall
        self.frozen = frozen ?? self.frozen
        return true
    }

    /// Moves the clock on; refuses to pass `latest`.
    public mutating func advance(seconds: Int64, wall: Timestamp) -> Bool {
        let target = now(wall: wall).adding(seconds: seconds)
        guard target <= Self.latest else { return false }
        simulatedAnchor = target
        wallAnchor = wall
        return true
    }

    /// The longest single step forward: ten years.
    public static let maximumAdvanceSeconds: Int64 = 315_360_000

    /// Reads a step forward (`seconds`) for a clock standing at `now`: the one rule behind the
    /// control API's `POST /_mock/clock/advance` and a fixture's `advance_clock` event.
    public static func advance(_ node: some ReadableNode, from now: Timestamp, reader: YAMLReader) throws(SourceError) -> Int64 {
        guard let text = reader.scalarText(node), text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let seconds = Int64(text), seconds <= maximumAdvanceSeconds
        else {
            throw reader.error(at: node, "seconds must be a whole number from 0 to \(maximumAdvanceSeconds) (ten years)")
        }
        guard now.adding(seconds: seconds) <= latest else {
            throw reader.error(at: node, "the clock cannot pass \(latest), the last time RFC 3339 can write")
        }
        return seconds
    }
}
