import ConcurrencySimulator
import GitHubREST
import JSONOutput
import SourceDocuments
import StateDocuments

/// `GET|POST|DELETE /_mock/faults` and `DELETE /_mock/faults/{id}`: faults injected into
/// GitHub's answers (the rules are part of the state; `Server` applies them).
enum FaultRoute {
    case faults
    /// `nil` when the id is not a valid one (no such rule, then).
    case fault(Int?)

    var allowedMethods: [String] {
        switch self {
        case .faults: ["GET", "POST", "DELETE"]
        case .fault: ["DELETE"]
        }
    }
}

extension ControlPlane {
    static func respond(_ route: FaultRoute, method: String, body: [UInt8], context: inout Context) throws(GitHubError) -> (Int, [UInt8]) {
        switch route {
        case .faults:
            switch method {
            case "POST":
                let node = try document(body, "Fault")
                let rule: FaultRule
                do {
                    rule = try FaultRule.parse(node, id: context.state.faults.nextID, reader: YAMLReader(file: "request body"))
                } catch {
                    throw invalid("Fault", "body", error)
                }
                guard context.state.faults.rules.count < FaultRules.maximumCount else {
                    throw invalid("Fault", "body", "at most \(FaultRules.maximumCount) faults are held at once; delete some first")
                }
                context.state.faults.add(rule)
                var json = JSONWriter()
                context.state.faults.rules.last!.write(to: &json)
                return (201, json.bytes)
            case "DELETE":
                context.state.faults.removeAll()
                return (204, [])
            default:
                var json = JSONWriter()
                json.beginObject()
                json.key("faults")
                context.state.faults.write(to: &json)
                json.endObject()
                return (200, json.bytes)
            }
        case .fault(let id):
            guard let id, context.state.faults.remove(id: id) else { throw notFound() }
            return (204, [])
        }
    }
}
