import ConcurrencySimulator
import SourceDocuments
import Workflows
import Yams

/// Replays a fixture's `events:` through the same operations the control API uses.
enum EventReplayer {
    static let kinds = ["trigger", "complete_job", "complete_run", "cancel_run", "advance_clock"]

    static func apply(_ node: some ReadableNode, to state: inout MockState, reader: YAMLReader) throws(SourceError) {
        let event = try reader.mapping(node, "an event", allowed: kinds)
        guard event.entries.count == 1, let (kind, body) = event.entries.first else {
            throw reader.error(at: node, "an event has exactly one of: \(kinds.joined(separator: ", "))")
        }
        do {
            switch kind {
            case "trigger":
                let trigger = try TriggerEvent.parse(body, reader: reader, extraKeys: ["repository"])
                let repository = try repositoryKey(body, reader: reader, state: state)
                try state.trigger(trigger, in: repository)
            case "complete_job":
                let fields = try reader.mapping(body, "complete_job", allowed: ["job", "conclusion", "outputs"], required: ["job"])
                let conclusion = try fields["conclusion"].map { node throws(SourceError) in try reader.oneOf(node, "conclusion", Conclusion.self) } ?? .success
                let outputs = try fields["outputs"].map { node throws(SourceError) in try FixtureLoader.stringPairs(node, "outputs", reader: reader) } ?? [:]
                try state.simulator.completeJob(JobID(try reader.identifier(fields["job"]!, "job")), conclusion: conclusion, outputs: outputs)
            case "complete_run":
                let fields = try reader.mapping(body, "complete_run", allowed: ["run"], required: ["run"])
                try state.simulator.completeRun(RunID(try reader.identifier(fields["run"]!, "run")))
            case "cancel_run":
                let fields = try reader.mapping(body, "cancel_run", allowed: ["run"], required: ["run"])
                try state.simulator.cancelRun(RunID(try reader.identifier(fields["run"]!, "run")), reason: CancellationReason.controlAPI)
            default:
                let fields = try reader.mapping(body, "advance_clock", allowed: ["seconds"], required: ["seconds"])
                let seconds = try MockClock.advance(fields["seconds"]!, from: state.simulator.now, reader: reader)
                state.simulator.now = state.simulator.now.adding(seconds: seconds)
            }
        } catch let error as SimulatorError {
            throw reader.error(at: body, "\(kind): \(error.message)")
        } catch let error as SourceError {
            guard error.file == reader.file else { throw reader.error(at: body, "\(kind): \(error)") }
            throw error
        } catch {
            throw reader.error(at: body, "\(kind): \(error)")
        }
    }

    private static func repositoryKey(_ node: some ReadableNode, reader: YAMLReader, state: MockState) throws(SourceError) -> RepositoryKey {
        let fields = try reader.mapping(node, "a trigger", allowed: TriggerEvent.keys + ["repository"], required: ["repository"])
        let text = try reader.nonEmptyString(fields["repository"]!, "repository")
        guard let key = RepositoryKey(parsing: text) else {
            throw reader.error(at: fields["repository"]!, "repository must be OWNER/NAME, not '\(text)'")
        }
        guard state.simulator.repositories[key] != nil else {
            throw reader.error(at: fields["repository"]!, "repository \(text) is not in the fixture")
        }
        return key
    }
}
