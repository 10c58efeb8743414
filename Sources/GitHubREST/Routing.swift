import ConcurrencySimulator
import MockHTTP

/// A request target split into decoded path segments and query parameters.
public struct RequestTarget: Sendable {
    /// Path segments, each percent-decoded on its own, so `%2F` stays inside its segment.
    public let segments: [String]
    public let query: QueryParameters

    /// `nil` when the path or query holds a malformed escape or invalid UTF-8.
    public init?(_ target: String) {
        var rest = Substring(target)
        if rest.first != "/", let schemeEnd = rest.firstRange(of: "://") {
            // Absolute-form (`GET http://host/path`): keep only the path and query.
            let afterAuthority = rest[schemeEnd.upperBound...]
            rest = afterAuthority.firstIndex(of: "/").map { afterAuthority[$0...] } ?? "/"
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let path: Substring
        let rawQuery: Substring
        if let question = rest.firstIndex(of: "?") {
            path = rest[..<question]
            rawQuery = rest[rest.index(after: question)...]
        } else {
            path = rest
            rawQuery = ""
        }
        guard path.first == "/" else { return nil }
        var pieces = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        // One trailing slash is tolerated, as GitHub's router does.
        if pieces.count > 1, pieces.last?.isEmpty == true { pieces.removeLast() }
        var segments: [String] = []
        segments.reserveCapacity(pieces.count)
        for piece in pieces {
            guard let decoded = URLEncoding.percentDecode(piece) else { return nil }
            segments.append(decoded)
        }
        guard let query = QueryParameters(rawQuery) else { return nil }
        self.segments = segments
        self.query = query
    }
}

/// Decoded query parameters that also remember their raw spelling, so Link URLs can carry a
/// request's other parameters exactly as they came.
public struct QueryParameters: Sendable {
    private let pairs: [(key: String, value: String, raw: Substring)]

    init?(_ rawQuery: Substring) {
        var pairs: [(key: String, value: String, raw: Substring)] = []
        for piece in rawQuery.split(separator: "&") {
            guard let decoded = URLEncoding.queryPairs(piece).flatMap(\.first) else { return nil }
            pairs.append((decoded.key, decoded.value, piece))
        }
        self.pairs = pairs
    }

    /// The last value given for `key`, as Rails-style servers read repeated parameters.
    public subscript(key: String) -> String? {
        pairs.last { $0.key == key }?.value
    }

    /// The raw `key=value` pieces whose key is not in `excluded`, in request order.
    func rawPieces(excluding excluded: Set<String>) -> [Substring] {
        pairs.filter { !excluded.contains($0.key) }.map(\.raw)
    }
}

/// The GitHub operations this mock serves.
public enum GitHubRoute: Equatable, Sendable {
    case listGroupsForRepository(owner: String, repo: String)
    case getGroup(owner: String, repo: String, group: String)
    case listGroupsForRun(owner: String, repo: String, run: RunID)

    /// Matches `/repos/{owner}/{repo}/actions/...`; `nil` for any other path.
    public init?(segments: [String]) {
        guard segments.count >= 5, segments[0] == "repos", segments[3] == "actions",
              !segments[1].isEmpty, !segments[2].isEmpty
        else { return nil }
        let owner = segments[1]
        let repo = segments[2]
        switch Array(segments[4...]) {
        case ["concurrency_groups"]:
            self = .listGroupsForRepository(owner: owner, repo: repo)
        case let tail where tail.count == 2 && tail[0] == "concurrency_groups" && !tail[1].isEmpty:
            self = .getGroup(owner: owner, repo: repo, group: tail[1])
        case let tail where tail.count == 3 && tail[0] == "runs" && tail[2] == "concurrency_groups":
            guard tail[1].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let id = Int(tail[1]), id >= 1
            else { return nil }
            self = .listGroupsForRun(owner: owner, repo: repo, run: RunID(id))
        default:
            return nil
        }
    }

    var documentationURL: String {
        switch self {
        case .listGroupsForRepository: return DocumentationURL.listForRepository
        case .getGroup: return DocumentationURL.getGroup
        case .listGroupsForRun: return DocumentationURL.listForRun
        }
    }
}
