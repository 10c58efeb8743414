import ControlAPI
import Testing

/// The largest body each route takes (the transport asks before reading one). Targets are judged
/// as the router reads them, however they are written.
@Suite struct BodyLimitByRouteTests {
    @Test(arguments: [
        ("PUT", "/_mock/state", RequestBodyLimits.state),
        ("PUT", "/_mock/state/", RequestBodyLimits.state),
        ("PUT", "/%5Fmock/state", RequestBodyLimits.state),
        ("PUT", "http://localhost:8080/_mock/state?x=1", RequestBodyLimits.state),
        ("POST", "/_mock/state", RequestBodyLimits.controlDocument),
        ("PUT", "/_mock/repos/a/b/workflows/ci.yml", RequestBodyLimits.workflowFile),
        ("PUT", "/_mock/clock", RequestBodyLimits.controlDocument),
        ("POST", "/_mock/repos/a/b/runs", RequestBodyLimits.controlDocument),
        ("POST", "/_mock", RequestBodyLimits.controlDocument),
        ("POST", "/_mock?x=1", RequestBodyLimits.controlDocument),
        ("POST", "/%5Fmock/repos/a/b/runs", RequestBodyLimits.controlDocument),
        ("POST", "http://localhost/_mock/clock/advance", RequestBodyLimits.controlDocument),
        ("POST", "/_mockery/runs", RequestBodyLimits.gitHubRoute),
        ("POST", "/_moc", RequestBodyLimits.gitHubRoute),
        ("POST", "/repos/octocat/Hello-World/actions/runs", RequestBodyLimits.gitHubRoute),
        ("PUT", "/repos/octocat/Hello-World/actions/concurrency_groups", RequestBodyLimits.gitHubRoute),
        ("POST", "/%ZZ", RequestBodyLimits.gitHubRoute),
    ])
    func eachTargetGetsItsRoutesLimit(method: String, target: String, limit: Int) {
        #expect(RequestBodyLimits.limit(method: method, target: target) == limit)
    }
}
