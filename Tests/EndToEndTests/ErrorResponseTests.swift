import Testing

/// GitHub's 404 and 422 bodies over HTTP: a representative few (the API unit tests hold the rest).
@Suite struct ErrorResponseTests {
    enum Docs {
        static let root = "https://docs.github.com/rest"
        static let listForRepository = "https://docs.github.com/rest/actions/concurrency-groups#list-concurrency-groups-for-a-repository"
        static let getGroup = "https://docs.github.com/rest/actions/concurrency-groups#get-a-concurrency-group-for-a-repository"
        static let listForRun = "https://docs.github.com/rest/actions/concurrency-groups#list-concurrency-groups-for-a-workflow-run"
    }

    static func notFound(_ documentationURL: String) -> JSONValue {
        .object(["message": .string("Not Found"), "documentation_url": .string(documentationURL), "status": .string("404")])
    }

    static func validationFailed(
        field: String, message: String, value: JSONValue?, documentationURL: String
    ) -> JSONValue {
        var issue: [String: JSONValue] = [
            "resource": .string("ConcurrencyGroup"), "field": .string(field), "code": .string("invalid"), "message": .string(message),
        ]
        if let value { issue["value"] = value }
        return .object([
            "message": .string("Validation Failed"), "errors": .array([.object(issue)]),
            "documentation_url": .string(documentationURL), "status": .string("422"),
        ])
    }

    static func expectError(_ response: HTTPResponse, status: Int, body: JSONValue, _ context: String) throws {
        #expect(response.status == status, "\(context)")
        #expect(response.header("Content-Type") == "application/json; charset=utf-8", "\(context)")
        #expect(response.header("X-GitHub-Media-Type") == "github.v3; format=json", "\(context)")
        #expect(response.header("X-GitHub-Api-Version-Selected") == "2022-11-28", "\(context)")
        #expect(try response.json() == body, "\(context)")
    }

    @Test(arguments: [
        // Unknown repository, on each operation.
        ("/repos/octocat/Nope/actions/concurrency_groups", Docs.listForRepository),
        ("/repos/nobody/Hello-World/actions/concurrency_groups/deploy-prod", Docs.getGroup),
        ("/repos/octocat/Nope/actions/runs/30433642/concurrency_groups", Docs.listForRun),
        // Unknown group.
        ("/repos/octocat/Hello-World/actions/concurrency_groups/deploy-staging", Docs.getGroup),
        // Unknown run, and a run id that is not a positive integer (no route).
        ("/repos/octocat/Hello-World/actions/runs/1/concurrency_groups", Docs.listForRun),
        ("/repos/octocat/Hello-World/actions/runs/abc/concurrency_groups", Docs.root),
        ("/repos/octocat/Hello-World/actions/runs/0/concurrency_groups", Docs.root),
        // Unknown paths.
        ("/", Docs.root),
        ("/repos/octocat/Hello-World", Docs.root),
        ("/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod/members", Docs.root),
        ("/repos/octocat/Hello-World/actions/runs/30433642/logs", Docs.root),
        // An unknown run on the workflow-run resource the mock now serves.
        ("/repos/octocat/Hello-World/actions/runs/1", "https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run"),
        ("/repos/octocat/Hello-World/actions/concurrency-groups", Docs.root),
    ])
    func notFoundWithGitHubsBody(target: String, documentationURL: String) throws {
        try withServer { server in
            let response = try server.connect().get(target)
            try Self.expectError(response, status: 404, body: Self.notFound(documentationURL), target)
        }
    }

    /// Routes answer GET and HEAD only; other methods get GitHub's 404 (with a body on the same
    /// keep-alive connection).
    @Test func otherMethodsAreNotFound() throws {
        try withServer { server in
            let connection = try server.connect()
            for method in ["POST", "PUT", "PATCH", "DELETE"] {
                let response = try connection.request(method, "/repos/octocat/Hello-World/actions/concurrency_groups", body: Array("{}".utf8))
                try Self.expectError(response, status: 404, body: Self.notFound(Docs.root), method)
            }
            #expect(try connection.get("/repos/octocat/Hello-World/actions/concurrency_groups").status == 200)
        }
    }

