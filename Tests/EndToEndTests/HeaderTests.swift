import Testing

/// GitHub's usual response headers and API-version negotiation, over HTTP.
@Suite struct HeaderTests {
    static let targets = [
        "/repos/octocat/Hello-World/actions/concurrency_groups",
        "/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod",
        "/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups",
    ]

    @Test(arguments: targets)
    func jsonHeadersAndDefaultVersion(target: String) throws {
        try withServer { server in
            let response = try server.connect().get(target)
            #expect(response.status == 200)
            #expect(response.reason == "OK")
            #expect(response.headerValues("Content-Type") == ["application/json; charset=utf-8"])
            #expect(response.headerValues("X-GitHub-Media-Type") == ["github.v3; format=json"])
            #expect(response.headerValues("X-GitHub-Api-Version-Selected") == ["2022-11-28"])
            #expect(response.headerValues("X-GitHub-Request-Id").count == 1)
            #expect(response.header("Content-Length") == String(response.body.count))
        }
    }

    @Test func versionSelection() throws {
        try withServer { server in
            let connection = try server.connect()
            let target = Self.targets[1]
            for (sent, selected) in [("2026-03-10", "2026-03-10"), ("2022-11-28", "2022-11-28"), (" 2026-03-10 ", "2026-03-10")] {
                let response = try connection.get(target, headers: [("X-GitHub-Api-Version", sent)])
                #expect(response.status == 200, "sent \(sent.debugDescription)")
                #expect(response.header("X-GitHub-Api-Version-Selected") == selected, "sent \(sent.debugDescription)")
            }
            // Request header names are case-insensitive.
            let lower = try connection.get(target, headers: [("x-github-api-version", "2026-03-10")])
            #expect(lower.header("X-GitHub-Api-Version-Selected") == "2026-03-10")
            // The body does not depend on the version.
            let old = try connection.get(target, headers: [("X-GitHub-Api-Version", "2022-11-28")])
            let new = try connection.get(target, headers: [("X-GitHub-Api-Version", "2026-03-10")])
            #expect(old.body == new.body)
            // A version error is answered on the 404 path too (versions are checked first).
            let errorVersion = try connection.get("/nowhere", headers: [("X-GitHub-Api-Version", "2026-03-10")])
            #expect(errorVersion.status == 404)
            #expect(errorVersion.header("X-GitHub-Api-Version-Selected") == "2026-03-10")
        }
    }

    @Test(arguments: ["1999-01-01", "2026-03-11", "latest"])
    func unknownVersionIsRefusedWithGitHubsBody(version: String) throws {
        try withServer { server in
            let response = try server.connect().get(Self.targets[0], headers: [("X-GitHub-Api-Version", version)])
            #expect(response.status == 400)
            #expect(response.reason == "Bad Request")
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
            #expect(response.header("X-GitHub-Media-Type") == "github.v3; format=json")
            #expect(response.header("X-GitHub-Request-Id") != nil)
            let expected = JSONValue.object([
                "message": .string("Bad Request"),
                "errors": .string(
                    "The version you specified in the \"X-GitHub-API-Version\" request header, \"\(version)\", is not a supported version. The following versions are currently supported: \"2026-03-10\" (most recent) and \"2022-11-28\"."),
                "documentation_url": .string("https://docs.github.com/rest"),
                "status": .string("400"),
            ])
            #expect(try response.json() == expected)
        }
    }

    @Test func requestIDsDifferPerRequest() throws {
        try withServer { server in
            let connection = try server.connect()
            var ids: [String] = []
            for target in Self.targets + Self.targets + ["/nowhere", "/repos/octocat/Hello-World/actions/concurrency_groups?per_page=0"] {
                let response = try connection.get(target)
                let values = response.headerValues("X-GitHub-Request-Id")
                #expect(values.count == 1, "\(target)")
                #expect(values.first?.isEmpty == false, "\(target)")
                ids += values
            }
            // A second connection continues the sequence; HEAD gets its own id too.
            let other = try server.connect()
            ids += try other.head(Self.targets[0]).headerValues("X-GitHub-Request-Id")
            ids += try other.get(Self.targets[0]).headerValues("X-GitHub-Request-Id")
            #expect(ids.count == 10)
            #expect(Set(ids).count == ids.count, "request ids repeat: \(ids)")
        }
    }

    /// Each header on a line of its own, in the order the answer has them, then the transport's
    /// `Date` (an IMF-fixdate of now) and `Content-Length`: the transport hands runs of headers to
    /// evhttp joined, and the bytes must be those of the headers one by one.
    @Test func headerLinesInOrder() throws {
        try withServer { server in
            let connection = try server.connect()
            let page = try connection.get("/repos/octocat/Hello-World/actions/concurrency_groups?per_page=1")
            #expect(page.headers.map(\.name) == [
                "Content-Type", "X-GitHub-Media-Type", "X-GitHub-Api-Version-Selected", "Link", "ETag", "X-RateLimit-Limit",
                "X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Reset", "X-RateLimit-Resource", "X-GitHub-Request-Id",
                "Date", "Content-Length",
            ])
            #expect(page.header("X-RateLimit-Resource") == "core")
            #expect(page.header("Content-Length") == String(page.body.count))
            let date = try #require(page.header("Date"))
            #expect(date.wholeMatch(of: /(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT/) != nil, "\(date)")
            let missing = try connection.get("/nowhere")
            #expect(missing.status == 404)
            #expect(missing.headers.map(\.name) == [
                "Content-Type", "X-GitHub-Media-Type", "X-GitHub-Api-Version-Selected", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                "X-RateLimit-Used", "X-RateLimit-Reset", "X-RateLimit-Resource", "X-GitHub-Request-Id", "Date", "Content-Length",
            ])
        }
    }
}
