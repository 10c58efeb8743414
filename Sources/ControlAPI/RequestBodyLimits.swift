import MockHTTP
import SourceDocuments

/// The largest request body each route accepts. The transport asks before reading a body and
/// refuses a larger one with 413, so a client cannot make the server hold more than this.
public enum RequestBodyLimits {
    /// `PUT /_mock/state`: a whole state, as large as the loader reads it (the export of the
    /// bench's 100,000-item fixture is 94 MiB).
    public static let state = YAMLReader.maximumJSONDocumentBytes
    /// `PUT /_mock/repos/{owner}/{repo}/workflows/{file}`: one workflow file.
    public static let workflowFile = 1024 * 1024
    /// Every other control route: a small JSON document.
    public static let controlDocument = 1024 * 1024
    /// GitHub's routes are GET and HEAD only; a body there is a mistake.
    public static let gitHubRoute = 16 * 1024

    public static func limit(method: String, target: String) -> Int {
        // Only PUT routes take more than a control document, and nearly every target names the
        // control API in its first bytes: parsing and routing each body's target here, and again
        // to answer it, was 7 % of a trigger's cost.
        if method != "PUT", startsUnderControlAPI(target) { return controlDocument }
        guard let parsed = RequestTarget(target), parsed.segments.first == "_mock" else { return gitHubRoute }
        switch ControlPlane.Route(parsed.segments.dropFirst()) {
        case .state(.state) where method == "PUT": return state
        case .repository(.workflow) where method == "PUT": return workflowFile
        default: return controlDocument
        }
    }

    /// Whether `target` begins with the segment `_mock` as sent (not encoded, origin form).
    private static func startsUnderControlAPI(_ target: String) -> Bool {
        var utf8 = target.utf8[...]
        guard utf8.starts(with: "/_mock".utf8) else { return false }
        utf8 = utf8.dropFirst(6)
        return utf8.first.map { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? true
    }
}
