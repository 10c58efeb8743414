import Testing

/// HEAD answers like GET without a body, and leaves the keep-alive connection usable (evhttp on
/// its own sends the body anyway and corrupts the connection).
@Suite struct HeadRequestTests {
    /// Headers that differ between any two answers: the date, the request id, and the rate-limit
    /// budget, which each request (HEAD too) spends.
    static let framingHeaders: Set<String> = ["date", "x-github-request-id", "x-ratelimit-remaining", "x-ratelimit-used"]

    @Test(arguments: [
        ("/repos/octocat/Hello-World/actions/concurrency_groups", 200),
        ("/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod", 200),
        ("/repos/octocat/Hello-World/actions/concurrency_groups/ci-build?ahead_of_job=798245255", 200),
        ("/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups", 200),
        ("/repos/octocat/Hello-World/actions/concurrency_groups?per_page=1", 200),
        ("/repos/octocat/Hello-World/actions/concurrency_groups/nope", 404),
        ("/repos/octocat/Hello-World/actions/concurrency_groups?per_page=0", 422),
        ("/nowhere", 404),
    ])
    func headMatchesGetAndKeepsTheConnection(target: String, status: Int) throws {
        try withServer { server in
            let connection = try server.connect()
            let port = connection.localPort
            let get = try connection.get(target)
            #expect(get.status == status)
            #expect(get.header("Content-Length") == String(get.body.count))

            let head = try connection.head(target)
            #expect(head.status == get.status)
            #expect(head.reason == get.reason)
            #expect(head.headers.normalized(dropping: Self.framingHeaders) == get.headers.normalized(dropping: Self.framingHeaders))
            #expect(head.headerValues("Content-Length") == [String(get.body.count)])
            #expect(head.body.isEmpty)
            #expect(try connection.strayBytes(waitingMilliseconds: 200) == [], "bytes after a HEAD response")

            // The same connection still carries requests, HEAD after HEAD and GET after HEAD.
            let secondHead = try connection.head(target)
            #expect(secondHead.status == status)
            let again = try connection.get(target)
            #expect(again.status == get.status)
            #expect(again.body == get.body)
            #expect(connection.localPort == port)
            #expect(connection.requestCount == 4)
            #expect(!connection.peerClosed)
        }
    }

    /// A HEAD of a response with a Link header carries the same Link.
    @Test func headCarriesLink() throws {
        try withServer { server in
            let connection = try server.connect()
            let target = "/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups?per_page=1"
            let get = try connection.get(target)
            let head = try connection.head(target)
            #expect(get.header("Link") != nil)
            #expect(head.header("Link") == get.header("Link"))
        }
    }

    /// Many requests with HEADs interleaved on one connection, and a request pipelined right
    /// behind a HEAD, all stay in step.
    @Test func interleavedAndPipelinedHeads() throws {
        try withServer { server in
            let connection = try server.connect()
            let targets = [
                "/repos/octocat/Hello-World/actions/concurrency_groups",
                "/repos/octocat/Hello-World/actions/concurrency_groups/ci-build",
                "/repos/octocat/Hello-World/actions/runs/30433644/concurrency_groups",
            ]
            var lengths: [String: Int] = [:]
            for round in 0..<5 {
                for target in targets {
                    if round % 2 == 0 {
                        let get = try connection.get(target)
                        #expect(get.status == 200)
                        lengths[target] = get.body.count
                    } else {
                        let head = try connection.head(target)
                        #expect(head.status == 200)
                        #expect(head.header("Content-Length") == lengths[target].map(String.init))
                    }
                }
            }
            // Pipelined: HEAD, GET, HEAD, GET written before reading any answer.
            try connection.sendRequest("HEAD", targets[1])
            try connection.sendRequest("GET", targets[0])
            try connection.sendRequest("HEAD", targets[2])
            try connection.sendRequest("GET", targets[1])
            let first = try connection.receiveResponse(isHead: true)
            let second = try connection.receiveResponse(isHead: false)
            let third = try connection.receiveResponse(isHead: true)
            let fourth = try connection.receiveResponse(isHead: false)
            #expect([first.status, second.status, third.status, fourth.status] == [200, 200, 200, 200])
            #expect(first.header("Content-Length") == lengths[targets[1]].map(String.init))
            #expect(second.body.count == lengths[targets[0]])
            #expect(try second.json()["total_count"] == .number(2))
            #expect(third.header("Content-Length") == lengths[targets[2]].map(String.init))
            #expect(third.body.isEmpty)
            #expect(try fourth.json()["group_name"] == .string("ci-build"))
            #expect(try connection.strayBytes(waitingMilliseconds: 100) == [])
        }
    }
}
