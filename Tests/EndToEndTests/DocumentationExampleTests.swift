import Testing

/// The three example requests of GitHub's "REST API endpoints for concurrency groups" page,
/// answered by the embedded default fixture over real HTTP.
@Suite struct DocumentationExampleTests {
    static let repositoryPath = "/repos/octocat/Hello-World/actions"

    /// The page's example headers.
    static let exampleHeaders = [("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2026-03-10")]

    // Response bodies copied verbatim from the documentation page.

    static let documentedList = #"""
        { "total_count": 2, "concurrency_groups": [ { "group_name": "deploy-prod", "group_url": "https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod", "last_acquired_at": "2026-01-15T16:14:23Z" }, { "group_name": "ci-build", "group_url": "https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/ci-build", "last_acquired_at": "2026-01-15T16:13:55Z" } ] }
        """#

    static let documentedGroup = #"""
        { "group_name": "deploy-prod", "group_url": "https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod", "total_count": 3, "group_members": [ { "run_id": 30433642, "run_name": "Deploy to production", "run_url": "https://api.github.com/repos/octocat/Hello-World/actions/runs/30433642", "run_html_url": "https://github.com/octocat/Hello-World/actions/runs/30433642", "status": "in_progress" }, { "run_id": 30433643, "run_name": "Deploy to production", "run_url": "https://api.github.com/repos/octocat/Hello-World/actions/runs/30433643", "run_html_url": "https://github.com/octocat/Hello-World/actions/runs/30433643", "status": "pending" }, { "run_id": 30433644, "run_name": "Deploy hotfix", "run_url": "https://api.github.com/repos/octocat/Hello-World/actions/runs/30433644", "run_html_url": "https://github.com/octocat/Hello-World/actions/runs/30433644", "job_id": 798245260, "job_name": "deploy", "job_url": "https://api.github.com/repos/octocat/Hello-World/actions/jobs/798245260", "job_html_url": "https://github.com/octocat/Hello-World/actions/runs/30433644/job/798245260", "status": "pending" } ] }
        """#

    static let documentedRunList = #"""
        { "total_count": 2, "concurrency_groups": [ { "group_name": "deploy-prod", "group_url": "https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod", "group_members": [ { "run_id": 30433642, "run_name": "Deploy to production", "run_url": "https://api.github.com/repos/octocat/Hello-World/actions/runs/30433642", "run_html_url": "https://github.com/octocat/Hello-World/actions/runs/30433642", "status": "in_progress", "position": 0, "position_url": "https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/deploy-prod?ahead_of_run=30433642" } ] }, { "group_name": "ci-build", "group_url": "https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/ci-build", "group_members": [ { "run_id": 30433642, "run_name": "Deploy to production", "run_url": "https://api.github.com/repos/octocat/Hello-World/actions/runs/30433642", "run_html_url": "https://github.com/octocat/Hello-World/actions/runs/30433642", "status": "pending", "position": 2, "position_url": "https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/ci-build?ahead_of_job=798245260", "job_id": 798245260, "job_name": "build", "job_url": "https://api.github.com/repos/octocat/Hello-World/actions/jobs/798245260", "job_html_url": "https://github.com/octocat/Hello-World/actions/runs/30433642/job/798245260" } ] } ] }
        """#

    /// The documented deviations: groups sorted ascending by name (the page lists deploy-prod
    /// first), and in the run example the build job of run 30433642 is 798245261, because the page
    /// also uses 798245260 for the deploy job of run 30433644.
    static func expectedList() throws -> JSONValue {
        try sortingGroups(JSONValue(parsing: documentedList))
    }

    static func expectedGroup() throws -> JSONValue {
        try JSONValue(parsing: documentedGroup)
    }

    static func expectedRunList() throws -> JSONValue {
        var expected = try sortingGroups(JSONValue(parsing: documentedRunList))
        #expect(expected["concurrency_groups"]?[0]?["group_name"] == .string("ci-build"))
        var member = try #require(expected["concurrency_groups"]?[0]?["group_members"]?[0])
        #expect(member["job_id"] == .number(798_245_260))
        member["job_id"] = .number(798_245_261)
        member["job_url"] = .string("https://api.github.com/repos/octocat/Hello-World/actions/jobs/798245261")
        member["job_html_url"] = .string("https://github.com/octocat/Hello-World/actions/runs/30433642/job/798245261")
        member["position_url"] = .string(
            "https://api.github.com/repos/octocat/Hello-World/actions/concurrency_groups/ci-build?ahead_of_job=798245261")
        expected["concurrency_groups"]?[0]?["group_members"]?[0] = member
        return expected
    }

    static func sortingGroups(_ value: JSONValue) -> JSONValue {
        var value = value
        let groups = value["concurrency_groups"]?.arrayValue ?? []
        value["concurrency_groups"] = .array(groups.sorted {
            groupNameOrder($0["group_name"]?.stringValue ?? "", $1["group_name"]?.stringValue ?? "")
        })
        return value
    }

    @Test func listConcurrencyGroupsForARepository() throws {
        try withServer(arguments: ["--base-url", "https://api.github.com"]) { server in
            let response = try server.connect().get("\(Self.repositoryPath)/concurrency_groups", headers: Self.exampleHeaders)
            #expect(response.status == 200)
            #expect(try response.json() == Self.expectedList())
            #expect(response.header("Link") == nil)
        }
    }

    @Test func getAConcurrencyGroupForARepository() throws {
        try withServer(arguments: ["--base-url", "https://api.github.com"]) { server in
            let response = try server.connect().get("\(Self.repositoryPath)/concurrency_groups/deploy-prod", headers: Self.exampleHeaders)
            #expect(response.status == 200)
            #expect(try response.json() == Self.expectedGroup())
            #expect(response.header("Link") == nil)
        }
    }

    @Test func listConcurrencyGroupsForAWorkflowRun() throws {
        try withServer(arguments: ["--base-url", "https://api.github.com"]) { server in
            let response = try server.connect().get("\(Self.repositoryPath)/runs/30433642/concurrency_groups", headers: Self.exampleHeaders)
            #expect(response.status == 200)
            #expect(try response.json() == Self.expectedRunList())
            #expect(response.header("Link") == nil)
        }
    }

    /// Without `--base-url` every API URL is rooted at the address the server listens on, and
    /// the examples still match once that root is substituted; all three on one connection.
    @Test func examplesWithTheListeningAddressAsBaseURL() throws {
        try withServer { server in
            let connection = try server.connect()
            func rebased(_ value: JSONValue) throws -> JSONValue {
                try JSONValue(parsing: value.description.replacingOccurrences(of: "https://api.github.com", with: server.baseURL))
            }
            let list = try connection.get("\(Self.repositoryPath)/concurrency_groups", headers: Self.exampleHeaders)
            #expect(try list.json() == rebased(Self.expectedList()))
            let group = try connection.get("\(Self.repositoryPath)/concurrency_groups/deploy-prod", headers: Self.exampleHeaders)
            #expect(try group.json() == rebased(Self.expectedGroup()))
            let run = try connection.get("\(Self.repositoryPath)/runs/30433642/concurrency_groups", headers: Self.exampleHeaders)
            #expect(try run.json() == rebased(Self.expectedRunList()))
            // And every URL in them is followable: position_url and group_url on this server.
            for group in try run.json()["concurrency_groups"]?.arrayValue ?? [] {
                let groupURL = try #require(group["group_url"]?.stringValue)
                let followed = try connection.get(try #require(requestTarget(of: groupURL, onBase: server.baseURL)))
                #expect(followed.status == 200)
                #expect(try followed.json()["group_name"] == group["group_name"])
                for member in group["group_members"]?.arrayValue ?? [] {
                    let positionURL = try #require(member["position_url"]?.stringValue)
                    let ahead = try connection.get(try #require(requestTarget(of: positionURL, onBase: server.baseURL)))
                    #expect(ahead.status == 200)
                    let members = try ahead.json()["group_members"]?.arrayValue ?? []
                    // The item itself comes last, after everything ahead of it.
                    #expect(members.count == (member["position"]?.intValue ?? -1) + 1)
                    #expect(members.last?["run_id"] == member["run_id"])
                    #expect(members.last?["job_id"] == member["job_id"])
                }
            }
            #expect(connection.requestCount == 7)
        }
    }

    /// `--html-base-url` roots run_html_url and job_html_url (a trailing slash is dropped).
    @Test func htmlBaseURLOption() throws {
        try withServer(arguments: ["--base-url", "https://api.github.com", "--html-base-url", "https://ghe.example.com/"]) { server in
            let response = try server.connect().get("\(Self.repositoryPath)/concurrency_groups/deploy-prod")
            let expected = try JSONValue(parsing: Self.documentedGroup.replacingOccurrences(
                of: "https://github.com/", with: "https://ghe.example.com/"))
            #expect(try response.json() == expected)
        }
    }

    /// Owner and repository are "not case sensitive"; URLs keep the fixture's spelling.
    @Test func ownerAndRepositoryAreCaseInsensitive() throws {
        try withServer(arguments: ["--base-url", "https://api.github.com"]) { server in
            let response = try server.connect().get("/repos/OCTOCAT/hello-WORLD/actions/concurrency_groups/deploy-prod")
            #expect(response.status == 200)
            #expect(try response.json() == Self.expectedGroup())
        }
    }
}
