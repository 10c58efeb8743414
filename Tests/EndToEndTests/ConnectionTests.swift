import Testing

/// HTTP/1.1 details around the endpoints: connection handling and request-target forms.
@Suite struct ConnectionTests {
    static let list = "/repos/octocat/Hello-World/actions/concurrency_groups"

    @Test func connectionCloseIsHonoured() throws {
        try withServer { server in
            let connection = try server.connect()
            #expect(try connection.get(Self.list).status == 200)
            let last = try connection.get(Self.list, headers: [("Connection", "close")])
            #expect(last.status == 200)
            #expect(last.header("Connection")?.lowercased() == "close")
            #expect(try last.json()["total_count"] == .number(2))
            #expect(try connection.waitForClose(milliseconds: 5_000), "the server kept a Connection: close connection open")
        }
    }

    /// A request target in absolute form is answered like its path.
    @Test func absoluteFormTarget() throws {
        try withServer { server in
            let connection = try server.connect()
            let origin = try connection.get("\(Self.list)/ci-build?ahead_of_job=798245255")
            let absolute = try connection.get("\(server.baseURL)\(Self.list)/ci-build?ahead_of_job=798245255")
            #expect(absolute.status == 200)
            #expect(absolute.body == origin.body)
            #expect(try absolute.json()["total_count"] == .number(2))
        }
    }

    /// A repeated parameter: the last value counts, and Link URLs state that one.
    @Test func repeatedParameterLastOneWins() throws {
        try withServer { server in
            let response = try server.connect().get("\(Self.list)?per_page=5&per_page=1")
            #expect(try response.json()["concurrency_groups"]?.arrayValue?.count == 1)
            let next = try #require(parseLinkHeader(response.header("Link"))["next"])
            #expect(next.hasPrefix("\(server.baseURL)\(Self.list)?per_page=1&after="), "\(next)")
        }
    }

    /// One trailing slash is tolerated; the answer is the same.
    @Test func trailingSlash() throws {
        try withServer { server in
            let connection = try server.connect()
            #expect(try connection.get("\(Self.list)/").body == connection.get(Self.list).body)
            #expect(try connection.get("\(Self.list)/deploy-prod/").body == connection.get("\(Self.list)/deploy-prod").body)
        }
    }
}
