import Benchmark
import GitHubREST
import MockHTTP
import Server
import StateDocuments

/// What one request costs inside the server, without sockets: each of the three endpoints on
/// the documentation example (answered from the cache after the first request, as a client
/// polling an unchanged state is: list-groups, get-group, get-group-ahead-of-run, run-groups),
/// get-group-uncached (a new target every time, so computed afresh), and trigger (a one-job
/// workflow through the control API). Allocation counts are the thresholds under Thresholds/.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        maxDuration: .seconds(2),
        maxIterations: 200_000,
        thresholds: [.mallocCountTotal: .init(relative: [.p90: 5], absolute: [.p90: 2])])

    func docsExampleServer() -> MockServer {
        // The embedded example always loads; a failure here is a broken build, not a benchmark result.
        let state = try! FixtureLoader.load(EmbeddedFixtures.docsExample, file: EmbeddedFixtures.docsExampleName)
        return MockServer(state: state, configuration: APIConfiguration(baseURL: "http://127.0.0.1:8080"))
    }

    let reads: [(String, String)] = [
        ("list-groups", "/repos/octocat/Hello-World/actions/concurrency_groups"),
        ("get-group", "/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod"),
        ("get-group-ahead-of-run", "/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod?ahead_of_run=30433643"),
        ("run-groups", "/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups"),
    ]
    for (name, target) in reads {
        Benchmark(name) { benchmark in
            let server = docsExampleServer()
            let request = HTTPRequest(method: "GET", target: target, headers: HTTPHeaders([("Host", "127.0.0.1:8080")]))
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(server.respond(to: request)) }
        }
    }

    /// Counts across the samples of one benchmark, so every request of it is a new one.
    final class Counter: @unchecked Sendable {
        var value = 0
    }

    let fresh = Counter()
    Benchmark("get-group-uncached") { benchmark in
        let server = docsExampleServer()
        let requests = (0..<benchmark.scaledIterations.count).map { _ in
            fresh.value += 1
            return HTTPRequest(method: "GET", target: "/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod?n=\(fresh.value)")
        }
        benchmark.startMeasurement()
        for request in requests { blackHole(server.respond(to: request)) }
    }

    Benchmark("trigger") { benchmark in
        let server = docsExampleServer()
        let workflow = "name: CI\non: push\nconcurrency:\n  group: ci-${{ github.ref }}\n  queue: max\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        blackHole(server.respond(to: HTTPRequest(method: "PUT", target: "/_mock/repos/octocat/Hello-World/workflows/ci.yml", body: Array(workflow.utf8))))
        let requests = (0..<benchmark.scaledIterations.count).map { index in
            HTTPRequest(
                method: "POST", target: "/_mock/repos/octocat/Hello-World/runs",
                body: Array(#"{"workflow":"ci.yml","ref":"refs/heads/b\#(index % 50)"}"#.utf8))
        }
        benchmark.startMeasurement()
        for request in requests { blackHole(server.respond(to: request)) }
    }
}
