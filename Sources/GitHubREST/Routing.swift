import ConcurrencySimulator
import MockHTTP

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

    /// The repository the route reads.
    var repository: RepositoryKey {
        switch self {
        case .listGroupsForRepository(let owner, let repo), .getGroup(let owner, let repo, _), .listGroupsForRun(let owner, let repo, _):
            RepositoryKey(owner: owner, name: repo)
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
