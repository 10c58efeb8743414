/// Why the simulator refused a change. A refused change leaves the simulator as it was.
public struct SimulatorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The part of the refused request the error is about, so a caller holding source
    /// locations (a fixture loader) can point at the exact line.
    public enum Subject: Equatable, Sendable {
        case job(index: Int)
        case configuredGroup(index: Int)
        case queueItem(index: Int)
    }

    public let message: String
    public let subject: Subject?
    /// The request field at fault, when it is one a caller names in its answer (`owner`).
    public let field: String?

    public init(_ message: String, subject: Subject? = nil, field: String? = nil) {
        self.message = message
        self.subject = subject
        self.field = field
    }

    public var description: String { message }
}
