import AccessPolicy
import ConcurrencySimulator
import JSONOutput
import SourceDocuments
import Yams

extension AccessToken {
    /// The keys describing a token in a fixture or a control-API body.
    public static let documentKeys = ["type", "scopes", "repositories", "permissions", "user_id"]

    /// Reads `{type, scopes, repositories, permissions: {actions}, user_id}`; `extraKeys` are
    /// allowed and left to the caller.
    public static func parse(_ node: some ReadableNode, reader: YAMLReader, extraKeys: [String] = []) throws(SourceError) -> AccessToken {
        let fields = try reader.mapping(node, "a token", allowed: documentKeys + extraKeys, required: ["type"])
        let kind = try reader.oneOf(fields["type"]!, "type", Kind.self)
        let userID = try fields["user_id"].map { node throws(SourceError) in try reader.identifier(node, "user_id") } ?? 1
        switch kind {
        case .classic, .oauthApp:
            for key in ["repositories", "permissions"] where fields[key] != nil {
                throw reader.error(at: fields[key]!, "a \(kind.rawValue) token has scopes, not \(key)")
            }
            var scopes: [String] = []
            for scope in try fields["scopes"].map({ node throws(SourceError) in try reader.sequence(node, "scopes") }) ?? [] {
                scopes.append(try reader.nonEmptyString(scope, "a scope"))
            }
            return AccessToken(kind: kind, scopes: scopes, userID: userID)
        case .fineGrained, .installation:
            if let scopes = fields["scopes"] { throw reader.error(at: scopes, "a \(kind.rawValue) token has permissions, not scopes") }
            var selection = Selection.all
            if let node = fields["repositories"], reader.scalarText(node) != "all" {
                var keys: Set<RepositoryKey> = []
                for entry in try reader.sequence(node, "repositories (a list of OWNER/NAME, or all)") {
                    let text = try reader.nonEmptyString(entry, "a repository")
                    guard let key = RepositoryKey(parsing: text) else {
                        throw reader.error(at: entry, "a repository is OWNER/NAME, not '\(text)'")
                    }
                    keys.insert(key)
                }
                selection = .only(keys)
            }
            var actions = Permission.none
            if let node = fields["permissions"] {
                let permissions = try reader.mapping(node, "permissions", allowed: ["actions"])
                actions = try permissions["actions"].map { node throws(SourceError) in try reader.oneOf(node, "actions", Permission.self) } ?? .none
            }
            return AccessToken(kind: kind, selection: selection, actions: actions, userID: userID)
        }
    }

    /// The token as a fixture describes it, `token` first (the control API lists tokens the same way).
    public func write(named text: String, to json: inout JSONWriter) {
        json.beginObject()
        json.field("token", text)
        json.field("type", kind.rawValue)
        if hasOAuthScopes {
            json.key("scopes")
            json.beginArray()
            for scope in scopes { json.string(scope) }
            json.endArray()
        } else {
            json.key("repositories")
            switch selection {
            case .all:
                json.string("all")
            case .only(let repositories):
                json.beginArray()
                for repository in repositories.map({ "\($0.owner.folded)/\($0.name.folded)" }).sorted() { json.string(repository) }
                json.endArray()
            }
            json.key("permissions")
            json.beginObject()
            json.field("actions", actions.rawValue)
            json.endObject()
        }
        json.field("user_id", userID)
        json.endObject()
    }
}