    @Test(arguments: [
        ("/repos/octocat/Hello-World/actions/concurrency_groups?per_page=0",
         "per_page", "per_page must be an integer of at least 1", JSONValue.string("0"), Docs.listForRepository),
        ("/repos/octocat/Hello-World/actions/concurrency_groups?per_page=abc",
         "per_page", "per_page must be an integer of at least 1", .string("abc"), Docs.listForRepository),
        ("/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups?per_page=-5",
         "per_page", "per_page must be an integer of at least 1", .string("-5"), Docs.listForRun),
        ("/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups?per_page=",
         "per_page", "per_page must be an integer of at least 1", .string(""), Docs.listForRun),
        ("/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod?ahead_of_run=30433642&ahead_of_job=798245260",
         "ahead_of_job", "ahead_of_run and ahead_of_job are mutually exclusive", nil, Docs.getGroup),
        ("/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod?ahead_of_run=30433640",
         "ahead_of_run", "run 30433640 is not in concurrency group 'deploy-prod'", .number(30_433_640), Docs.getGroup),
        // Run 30433641 waits on ci-build only through a job-level lease, which ahead_of_run never matches.
        ("/repos/octocat/Hello-World/actions/concurrency_groups/ci-build?ahead_of_run=30433641",
         "ahead_of_run", "run 30433641 is not in concurrency group 'ci-build'", .number(30_433_641), Docs.getGroup),
        ("/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod?ahead_of_job=798245261",
         "ahead_of_job", "job 798245261 is not in concurrency group 'deploy-prod'", .number(798_245_261), Docs.getGroup),
        ("/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod?ahead_of_job=0",
         "ahead_of_job", "ahead_of_job must be an integer of at least 1", .string("0"), Docs.getGroup),
        ("/repos/octocat/Hello-World/actions/concurrency_groups?after=not-a-cursor",
         "after", "after is not a cursor given by this list's Link header", .string("not-a-cursor"), Docs.listForRepository),
        ("/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups?before=AAAA",
         "before", "before is not a cursor given by this list's Link header", .string("AAAA"), Docs.listForRun),
    ])
    func validationFailedWithGitHubsBody(
        target: String, field: String, message: String, value: JSONValue?, documentationURL: String
    ) throws {
        try withServer { server in
            let response = try server.connect().get(target)
            try Self.expectError(
                response, status: 422,
                body: Self.validationFailed(field: field, message: message, value: value, documentationURL: documentationURL),
                target)
        }
    }

    /// A cursor from a real Link header with any one character changed is refused.
    @Test func tamperedCursorIsRefused() throws {
        try withServer { server in
            let connection = try server.connect()
            let path = "/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups"
            let first = try connection.get("\(path)?per_page=1")
            let cursor = try #require(queryValue("after", in: parseLinkHeader(first.header("Link"))["next"] ?? ""))
            #expect(try connection.get("\(path)?per_page=1&after=\(cursor)").status == 200)
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            var characters = Array(cursor)
            for index in characters.indices {
                let original = characters[index]
                characters[index] = alphabet[(alphabet.firstIndex(of: original)! + 1) % alphabet.count]
                let tampered = String(characters)
                characters[index] = original
                for parameter in ["after", "before"] {
                    let response = try connection.get("\(path)?per_page=1&\(parameter)=\(tampered)")
                    try Self.expectError(
                        response, status: 422,
                        body: Self.validationFailed(
                            field: parameter, message: "\(parameter) is not a cursor given by this list's Link header",
                            value: .string(tampered), documentationURL: Docs.listForRun),
                        "\(parameter)=\(tampered)")
                }
            }
            // Truncated and extended cursors too.
            for tampered in [String(cursor.dropLast()), cursor + "A", cursor + "AAAA"] {
                #expect(try connection.get("\(path)?after=\(tampered)").status == 422, "\(tampered)")
            }
        }
    }

    /// A private repository: GitHub answers 404 to a request without credentials ("to avoid
    /// confirming the existence of private repositories"). The mock takes `visibility: private`
    /// from the fixture but never consults it, so it serves the repository to anyone.
    @Test func privateRepositoryIsNotFoundWithoutCredentials() throws {
        let yaml = """
            version: 1
            now: "2026-03-01T00:00:00Z"
            repositories:
              - owner: secret
                name: Vault
                visibility: private
                runs: [ { id: 7, name: CI, concurrency_groups: [prod] } ]
                concurrency_groups:
                  - { name: prod, queue: [ { run: 7, waiting_since: "2026-02-28T00:00:00Z" } ] }
            """
        try withServer(yaml: yaml) { server in
            let connection = try server.connect()
            for (target, documentationURL) in [
                ("/repos/secret/Vault/actions/concurrency_groups", Docs.listForRepository),
                ("/repos/secret/Vault/actions/concurrency_groups/prod", Docs.getGroup),
                ("/repos/secret/Vault/actions/runs/7/concurrency_groups", Docs.listForRun),
            ] {
                let response = try connection.get(target)
                #expect(response.status == 404, "\(target) answered \(response.status) \(response.bodyText)")
                #expect((try? response.json()) == Self.notFound(documentationURL))
            }
        }
    }
}
