import ConcurrencySimulator
import Foundation
import GitHubREST
import MockHTTP
import Server
import StateDocuments
import Testing
import Workflows

let apiBase = "https://api.github.com"

/// A server over the embedded documentation example, URLs built on GitHub's own base.
func docsExampleServer() throws -> MockServer {
    return MockServer(state: try FixtureLoader.load(EmbeddedFixtures.docsExample, file: "docs-example.yml"), configuration: APIConfiguration(baseURL: apiBase))
}

/// A server over one repository `o/r` with `count` active groups named `group-0000`...,
/// each held by its own run; run 1 is configured for every group whose index is a multiple of 3.
func manyGroupsServer(count: Int) throws -> MockServer {
    var simulator = Simulator(now: Timestamp(secondsSinceEpoch: 1_768_493_663))
    try simulator.addRepository(owner: "o", name: "r", visibility: .public)
    let key = RepositoryKey(owner: "o", name: "r")
    let names = (0..<count).map { "group-" + String(repeating: "0", count: 4 - String($0).count) + String($0) }
    try simulator.addRun(in: key, id: RunID(1), name: "Watcher", jobs: [], configuredGroups: names.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
    for (index, name) in names.enumerated() {
        let run = RunID(100 + index)
        try simulator.addRun(in: key, id: run, name: "Run \(index)", jobs: [], configuredGroups: [])
        try simulator.restoreQueue(in: key, groupName: name, items: [
            QueueItem(run: run, job: nil, kind: .workflow, waitingSince: simulator.now, acquiredAt: simulator.now),
        ])
    }
    return MockServer(state: MockState(simulator: simulator), configuration: APIConfiguration(baseURL: apiBase))
}

struct Answer {
    let status: Int
    let headers: HTTPHeaders
    let text: String

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// `rel` → request target (the URL without the base), from the Link header.
    var links: [String: String] {
        guard let header = headers["Link"] else { return [:] }
        var links: [String: String] = [:]
        for part in header.components(separatedBy: ", ") {
            let pieces = part.components(separatedBy: "; rel=")
            guard pieces.count == 2 else { continue }
            let url = pieces[0].trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
            links[pieces[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))] = String(url.dropFirst(apiBase.count))
        }
        return links
    }

    var groupNames: [String] {
        (json["concurrency_groups"] as? [[String: Any]] ?? []).compactMap { $0["group_name"] as? String }
    }
}

func get(_ server: MockServer, _ target: String, headers: [(String, String)] = [], method: String = "GET") -> Answer {
    let response = server.respond(to: HTTPRequest(method: method, target: target, headers: HTTPHeaders(headers)))
    return Answer(status: response.status, headers: response.headers, text: String(decoding: response.body, as: UTF8.self))
}

func notFoundBody(_ documentationURL: String) -> String {
    #"{"message":"Not Found","documentation_url":"\#(documentationURL)","status":"404"}"#
}

func validationBody(field: String, message: String, value: String? = nil, documentationURL: String) -> String {
    let valuePart = value.map { #","value":\#($0)"# } ?? ""
    return #"{"message":"Validation Failed","errors":[{"resource":"ConcurrencyGroup","field":"\#(field)","code":"invalid","message":"\#(message)"\#(valuePart)}],"documentation_url":"\#(documentationURL)","status":"422"}"#
}
