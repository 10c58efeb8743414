import ConcurrencySimulator

/// The last events the simulation made, numbered in order, for `GET /_mock/events` and its
/// stream. Not part of the state: replacing or resetting the state is itself an event.
///
/// A ring of at most `capacity` events; appending past it drops the oldest, which
/// `oldestSequenceNumber` then shows as a gap to anyone asking for older ones.
public struct EventJournal: Sendable {
    /// One journaled event.
    public struct Entry: Sendable {
        public let sequenceNumber: Int
        public let event: SimulationEvent
    }

    /// `--event-journal-size`'s default.
    public static let defaultCapacity = 100_000

    public let capacity: Int
    private var ring: [Entry] = []
    /// Index in `ring` of the oldest entry once the ring is full.
    private var head = 0
    /// The number the next event gets; the first is 1.
    public private(set) var nextSequenceNumber = 1

    public init(capacity: Int = EventJournal.defaultCapacity) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    /// The oldest number still kept (`nextSequenceNumber` when nothing is).
    public var oldestSequenceNumber: Int { nextSequenceNumber - ring.count }

    public mutating func record(_ event: SimulationEvent) {
        let entry = Entry(sequenceNumber: nextSequenceNumber, event: event)
        nextSequenceNumber += 1
        if ring.count < capacity {
            ring.append(entry)
        } else {
            ring[head] = entry
            head = (head + 1) % capacity
        }
    }

    public mutating func record(_ events: [SimulationEvent]) {
        for event in events { record(event) }
    }

    /// The kept entries numbered after `sequenceNumber`, oldest first.
    public func entries(after sequenceNumber: Int) -> [Entry] {
        let skip = max(0, min(ring.count, sequenceNumber - oldestSequenceNumber + 1))
        var result: [Entry] = []
        result.reserveCapacity(ring.count - skip)
        for offset in skip..<ring.count { result.append(ring[(head + offset) % ring.count]) }
        return result
    }
}

/// Which events a reader wants: `GET /_mock/events` and its stream take the same filters.
public struct EventFilter: Sendable {
    /// `owner/name`, compared case-insensitively.
    public var repository: RepositoryKey?
    /// The event's group or its cause's, compared case-insensitively.
    public var group: GroupKey?
    /// The event's own run.
    public var run: RunID?
    public var type: SimulationEvent.EventType?

    public init(repository: RepositoryKey? = nil, group: GroupKey? = nil, run: RunID? = nil, type: SimulationEvent.EventType? = nil) {
        self.repository = repository
        self.group = group
        self.run = run
        self.type = type
    }

    public func matches(_ event: SimulationEvent) -> Bool {
        if let type, event.type != type { return false }
        if let run, event.run != run { return false }
        if let repository {
            guard let name = event.repository, let key = RepositoryKey(parsing: name), key == repository else { return false }
        }
        if let group {
            let groups = [event.group, event.cause?.group].compactMap { $0 }.map(GroupKey.init)
            guard groups.contains(group) else { return false }
        }
        return true
    }
}
