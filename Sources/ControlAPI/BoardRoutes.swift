import GitHubREST
import MockHTTP

/// `GET /_mock/ui`: the board, one page watching the queues live (`Sources/ControlAPI/Board/`).
/// Its three files are compiled into the binary (`EmbeddedBoard`, written by
/// scripts/embed-fixtures), so it works offline and needs nothing beside the binary. They are static: the page reads everything else through
/// GitHub's endpoints and the control API, so they need no `--control-token` (see
/// `ControlPlaneGuard`).
enum Board {
    static let page = Array(EmbeddedBoard.index_html.utf8)
    static let files: [String: (type: String, bytes: [UInt8])] = [
        "board.css": ("text/css; charset=utf-8", Array(EmbeddedBoard.board_css.utf8)),
        "board.js": ("text/javascript; charset=utf-8", Array(EmbeddedBoard.board_js.utf8)),
    ]

    /// Same-origin only: the page loads nothing from elsewhere and cannot be framed.
    static let securityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// `segments` are those after `ui`.
    static func respond(to method: String, _ segments: ArraySlice<String>) throws(GitHubError) -> HTTPResponse {
        let type: String
        let bytes: [UInt8]
        if segments.isEmpty {
            (type, bytes) = ("text/html; charset=utf-8", page)
        } else if segments.count == 1, let file = files[segments.first!] {
            (type, bytes) = file
        } else {
            throw ControlPlane.notFound()
        }
        guard method == "GET" else { throw .methodNotAllowed(allowing: ["GET"], DocumentationURL.controlAPI) }
        return HTTPResponse(status: 200, headers: HTTPHeaders([
            ("Content-Type", type),
            ("Cache-Control", "no-cache"),
            ("Content-Security-Policy", securityPolicy),
            ("Referrer-Policy", "no-referrer"),
            ("X-Content-Type-Options", "nosniff"),
        ]), body: bytes)
    }
}
