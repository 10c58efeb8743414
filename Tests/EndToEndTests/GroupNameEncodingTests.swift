import Testing

/// Group names that need percent-encoding: every `group_url` and `position_url` is followable
/// over HTTP and resolves back to the same group; lookups ignore case.
@Suite struct GroupNameEncodingTests {
    static let path = "/repos/enc/Names/actions"
    static let names = [
        "deploy/prod", "a b", "x#y", "50%", "what?", "héllo", "Prod", "c++", "semi;colon=1&x",
        "nbsp\u{00A0}here", "🚀 launch", "~tilde.dot_", "quote\"back\\slash",
    ]

    static var yaml: String {
        var lines = [
            "version: 1",
            "now: \"2026-03-01T00:00:00Z\"",
            "repositories:",
            "  - owner: enc",
            "    name: Names",
            "    runs:",
            "      - { id: 10, name: CI }",
            "      - id: 11",
            "        name: Release",
            "        jobs: [ { id: 1101, name: ship } ]",
            "    concurrency_groups:",
        ]
        for (index, name) in names.enumerated() {
            lines.append("      - name: \(yamlQuoted(name))")
            lines.append("        queue:")
            lines.append("          - { run: 10, waiting_since: \"2026-02-28T00:00:00Z\", acquired_at: \"2026-02-28T00:00:01Z\" }")
            if index % 2 == 0 {
                lines.append("          - { run: 11, job: 1101, kind: job, waiting_since: \"2026-02-28T00:00:02Z\" }")
            } else {
                lines.append("          - { run: 11, waiting_since: \"2026-02-28T00:00:02Z\" }")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func groupURLsAreEncodedAndFollowable() throws {
        try withServer(yaml: Self.yaml) { server in
            let connection = try server.connect()
            let list = try connection.get("\(Self.path)/concurrency_groups?per_page=100")
            #expect(list.status == 200)
            let groups = try list.json()["concurrency_groups"]?.arrayValue ?? []
            #expect(groups.compactMap { $0["group_name"]?.stringValue } == Self.names.sorted(by: groupNameOrder))
            for group in groups {
                let name = try #require(group["group_name"]?.stringValue)
                let url = try #require(group["group_url"]?.stringValue)
                #expect(url == "\(server.baseURL)\(Self.path)/concurrency_groups/\(percentEncodeSegment(name))")
                let followed = try connection.get(try #require(requestTarget(of: url, onBase: server.baseURL)))
                #expect(followed.status == 200, "\(name.debugDescription) → \(url)")
                let body = try followed.json()
                #expect(body["group_name"] == .string(name))
                #expect(body["group_url"] == .string(url))
                #expect(body["total_count"] == .number(2))
            }
        }
    }

    @Test func positionURLsAreFollowable() throws {
        try withServer(yaml: Self.yaml) { server in
            let connection = try server.connect()
            let list = try connection.get("\(Self.path)/runs/11/concurrency_groups?per_page=100")
            let groups = try list.json()["concurrency_groups"]?.arrayValue ?? []
            #expect(groups.count == Self.names.count)
            for group in groups {
                let name = try #require(group["group_name"]?.stringValue)
                let member = try #require(group["group_members"]?[0])
                #expect(member["position"] == .number(1))
                let url = try #require(member["position_url"]?.stringValue)
                let followed = try connection.get(try #require(requestTarget(of: url, onBase: server.baseURL)))
                #expect(followed.status == 200, "\(name.debugDescription) → \(url)")
                let body = try followed.json()
                #expect(body["group_name"] == .string(name))
                #expect(body["total_count"] == .number(2))
                #expect(body["group_members"]?[1]?["run_id"] == .number(11))
                #expect(body["group_members"]?[1]?["job_id"] == member["job_id"])
            }
        }
    }

    @Test(arguments: [
        ("Prod", "Prod"), ("PROD", "Prod"), ("prod", "Prod"), ("pRoD", "Prod"),
        ("H%C3%89LLO", "héllo"), ("h%c3%a9llo", "héllo"), ("HÉllo", "héllo"),
        ("DEPLOY%2FPROD", "deploy/prod"), ("deploy%2fprod", "deploy/prod"),
        ("A%20B", "a b"), ("X%23Y", "x#y"), ("50%25", "50%"), ("WHAT%3F", "what?"),
        ("c++", "c++"), ("C%2B%2B", "c++"), ("%F0%9F%9A%80%20LAUNCH", "🚀 launch"),
    ])
    func lookupIgnoresCaseAndShowsTheFirstSpelling(segment: String, name: String) throws {
        try withServer(yaml: Self.yaml) { server in
            let response = try server.connect().get("\(Self.path)/concurrency_groups/\(segment)")
            #expect(response.status == 200)
            let body = try response.json()
            #expect(body["group_name"] == .string(name))
            #expect(body["group_url"] == .string("\(server.baseURL)\(Self.path)/concurrency_groups/\(percentEncodeSegment(name))"))
        }
    }

    /// Segments that do not name a group: an unencoded `/` splits the path (unknown route), `+`
    /// in a path is a plus (not a space), and a malformed escape or invalid UTF-8 matches nothing.
    @Test(arguments: [
        ("deploy/prod", "https://docs.github.com/rest"),
        ("deploy", "https://docs.github.com/rest/actions/concurrency-groups#get-a-concurrency-group-for-a-repository"),
        ("a+b", "https://docs.github.com/rest/actions/concurrency-groups#get-a-concurrency-group-for-a-repository"),
        ("x%ZZ", "https://docs.github.com/rest"),
        ("%FF", "https://docs.github.com/rest"),
        ("50%", "https://docs.github.com/rest"),
    ])
    func segmentsThatNameNoGroup(segment: String, documentationURL: String) throws {
        try withServer(yaml: Self.yaml) { server in
            let response = try server.connect().get("\(Self.path)/concurrency_groups/\(segment)")
            #expect(response.status == 404)
            #expect(try response.json() == .object([
                "message": .string("Not Found"), "documentation_url": .string(documentationURL), "status": .string("404"),
            ]))
        }
    }

    /// A group named `.` or `..` gets a group_url whose last segment is a dot segment. Clients
    /// that resolve URLs (curl, browsers, URLSession) remove dot segments before sending (RFC
    /// 3986 §5.2.4), so following that group_url reaches `/actions/concurrency_groups/` (the
    /// repository list) or `/actions/` (404) instead of the group. Encoding the dots (`%2E`),
    /// which the server already decodes, would make the URL followable.
    @Test func dotSegmentGroupNamesAreFollowableByURLResolvingClients() throws {
        let yaml = """
            version: 1
            now: "2026-03-01T00:00:00Z"
            repositories:
              - owner: enc
                name: Dots
                runs: [ { id: 20, name: CI } ]
                concurrency_groups:
                  - { name: ".", queue: [ { run: 20, waiting_since: "2026-02-28T00:00:00Z" } ] }
                  - { name: "..", queue: [ { run: 20, waiting_since: "2026-02-28T00:00:00Z" } ] }
                  - { name: "...", queue: [ { run: 20, waiting_since: "2026-02-28T00:00:00Z" } ] }
            """
        try withServer(yaml: yaml) { server in
            let connection = try server.connect()
            let list = try connection.get("/repos/enc/Dots/actions/concurrency_groups")
            let groups = try list.json()["concurrency_groups"]?.arrayValue ?? []
            #expect(groups.compactMap { $0["group_name"]?.stringValue } == [".", "..", "..."])
            for group in groups {
                let name = try #require(group["group_name"]?.stringValue)
                let url = try #require(group["group_url"]?.stringValue)
                let target = try #require(requestTarget(of: url, onBase: server.baseURL))
                // Sent verbatim, the server finds the group.
                let verbatim = try connection.get(target)
                #expect(verbatim.status == 200)
                #expect(try verbatim.json()["group_name"] == .string(name))
                // Sent as a URL-resolving client sends it:
                let resolved = removeDotSegments(target)
                if name == "..." {
                    #expect(resolved == target)  // not a dot segment: fine as is
                    continue
                }
                #expect(resolved == target, "\(url) is sent as \(resolved)")
                let followed = try connection.get(resolved)
                #expect(followed.status == 200 && (try? followed.json()["group_name"]) == .string(name),
                        "following \(url) as a URL-resolving client does gives \(followed.status) \(followed.bodyText)")
            }
            // The encoded form is understood, so the fix is only in the URL built.
            let encoded = try connection.get("/repos/enc/Dots/actions/concurrency_groups/%2E%2E")
            #expect(try encoded.json()["group_name"] == .string(".."))
        }
    }
}
