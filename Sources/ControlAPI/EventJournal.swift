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

    private var ring: SequencedRing<SimulationEvent>

    public init(capacity: Int = EventJournal.defaultCapacity) {
        ring = SequencedRing(capacity: capacity)
    }

    public var capacity: Int { ring.capacity }

    /// The number the next event gets; the first is 1.
    public var nextSequenceNumber: Int { ring.nextSequenceNumber }

    /// The oldest number still kept (`nextSequenceNumber` when nothing is).
    public var oldestSequenceNumber: Int { ring.oldestSequenceNumber }

    public mutating func record(_ event: SimulationEvent) {
        ring.append(event)
    }

    public mutating func record(_ events: [SimulationEvent]) {
        for event in events { record(event) }
    }

    /// The kept entries numbered after `sequenceNumber`, oldest first.
    public func entries(after sequenceNumber: Int) -> [Entry] {
        ring.elements(after: sequenceNumber).map { Entry(sequenceNumber: $0.sequenceNumber, event: $0.element) }
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
