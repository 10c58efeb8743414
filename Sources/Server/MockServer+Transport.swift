import ControlAPI
import GitHubREST
import MockHTTP

/// What the transport asks before it reads a request: how much body a route takes, and the
/// answer to send when it refuses a request itself.
extension MockServer {
    public func maximumBodyBytes(method: String, target: String) -> Int {
        RequestBodyLimits.limit(method: method, target: target)
    }

    public func refusal(status: Int, message: String) -> HTTPResponse {
        GitHubAPI.errorResponse(GitHubError(status: status, message: message, documentationURL: DocumentationURL.restRoot), version: nil)
    }
}
