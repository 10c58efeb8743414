import JSONOutput
import MockHTTP

/// One entry of a `Validation Failed` body's `errors` array (GitHub's `Validation Error`).
public struct ValidationIssue: Equatable, Sendable {
    /// GitHub's `value` is a string, an integer or null.
    public enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int)
    }

    public var resource: String
    public var field: String
    public var code: String
    public var message: String?
    public var value: Value?
    /// Where in a submitted document (workflow file, fixture, JSON body) the problem is; the
    /// control API adds these, GitHub's own endpoints never do.
    public var line: Int?
    public var column: Int?

    public init(
        resource: String, field: String, code: String = "invalid", message: String? = nil, value: Value? = nil,
        line: Int? = nil, column: Int? = nil
    ) {
        self.resource = resource
        self.field = field
        self.code = code
        self.message = message
        self.value = value
        self.line = line
        self.column = column
    }
}

/// An error answer with GitHub's body: `{"message", ["errors"], "documentation_url", "status"}`.
public struct GitHubError: Error, Equatable, Sendable {
    /// GitHub's `errors` is an array of issues on 422 and a plain string on a bad API version.
    public enum Details: Equatable, Sendable {
        case none
        case issues([ValidationIssue])
        case text(String)
    }

    public var status: Int
    public var message: String
    public var details: Details
    public var documentationURL: String
    /// Headers the answer carries beside the body (`Allow` on a 405).
    public var headers: HTTPHeaders

    public init(
        status: Int, message: String, details: Details = .none, documentationURL: String, headers: HTTPHeaders = HTTPHeaders()
    ) {
        self.status = status
        self.message = message
        self.details = details
        self.documentationURL = documentationURL
        self.headers = headers
    }

    /// A 405 for a route that exists, with the methods it allows.
    public static func methodNotAllowed(allowing methods: [String], _ documentationURL: String) -> GitHubError {
        GitHubError(
            status: 405, message: "Method Not Allowed", documentationURL: documentationURL,
            headers: HTTPHeaders([("Allow", methods.joined(separator: ", "))]))
    }

    public static func notFound(_ documentationURL: String) -> GitHubError {
        GitHubError(status: 404, message: "Not Found", documentationURL: documentationURL)
    }

    public static func validationFailed(_ issue: ValidationIssue, _ documentationURL: String) -> GitHubError {
        GitHubError(status: 422, message: "Validation Failed", details: .issues([issue]), documentationURL: documentationURL)
    }

    /// The body, keys in GitHub's order.
    public var body: [UInt8] {
        var json = JSONWriter(reservingCapacity: 256)
        json.beginObject()
        json.field("message", message)
        switch details {
        case .none:
            break
        case .text(let text):
            json.field("errors", text)
        case .issues(let issues):
            json.key("errors")
            json.beginArray()
            for issue in issues {
                json.beginObject()
                json.field("resource", issue.resource)
                json.field("field", issue.field)
                json.field("code", issue.code)
                if let message = issue.message { json.field("message", message) }
                switch issue.value {
                case .none: break
                case .string(let value): json.field("value", value)
                case .integer(let value): json.field("value", value)
                }
                if let line = issue.line { json.field("line", line) }
                if let column = issue.column { json.field("column", column) }
                json.endObject()
            }
            json.endArray()
        }
        json.field("documentation_url", documentationURL)
        json.field("status", String(status))
        json.endObject()
        return json.bytes
    }
}

/// The documentation URL GitHub puts in error bodies, per operation.
public enum DocumentationURL {
    public static let listForRepository =
        "https://docs.github.com/rest/actions/concurrency-groups#list-concurrency-groups-for-a-repository"
    public static let getGroup =
        "https://docs.github.com/rest/actions/concurrency-groups#get-a-concurrency-group-for-a-repository"
    public static let listForRun =
        "https://docs.github.com/rest/actions/concurrency-groups#list-concurrency-groups-for-a-workflow-run"
    /// What GitHub names for a path it does not route and for a bad API version.
    public static let restRoot = "https://docs.github.com/rest"
    /// The mock's own control API, described in README.md and `/_mock/openapi.yaml`.
    public static let controlAPI = "README.md#control-api"
}
