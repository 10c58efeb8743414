import GitHubREST
import Testing

@Suite struct NotFoundTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let target: String
        let documentationURL: String
        var testDescription: String { target }
    }

    static let cases: [Case] = [
        Case(target: "/repos/octocat/Spoon-Knife/actions/concurrency_groups", documentationURL: DocumentationURL.listForRepository),
        Case(target: "/repos/nobody/Hello-World/actions/concurrency_groups/deploy-prod", documentationURL: DocumentationURL.getGroup),
        Case(target: "/repos/octocat/Spoon-Knife/actions/runs/30433642/concurrency_groups", documentationURL: DocumentationURL.listForRun),
        Case(target: "/repos/octocat/Hello-World/actions/concurrency_groups/no-such-group", documentationURL: DocumentationURL.getGroup),
        Case(target: "/repos/octocat/Hello-World/actions/concurrency_groups/no-such-group?ahead_of_run=30433642", documentationURL: DocumentationURL.getGroup),
        Case(target: "/repos/octocat/Hello-World/actions/runs/1/concurrency_groups", documentationURL: DocumentationURL.listForRun),
        Case(target: "/repos/octocat/Hello-World/actions/runs/1/concurrency_groups?per_page=abc", documentationURL: DocumentationURL.listForRun),
        Case(target: "/repos/octocat/Hello-World/actions/runs/abc/concurrency_groups", documentationURL: DocumentationURL.restRoot),
        Case(target: "/repos/octocat/Hello-World/actions/runs/0/concurrency_groups", documentationURL: DocumentationURL.restRoot),
        Case(target: "/repos/octocat/Hello-World/actions/concurrency_groups/deploy/prod", documentationURL: DocumentationURL.restRoot),
        Case(target: "/repos/octocat/Hello-World/actions/concurrency_group", documentationURL: DocumentationURL.restRoot),
        Case(target: "/repos/octocat/Hello-World", documentationURL: DocumentationURL.restRoot),
        Case(target: "/", documentationURL: DocumentationURL.restRoot),
        Case(target: "/repos/octocat/Hello-World/actions/concurrency_groups/bad%zzescape", documentationURL: DocumentationURL.restRoot),
        Case(target: "/repos/octocat/Hello-World/actions/concurrency_groups/%FF", documentationURL: DocumentationURL.restRoot),
    ]

    @Test(arguments: cases)
    func answersGitHubsNotFoundBody(_ notFound: Case) throws {
        let answer = get(try docsExampleServer(), notFound.target)
        #expect(answer.status == 404)
        #expect(answer.text == notFoundBody(notFound.documentationURL))
        #expect(answer.headers["Content-Type"] == "application/json; charset=utf-8")
    }

    @Test(arguments: ["POST", "PUT", "DELETE", "PATCH"])
    func otherMethodsOnTheEndpointsAreNotFound(_ method: String) throws {
        let answer = get(try docsExampleServer(), "/repos/octocat/Hello-World/actions/concurrency_groups", method: method)
        #expect(answer.status == 404)
        #expect(answer.text == notFoundBody(DocumentationURL.restRoot))
    }

    @Test func aRunOfAnotherRepositoryIsNotFound() throws {
        let server = try docsExampleServer()
        try server.simulator.addRepository(owner: "octocat", name: "Other", visibility: .public)
        let answer = get(server, "/repos/octocat/Other/actions/runs/30433642/concurrency_groups")
        #expect(answer.status == 404)
    }
}

