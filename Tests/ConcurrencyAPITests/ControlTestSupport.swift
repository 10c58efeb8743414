import ConcurrencySimulator
import Foundation
import GitHubREST
import MockHTTP
import Server
import StateDocuments
import Testing
import Workflows

/// A mock with one public repository `acme/app`, the clock frozen at 2026-01-15T16:00:00Z,
/// run ids from 100 and job ids from 1000, driven through the control API.
final class Driver {
    let server: MockServer

    init(retainedCompletedRuns: Int = Simulator.defaultRetainedCompletedRuns) throws {
        var simulator = Simulator(now: Timestamp(rfc3339: "2026-01-15T16:00:00Z")!)
        simulator.runIDStart = RunID(100)
        simulator.jobIDStart = JobID(1000)
        try simulator.addRepository(owner: "acme", name: "app", visibility: .public)
        server = MockServer(
            state: MockState(simulator: simulator, clockFrozen: true), configuration: APIConfiguration(baseURL: apiBase),
            retainedCompletedRuns: retainedCompletedRuns)
    }

    @discardableResult
    func send(_ method: String, _ target: String, _ body: String = "") -> Answer {
        let response = server.respond(to: HTTPRequest(method: method, target: target, body: Array(body.utf8)))
        return Answer(status: response.status, headers: response.headers, text: String(decoding: response.body, as: UTF8.self))
    }

    func workflow(_ file: String, _ yaml: String) {
        let answer = send("PUT", "/_mock/repos/acme/app/workflows/\(file)", yaml)
        #expect(answer.status == 201, "\(file): \(answer.text)")
    }

    /// Triggers a run; answers its id.
    @discardableResult
    func trigger(_ file: String, ref: String = "refs/heads/main", event: String = "push", inputs: String = "{}") -> Int {
        let answer = send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"\#(file)","ref":"\#(ref)","event":"\#(event)","inputs":\#(inputs)}"#)
        #expect(answer.status == 201, "\(answer.text)")
        return answer.json["id"] as? Int ?? -1
    }

    func completeJob(_ id: Int, _ conclusion: String = "success") {
        let answer = send("POST", "/_mock/repos/acme/app/jobs/\(id)/complete", #"{"conclusion":"\#(conclusion)"}"#)
        #expect(answer.status == 200, "\(answer.text)")
    }

    func run(_ id: Int) -> [String: Any] { send("GET", "/_mock/repos/acme/app/runs/\(id)").json }

    /// Each active group's queue as the get-group endpoint shows it:
    /// `"100 in_progress"` for a run-level item, `"100/1002 pending"` for one with a job.
    func queues() -> [String: [String]] {
        var result: [String: [String]] = [:]
        let list = send("GET", "/repos/acme/app/actions/concurrency_groups?per_page=100")
        for name in list.groupNames {
            let group = send("GET", "/repos/acme/app/actions/concurrency_groups/\(URLEncoding.percentEncode(name))")
            let members = group.json["group_members"] as? [[String: Any]] ?? []
            result[name] = members.map { member in
                let job = (member["job_id"] as? Int).map { "/\($0)" } ?? ""
                return "\(member["run_id"] as? Int ?? 0)\(job) \(member["status"] as? String ?? "")"
            }
        }
        return result
    }
}
