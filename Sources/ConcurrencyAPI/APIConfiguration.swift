/// Where the URLs in responses point.
public struct APIConfiguration: Sendable {
    /// The API root every `*_url` and Link is built on, without a trailing slash:
    /// `--base-url`, else the address the server listens on.
    public var baseURL: String
    /// The web root for `run_html_url` and `job_html_url`, without a trailing slash.
    public var htmlBaseURL: String
    /// Who may reach `/_mock`.
    public var controlPlane: ControlPlaneGuard

    public static let defaultHTMLBaseURL = "https://github.com"

    public init(
        baseURL: String, htmlBaseURL: String = APIConfiguration.defaultHTMLBaseURL, controlPlane: ControlPlaneGuard = ControlPlaneGuard()
    ) {
        self.baseURL = Self.trimmingTrailingSlashes(baseURL)
        self.htmlBaseURL = Self.trimmingTrailingSlashes(htmlBaseURL)
        self.controlPlane = controlPlane
    }

    private static func trimmingTrailingSlashes(_ url: String) -> String {
        var url = Substring(url)
        while url.hasSuffix("/") { url = url.dropLast() }
        return String(url)
    }
}

/// The REST API versions served; requests without `X-GitHub-Api-Version` get the first.
public enum APIVersion {
    public static let defaultVersion = "2022-11-28"
    public static let latest = "2026-03-10"
    public static let supported = [latest, defaultVersion]

    /// GitHub's 400 for an unsupported version; its `errors` is a string.
    static func unsupported(_ requested: String) -> GitHubError {
        GitHubError(
            status: 400, message: "Bad Request",
            details: .text(
                "The version you specified in the \"X-GitHub-API-Version\" request header, \"\(requested)\", is not a supported version. The following versions are currently supported: \"\(latest)\" (most recent) and \"\(defaultVersion)\"."),
            documentationURL: DocumentationURL.restRoot)
    }
}