@Suite struct ValidationFailedTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let target: String
        let body: String
        var testDescription: String { target }
    }

    static let group = "/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod"
    static let list = "/repos/octocat/Hello-World/actions/concurrency_groups"
    static let run = "/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups"

    static func aheadOf(_ field: String, _ raw: String) -> String {
        validationBody(field: field, message: "\(field) must be an integer of at least 1", value: "\"\(raw)\"", documentationURL: DocumentationURL.getGroup)
    }

    static func perPage(_ raw: String, _ documentationURL: String) -> String {
        validationBody(field: "per_page", message: "per_page must be an integer of at least 1", value: "\"\(raw)\"", documentationURL: documentationURL)
    }

    static let cases: [Case] = [
        Case(target: group + "?ahead_of_run=0", body: aheadOf("ahead_of_run", "0")),
        Case(target: group + "?ahead_of_run=-4", body: aheadOf("ahead_of_run", "-4")),
        Case(target: group + "?ahead_of_run=abc", body: aheadOf("ahead_of_run", "abc")),
        Case(target: group + "?ahead_of_run=", body: aheadOf("ahead_of_run", "")),
        Case(target: group + "?ahead_of_run=1.5", body: aheadOf("ahead_of_run", "1.5")),
        Case(target: group + "?ahead_of_job=0", body: aheadOf("ahead_of_job", "0")),
        Case(target: group + "?ahead_of_job=x1", body: aheadOf("ahead_of_job", "x1")),
        Case(target: group + "?ahead_of_run=30433642&ahead_of_job=798245260",
             body: validationBody(field: "ahead_of_job", message: "ahead_of_run and ahead_of_job are mutually exclusive", documentationURL: DocumentationURL.getGroup)),
        Case(target: group + "?ahead_of_run=30433640",
             body: validationBody(field: "ahead_of_run", message: "run 30433640 is not in concurrency group 'deploy-prod'", value: "30433640", documentationURL: DocumentationURL.getGroup)),
        // Run 30433644's only item is a job-level lease, which ahead_of_run never matches.
        Case(target: group + "?ahead_of_run=30433644",
             body: validationBody(field: "ahead_of_run", message: "run 30433644 is not in concurrency group 'deploy-prod'", value: "30433644", documentationURL: DocumentationURL.getGroup)),
        Case(target: group + "?ahead_of_run=99999999999999999999999",
             body: aheadOf("ahead_of_run", "99999999999999999999999")),
        Case(target: group + "?ahead_of_job=798245261",
             body: validationBody(field: "ahead_of_job", message: "job 798245261 is not in concurrency group 'deploy-prod'", value: "798245261", documentationURL: DocumentationURL.getGroup)),
        Case(target: list + "?per_page=0", body: perPage("0", DocumentationURL.listForRepository)),
        Case(target: list + "?per_page=-1", body: perPage("-1", DocumentationURL.listForRepository)),
        Case(target: list + "?per_page=ten", body: perPage("ten", DocumentationURL.listForRepository)),
        Case(target: list + "?per_page=", body: perPage("", DocumentationURL.listForRepository)),
        Case(target: run + "?per_page=2.5", body: perPage("2.5", DocumentationURL.listForRun)),
        Case(target: run + "?after=abc&before=def",
             body: validationBody(field: "before", message: "before and after cannot be used together", documentationURL: DocumentationURL.listForRun)),
        Case(target: list + "?after=not-a-cursor",
             body: validationBody(field: "after", message: "after is not a cursor given by this list's Link header", value: "\"not-a-cursor\"", documentationURL: DocumentationURL.listForRepository)),
        Case(target: run + "?before=%00",
             body: validationBody(field: "before", message: "before is not a cursor given by this list's Link header", value: "\"\\u0000\"", documentationURL: DocumentationURL.listForRun)),
    ]

    @Test(arguments: cases)
    func answersGitHubsValidationFailedBody(_ invalid: Case) throws {
        let answer = get(try docsExampleServer(), invalid.target)
        #expect(answer.status == 422)
        #expect(answer.text == invalid.body)
    }

    @Test func aTamperedCursorIsRefused() throws {
        let server = try manyGroupsServer(count: 5)
        let first = get(server, "/repos/o/r/actions/concurrency_groups?per_page=2")
        let next = try #require(first.links["next"])
        let cursor = String(next.split(separator: "after=")[1])
        #expect(get(server, "/repos/o/r/actions/concurrency_groups?per_page=2&after=\(cursor)").status == 200)
        for position in cursor.indices {
            var tampered = cursor
            let replacement: Character = cursor[position] == "A" ? "B" : "A"
            tampered.replaceSubrange(position...position, with: String(replacement))
            let answer = get(server, "/repos/o/r/actions/concurrency_groups?per_page=2&after=\(tampered)")
            #expect(answer.status == 422, "cursor changed at offset \(cursor.distance(from: cursor.startIndex, to: position))")
        }
    }

    @Test func aCursorOfAnotherListIsRefused() throws {
        let server = try manyGroupsServer(count: 50)
        let repositoryPage = get(server, "/repos/o/r/actions/concurrency_groups?per_page=2")
        let cursor = String(try #require(repositoryPage.links["next"]).split(separator: "after=")[1])
        let answer = get(server, "/repos/o/r/actions/runs/1/concurrency_groups?per_page=2&after=\(cursor)")
        #expect(answer.status == 422)
        let runPage = get(server, "/repos/o/r/actions/runs/1/concurrency_groups?per_page=2")
        let runCursor = String(try #require(runPage.links["next"]).split(separator: "after=")[1])
        #expect(get(server, "/repos/o/r/actions/concurrency_groups?after=\(runCursor)").status == 422)
    }
}

@Suite struct VersionTests {
    @Test func theDefaultVersionIsSelectedWithoutAHeader() throws {
        let answer = get(try docsExampleServer(), "/repos/octocat/Hello-World/actions/concurrency_groups")
        #expect(answer.headers["X-GitHub-Api-Version-Selected"] == "2022-11-28")
        #expect(answer.headers["X-GitHub-Media-Type"] == "github.v3; format=json")
        #expect(answer.headers["Content-Type"] == "application/json; charset=utf-8")
    }

    @Test(arguments: ["2026-03-10", "2022-11-28"])
    func aSupportedVersionIsSelected(_ version: String) throws {
        let answer = get(try docsExampleServer(), "/repos/octocat/Hello-World/actions/concurrency_groups", headers: [("x-github-api-version", version)])
        #expect(answer.status == 200)
        #expect(answer.headers["X-GitHub-Api-Version-Selected"] == version)
    }

    @Test func anUnsupportedVersionGetsGitHubsBadRequest() throws {
        let answer = get(try docsExampleServer(), "/repos/octocat/Hello-World/actions/concurrency_groups", headers: [("X-GitHub-Api-Version", "1999-01-01")])
        #expect(answer.status == 400)
        #expect(answer.text == #"{"message":"Bad Request","errors":"The version you specified in the \"X-GitHub-API-Version\" request header, \"1999-01-01\", is not a supported version. The following versions are currently supported: \"2026-03-10\" (most recent) and \"2022-11-28\".","documentation_url":"https://docs.github.com/rest","status":"400"}"#)
        #expect(answer.headers["X-GitHub-Api-Version-Selected"] == nil)
    }

    @Test func everyAnswerHasItsOwnRequestID() throws {
        let server = try docsExampleServer()
        let ids = (0..<3).compactMap { _ in get(server, "/nowhere").headers["X-GitHub-Request-Id"] }
        #expect(Set(ids).count == 3)
        #expect(ids.allSatisfy { $0.split(separator: ":").count == 5 })
    }
}
