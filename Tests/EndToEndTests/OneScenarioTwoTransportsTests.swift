import Foundation
import Testing
import struct GitHubREST.APIConfiguration
import enum StateDocuments.FixtureLoader
import class Server.MockServer
import struct MockHTTP.HTTPHeaders
import struct MockHTTP.HTTPRequest

/// One client for both ways of running the mock: in-process (`MockServer.respond`, no sockets)
/// and the real binary on a port. The same scenario runs through each and must answer the same
/// bytes, so in-process API tests speak for the binary and the other way round.
protocol MockClient {
    func send(_ method: String, _ target: String, body: String) throws -> (status: Int, body: String)
}

struct InProcessClient: MockClient {
    let server: MockServer

    func send(_ method: String, _ target: String, body: String) throws -> (status: Int, body: String) {
        let response = server.respond(to: HTTPRequest(method: method, target: target, body: Array(body.utf8)))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }
}

struct LiveClient: MockClient {
    let connection: HTTPConnection

    func send(_ method: String, _ target: String, body: String) throws -> (status: Int, body: String) {
        let response = try connection.request(method, target, body: Array(body.utf8))
        return (response.status, response.bodyText)
    }
}

@Suite struct OneScenarioTwoTransportsTests {
    static let baseURL = "http://mock.test"
    static let fixture = """
        version: 1
        now: "2026-01-15T16:00:00Z"
        frozen: true
        run_id_start: 100
        job_id_start: 1000
        repositories:
          - owner: acme
            name: shop
            workflows:
              - file: deploy.yml
                source: |
                  name: Deploy
                  on: push
                  concurrency:
                    group: deploy-${{ github.ref_name }}
                  jobs:
                    deploy:
                      runs-on: ubuntu-latest
                      steps: [{ run: ./deploy }]
        """

    /// Three pushes under `queue: single`, a completion, a cancel, and every endpoint read back.
    static func play(_ client: MockClient) throws -> [String] {
        var transcript: [String] = []
        func step(_ method: String, _ target: String, _ body: String = "") throws {
            let (status, text) = try client.send(method, target, body: body)
            transcript.append("\(method) \(target) → \(status) \(text)")
        }
        for _ in 0..<3 { try step("POST", "/_mock/repos/acme/shop/runs", #"{"workflow":"deploy.yml"}"#) }
        try step("GET", "/repos/acme/shop/actions/concurrency_groups")
        try step("GET", "/repos/acme/shop/actions/concurrency_groups/deploy-main")
        try step("POST", "/_mock/clock/advance", #"{"seconds":30}"#)
        try step("POST", "/_mock/repos/acme/shop/jobs/1000/complete", #"{"conclusion":"success"}"#)
        try step("GET", "/repos/acme/shop/actions/concurrency_groups/deploy-main?ahead_of_run=102")
        try step("GET", "/repos/acme/shop/actions/runs/102/concurrency_groups")
        try step("POST", "/_mock/repos/acme/shop/runs/102/cancel")
        try step("GET", "/repos/acme/shop/actions/concurrency_groups/deploy-main")
        try step("GET", "/_mock/events?type=run.cancelled")
        try step("GET", "/_mock/state")
        return transcript
    }

    @Test func theBinaryAndTheInProcessServerAnswerTheSameScenarioByteForByte() throws {
        let inProcess = try Self.play(InProcessClient(server: MockServer(
            state: FixtureLoader.load(Self.fixture, file: "fixture.yml"), configuration: APIConfiguration(baseURL: Self.baseURL))))
        let live = try withServer(yaml: Self.fixture, arguments: ["--base-url", Self.baseURL]) { server in
            try Self.play(LiveClient(connection: server.connect()))
        }
        #expect(inProcess.count == 13)
        for (local, remote) in zip(inProcess, live) { #expect(local == remote) }
        #expect(inProcess[4] == #"GET /repos/acme/shop/actions/concurrency_groups/deploy-main → 200 {"group_name":"deploy-main","group_url":"http://mock.test/repos/acme/shop/actions/concurrency_groups/deploy-main","total_count":2,"group_members":[{"run_id":100,"run_name":"Deploy","run_url":"http://mock.test/repos/acme/shop/actions/runs/100","run_html_url":"https://github.com/acme/shop/actions/runs/100","status":"in_progress"},{"run_id":102,"run_name":"Deploy","run_url":"http://mock.test/repos/acme/shop/actions/runs/102","run_html_url":"https://github.com/acme/shop/actions/runs/102","status":"pending"}]}"#)
        #expect(inProcess[11].hasPrefix(#"GET /_mock/events?type=run.cancelled → 200 {"total_count":2,"#))
    }
}
