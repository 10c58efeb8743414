import ConcurrencySimulator
import JSONOutput
import SourceDocuments
import Yams

extension CancellationCause {
    /// `{"reason", "by_run_id", "by_job_id", "group", "message"}`, as the run document, the
    /// state export and the event journal write it.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("reason", reason.rawValue)
        json.key("by_run_id")
        if let byRun { json.int(byRun.rawValue) } else { json.null() }
        json.key("by_job_id")
        if let byJob { json.int(byJob.rawValue) } else { json.null() }
        json.field("group", group)
        json.field("message", message)
        json.endObject()
    }

    /// A cause or `null`, as `write` writes it.
    public static func write(_ cause: CancellationCause?, to json: inout JSONWriter) {
        if let cause { cause.write(to: &json) } else { json.null() }
    }

    /// Reads what `write` writes; `null` is no cause.
    public static func parse(_ node: some ReadableNode, reader: YAMLReader) throws(SourceError) -> CancellationCause? {
        if reader.isNull(node) { return nil }
        let fields = try reader.mapping(
            node, "cancelled_by", allowed: ["reason", "by_run_id", "by_job_id", "group", "message"], required: ["reason", "message"])
        func identifier(_ key: String) throws(SourceError) -> Int? {
            guard let node = fields[key], !reader.isNull(node) else { return nil }
            return try reader.identifier(node, key)
        }
        let group: String?
        if let node = fields["group"], !reader.isNull(node) { group = try reader.string(node, "group") } else { group = nil }
        return CancellationCause(
            reason: try reader.oneOf(fields["reason"]!, "reason", Reason.self),
            byRun: try identifier("by_run_id").map(RunID.init), byJob: try identifier("by_job_id").map(JobID.init),
            group: group, message: try reader.string(fields["message"]!, "message"))
    }
}
