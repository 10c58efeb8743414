import ConcurrencySimulator
import FuzzDriver
import GitHubREST
import MockHTTP
import Server
import StateDocuments

/// Workflows registered in the docs example's repository, so generated triggers reach every
/// queue rule: `queue: single` and `queue: max`, cancel-in-progress, job-level groups (one of
/// them the docs example's own `deploy-prod`), a reusable-workflow lease, and a deadlock.
let workflows: [(file: String, source: String)] = [
    ("single.yml", "on: push\nconcurrency: single-${{ github.ref_name }}\njobs:\n  build: {}\n  test: { needs: build }\n"),
    ("max.yml", "on: push\nconcurrency: { group: max, queue: max }\njobs:\n  build: {}\n"),
    ("cancel.yml", "on: push\nconcurrency: { group: cancel, cancel-in-progress: true }\njobs:\n  build: {}\n"),
    ("jobs.yml", "on: push\njobs:\n  build: { concurrency: ci-build }\n  deploy: { needs: build, concurrency: { group: deploy-prod, queue: max } }\n"),
    ("called.yml", "on:\n  workflow_call:\n    inputs:\n      target: { type: string, required: true }\nconcurrency: called-${{ inputs.target }}\njobs:\n  work: {}\n"),
    ("caller.yml", "on: push\njobs:\n  call:\n    uses: ./.github/workflows/called.yml\n    with: { target: prod }\n"),
    ("deadlock.yml", "on: push\nconcurrency: locked\njobs:\n  inner: { concurrency: locked }\n"),
]

/// The docs example with the workflows above, built once; each input starts from a copy.
let initialState: MockState = {
    do {
        var state = try FixtureLoader.load(EmbeddedFixtures.docsExample, file: "docs-example.yml")
        let repository = RepositoryKey(owner: "octocat", name: "Hello-World")
        for workflow in workflows { _ = try state.registerWorkflow(workflow.source, file: workflow.file, in: repository) }
        return state
    } catch {
        fatalError("the harness's initial state does not load: \(error)")
    }
}()

let methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]

/// Where generated targets start; the input supplies the rest of the target.
let targetPrefixes = [
    "/repos/octocat/Hello-World/actions/concurrency_groups",
    "/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod",
    "/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups",
    "/_mock/repos/octocat/Hello-World/runs",
    "/_mock/repos/octocat/Hello-World/runs/",
    "/_mock/repos/octocat/Hello-World/jobs/",
    "/_mock/repos/octocat/Hello-World/workflows/",
    "/_mock/clock",
    "/_mock/state",
    "/_mock/",
    "/",
]

/// libFuzzer entry point: a sequence of requests against a fresh server holding the docs
/// example. Requests are separated by 0xFF (which UTF-8 never uses); in each, the first byte
/// picks the method, the second a target prefix, and the rest is the target's remainder, then
/// a 0x00, then the body. After every request the simulator's invariants must hold and the
/// answer must not be a server error.
@main
enum RequestHandlerFuzzing {
    static func main() {
        runLibFuzzer { data, size in fuzzRequestHandler(inputBytes(data, size)) }
    }
}

func fuzzRequestHandler(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
    let server = MockServer(state: initialState, configuration: APIConfiguration(baseURL: "http://127.0.0.1:8080"))
    for piece in input.split(separator: 0xFF, omittingEmptySubsequences: true) where piece.count >= 2 {
        let method = methods[Int(piece[piece.startIndex]) % methods.count]
        let prefix = targetPrefixes[Int(piece[piece.startIndex + 1]) % targetPrefixes.count]
        let rest = piece.dropFirst(2)
        let separator = rest.firstIndex(of: 0) ?? rest.endIndex
        let target = prefix + String(decoding: rest[..<separator], as: UTF8.self)
        let body = Array(rest[separator...].dropFirst())
        let response = server.respond(to: HTTPRequest(method: method, target: target, body: body))
        guard response.status < 500 else { fatalError("\(method) \(target) answered \(response.status)") }
        server.state.simulator.checkInvariants()
    }
    return 0
}
