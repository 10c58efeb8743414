import SourceDocuments
import Workflows
import Yams

extension TriggerEvent {
    /// The trigger keys of a control-API body or a fixture's `trigger` event.
    public static let keys = ["workflow", "ref", "event", "inputs", "vars", "actor", "sha", "head_ref", "base_ref", "payload"]

    /// Reads a trigger from a mapping; `extraKeys` are allowed and left to the caller.
    public static func parse(_ node: some ReadableNode, reader: YAMLReader, extraKeys: [String] = []) throws(SourceError) -> TriggerEvent {
        let fields = try reader.mapping(node, "a trigger", allowed: keys + extraKeys, required: ["workflow"])
        func text(_ key: String) throws(SourceError) -> String? {
            try fields[key].map { node throws(SourceError) in
                // JSON's false and true are not the strings "false" and "true".
                if case .bool = WorkflowDefinition.value(of: node, reader: reader) { throw reader.error(at: node, "\(key) must be a string") }
                return try reader.string(node, key)
            }
        }
        func pairs(_ key: String) throws(SourceError) -> [(key: String, value: ExpressionValue)] {
            guard let node = fields[key], !reader.isNull(node) else { return [] }
            guard case .object(let pairs) = WorkflowDefinition.value(of: node, reader: reader), case .mapping = node.content else {
                throw reader.error(at: node, "\(key) must be a mapping")
            }
            return pairs
        }
        var event = TriggerEvent(workflow: try reader.nonEmptyString(fields["workflow"]!, "workflow"))
        event.ref = try text("ref") ?? event.ref
        event.event = try text("event") ?? event.event
        event.inputs = try pairs("inputs")
        event.vars = try pairs("vars")
        event.actor = try text("actor") ?? event.actor
        event.sha = try text("sha") ?? event.sha
        event.headRef = try text("head_ref") ?? event.headRef
        event.baseRef = try text("base_ref") ?? event.baseRef
        if let node = fields["payload"], !reader.isNull(node) {
            guard case .mapping = node.content else { throw reader.error(at: node, "payload must be a mapping (the event's webhook payload)") }
            event.payload = WorkflowDefinition.value(of: node, reader: reader)
        }
        return event
    }
}
