import AccessPolicy
import JSONOutput
import SourceDocuments
import Yams

extension RateLimitPolicy {
    /// `{enforce, authenticated, anonymous}`, GitHub's defaults for what is left out.
    public static func parse(_ node: some ReadableNode, reader: YAMLReader) throws(SourceError) -> RateLimitPolicy {
        let fields = try reader.mapping(node, "rate_limits", allowed: ["enforce", "authenticated", "anonymous"])
        var policy = RateLimitPolicy()
        policy.enforced = try fields["enforce"].map { node throws(SourceError) in try reader.bool(node, "enforce") } ?? policy.enforced
        policy.authenticatedLimit = try fields["authenticated"].map { node throws(SourceError) in try reader.identifier(node, "authenticated") } ?? policy.authenticatedLimit
        policy.anonymousLimit = try fields["anonymous"].map { node throws(SourceError) in try reader.identifier(node, "anonymous") } ?? policy.anonymousLimit
        return policy
    }

    /// `{"enforce", "authenticated", "anonymous"}`, as `parse` reads it.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("enforce", enforced)
        json.field("authenticated", authenticatedLimit)
        json.field("anonymous", anonymousLimit)
        json.endObject()
    }
}
