import ConcurrencySimulator
import GitHubREST
import JSONOutput
import SourceDocuments
import StateDocuments

/// `GET|PUT /_mock/clock` and `POST /_mock/clock/advance`: the simulator's clock, which never
/// goes back because queues are FIFO by the time items started waiting.
enum ClockRoute {
    case clock, advance

    var allowedMethods: [String] {
        switch self {
        case .clock: ["GET", "PUT"]
        case .advance: ["POST"]
        }
    }
}

extension ControlPlane {
    static func respond(_ route: ClockRoute, method: String, body: [UInt8], context: inout Context) throws(GitHubError) -> (Int, [UInt8]) {
        switch route {
        case .clock:
            if method == "PUT" {
                let fields = try object(body, "Clock", allowed: ["now", "frozen"])
                let reader = YAMLReader(file: "request body")
                var now: Timestamp?
                var frozen: Bool?
                do {
                    now = try fields["now"].map { node throws(SourceError) in try reader.timestamp(node, "now") }
                    frozen = try fields["frozen"].map { node throws(SourceError) in try reader.bool(node, "frozen") }
                } catch {
                    throw invalid("Clock", "now", error)
                }
                guard context.clock.set(now: now, frozen: frozen, wall: context.wall) else {
                    throw invalid(
                        "Clock", "now",
                        "the clock cannot go back (queues are FIFO by the time items started waiting) nor pass \(MockClock.latest)")
                }
                context.state.simulator.now = context.clock.now(wall: context.wall)
                context.state.clockFrozen = context.clock.frozen
                context.journal(.clockChanged)
            }
        case .advance:
            let fields = try object(body, "Clock", allowed: ["seconds"], required: ["seconds"])
            let seconds: Int64
            do {
                seconds = try MockClock.advance(fields["seconds"]!, from: context.clock.now(wall: context.wall), reader: YAMLReader(file: "request body"))
            } catch {
                throw invalid("Clock", "seconds", error.message)
            }
            _ = context.clock.advance(seconds: seconds, wall: context.wall)
            context.state.simulator.now = context.clock.now(wall: context.wall)
            context.journal(.clockChanged)
        }
        return (200, clockDocument(context))
    }

    private static func clockDocument(_ context: Context) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("now", context.clock.now(wall: context.wall).description)
        json.field("frozen", context.clock.frozen)
        json.endObject()
        return json.bytes
    }
}
