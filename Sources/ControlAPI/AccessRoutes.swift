import AccessPolicy
import ConcurrencySimulator
import GitHubREST
import JSONOutput
import SourceDocuments
import StateDocuments
import Yams

/// Who may read what: `/_mock/tokens[/{token}]`, `/_mock/auth` and `/_mock/rate_limits[/reset]`.
enum AccessRoute {
    case tokens, token(String), authentication, rateLimits, resetRateLimits

    var allowedMethods: [String] {
        switch self {
        case .tokens: ["GET"]
        case .token: ["GET", "PUT", "DELETE"]
        case .authentication, .rateLimits: ["GET", "PUT"]
        case .resetRateLimits: ["POST"]
        }
    }
}

extension ControlPlane {
    static func respond(_ route: AccessRoute, method: String, body: [UInt8], context: inout Context) throws(GitHubError) -> (Int, [UInt8]) {
        switch route {
        case .tokens:
            var json = JSONWriter()
            json.beginArray()
            for (text, token) in context.state.tokens.sorted(by: { $0.key < $1.key }) { token.write(named: text, to: &json) }
            json.endArray()
            return (200, json.bytes)
        case .token(let text):
            switch method {
            case "PUT":
                let node = try document(body, "Token")
                let token: AccessToken
                do {
                    token = try AccessToken.parse(node, reader: YAMLReader(file: "request body"))
                } catch {
                    throw invalid("Token", "body", error)
                }
                if let problem = StoredName.problem(text, "the token") { throw invalid("Token", "token", problem) }
                let created = context.state.tokens.updateValue(token, forKey: text) == nil
                return (created ? 201 : 200, tokenDocument(token, named: text))
            case "DELETE":
                guard context.state.tokens.removeValue(forKey: text) != nil else { throw notFound() }
                return (204, [])
            default:
                guard let token = context.state.tokens[text] else { throw notFound() }
                return (200, tokenDocument(token, named: text))
            }
        case .authentication:
            if method == "PUT" {
                let fields = try object(body, "Authentication", allowed: ["mode"], required: ["mode"])
                guard case .scalar(let scalar) = fields["mode"]!, let mode = AuthenticationMode(rawValue: scalar.string) else {
                    throw invalid("Authentication", "mode", "mode must be permissive or strict")
                }
                context.state.authenticationMode = mode
            }
            var json = JSONWriter()
            json.beginObject()
            json.field("mode", context.state.authenticationMode.rawValue)
            json.endObject()
            return (200, json.bytes)
        case .rateLimits:
            if method == "PUT" {
                let node = try document(body, "RateLimits")
                do {
                    context.state.rateLimits = try RateLimitPolicy.parse(node, reader: YAMLReader(file: "request body"))
                } catch {
                    throw invalid("RateLimits", "body", error)
                }
            }
            var json = JSONWriter()
            context.state.rateLimits.write(to: &json)
            return (200, json.bytes)
        case .resetRateLimits:
            context.resetRateLimits = true
            return (200, Array(#"{"status":"reset"}"#.utf8))
        }
    }

    private static func tokenDocument(_ token: AccessToken, named text: String) -> [UInt8] {
        var json = JSONWriter()
        token.write(named: text, to: &json)
        return json.bytes
    }
}
