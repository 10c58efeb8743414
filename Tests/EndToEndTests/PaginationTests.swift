import Testing

/// A generated fixture large enough to page through: 250 active groups in one repository, with
/// mixed case and odd characters in their names, and runs configured for 123 and 30 groups.
enum PagingFixture {
    static let owner = "pager"
    static let repository = "Many-Groups"
    static let repositoryPath = "/repos/pager/Many-Groups/actions"
    static let acquiredAt = "2026-02-01T09:30:00Z"

    static func activeName(_ i: Int) -> String {
        switch i % 11 {
        case 0: return i % 2 == 0 ? "DEPLOY-\(i)" : "deploy-\(i)"
        case 1: return "build \(i)"
        case 2: return "release/v\(i).x"
        case 3: return "Ärger-\(i)"
        case 4: return "q?\(i)&x=1"
        case 5: return "PR #\(i)"
        case 6: return "50%-\(i)"
        case 7: return "ZETA_\(i)"
        case 8: return "日本-\(i)"
        case 9: return "  spaced \(i) "
        default: return "Mixed.Case~\(i)+plus"
        }
    }

    static let activeNames = (0..<250).map(activeName)
    /// Active groups run 2 is configured for (103 of them) and the idle ones (20).
    static let run2ActiveIndices = Array(stride(from: 0, to: 206, by: 2))
    static let run2IdleNames = (0..<20).map { $0 % 2 == 0 ? "Idle-\($0)" : "IDLE \($0)" }
    static let run2Names = run2ActiveIndices.map(activeName) + run2IdleNames
    /// Run 3 is configured for exactly 30 idle groups: one default-sized page.
    static let run3Names = (0..<30).map { "solo-\($0)" }

    /// Run 2's item in active group `i`, if any: a job-level lease, a workflow-level one, or none.
    enum Run2Item { case job, workflow, none }
    static func run2Item(_ i: Int) -> Run2Item {
        guard run2ActiveIndices.contains(i) else { return .none }
        switch i % 8 {
        case 0: return .job
        case 4: return .workflow
        default: return .none
        }
    }

    static var yaml: String {
        var lines = [
            "version: 1",
            "now: \"2026-02-01T12:00:00Z\"",
            "repositories:",
            "  - owner: \(owner)",
            "    name: \(repository)",
            "    runs:",
            "      - id: 1",
            "        name: Nightly",
            "      - id: 2",
            "        name: Deploy",
            "        jobs:",
            "          - { id: 2001, name: \"deploy (linux)\" }",
            "        concurrency_groups:",
        ]
        lines += run2Names.map { "          - \(yamlQuoted($0))" }
        lines += ["      - id: 3", "        name: Solo", "        concurrency_groups:"]
        lines += run3Names.map { "          - \(yamlQuoted($0))" }
        lines.append("    concurrency_groups:")
        for (i, name) in activeNames.enumerated() {
            lines.append("      - name: \(yamlQuoted(name))")
            lines.append("        queue:")
            let acquired = i % 3 == 0 ? "" : ", acquired_at: \"\(acquiredAt)\""
            lines.append("          - { run: 1, waiting_since: \"2026-02-01T09:00:00Z\"\(acquired) }")
            switch run2Item(i) {
            case .job: lines.append("          - { run: 2, job: 2001, kind: job, waiting_since: \"2026-02-01T09:40:00Z\" }")
            case .workflow: lines.append("          - { run: 2, waiting_since: \"2026-02-01T09:40:00Z\" }")
            case .none: break
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func groupURL(_ name: String, base: String) -> String {
        "\(base)\(repositoryPath)/concurrency_groups/\(percentEncodeSegment(name))"
    }

    /// The repository list's entry for a group, exactly.
    static func repositoryEntry(_ name: String, base: String) -> JSONValue {
        let i = activeNames.firstIndex(of: name)!
        return .object([
            "group_name": .string(name),
            "group_url": .string(groupURL(name, base: base)),
            "last_acquired_at": i % 3 == 0 ? .null : .string(acquiredAt),
        ])
    }

    /// Run 2's list entry for a group, exactly.
    static func run2Entry(_ name: String, base: String) -> JSONValue {
        let url = groupURL(name, base: base)
        var members: [JSONValue] = []
        let item = activeNames.firstIndex(of: name).map(run2Item) ?? .none
        if item != .none {
            var member: [String: JSONValue] = [
                "run_id": .number(2), "run_name": .string("Deploy"),
                "run_url": .string("\(base)/repos/pager/Many-Groups/actions/runs/2"),
                "run_html_url": .string("https://github.com/pager/Many-Groups/actions/runs/2"),
                "status": .string("pending"), "position": .number(1),
            ]
            if item == .job {
                member["position_url"] = .string("\(url)?ahead_of_job=2001")
                member["job_id"] = .number(2001)
                member["job_name"] = .string("deploy (linux)")
                member["job_url"] = .string("\(base)/repos/pager/Many-Groups/actions/jobs/2001")
                member["job_html_url"] = .string("https://github.com/pager/Many-Groups/actions/runs/2/job/2001")
            } else {
                member["position_url"] = .string("\(url)?ahead_of_run=2")
            }
            members.append(.object(member))
        }
        return .object(["group_name": .string(name), "group_url": .string(url), "group_members": .array(members)])
    }
}

/// One page as fetched.
struct FetchedPage {
    let target: String
    let response: HTTPResponse
    let body: JSONValue
    let links: [String: String]
    var groups: [JSONValue] { body["concurrency_groups"]?.arrayValue ?? [] }
    var names: [String] { groups.compactMap { $0["group_name"]?.stringValue } }
}

@Suite struct PaginationTests {
    enum Endpoint: String, CustomTestStringConvertible, CaseIterable {
        case repository, run
        var path: String {
            switch self {
            case .repository: return "\(PagingFixture.repositoryPath)/concurrency_groups"
            case .run: return "\(PagingFixture.repositoryPath)/runs/2/concurrency_groups"
            }
        }
        var names: [String] {
            (self == .repository ? PagingFixture.activeNames : PagingFixture.run2Names).sorted(by: groupNameOrder)
        }
        func entry(_ name: String, base: String) -> JSONValue {
            self == .repository ? PagingFixture.repositoryEntry(name, base: base) : PagingFixture.run2Entry(name, base: base)
        }
        var testDescription: String { rawValue }
    }

    static func fetch(_ target: String, on connection: HTTPConnection) throws -> FetchedPage {
        let response = try connection.get(target)
        #expect(response.status == 200, "\(target): \(response.bodyText)")
        return FetchedPage(
            target: target, response: response, body: try response.json(), links: parseLinkHeader(response.header("Link")))
    }

    /// Follows `rel="next"` from the first page to the end and checks every page on the way.
    static func walkForward(
        _ endpoint: Endpoint, perPage: Int, server: ServerProcess, connection: HTTPConnection
    ) throws -> [FetchedPage] {
        let expectedNames = endpoint.names
        var pages: [FetchedPage] = []
        var target: String? = "\(endpoint.path)?per_page=\(perPage)"
        while let current = target {
            try #require(pages.count <= expectedNames.count, "the walk does not end")
            let page = try fetch(current, on: connection)
            #expect(page.body["total_count"] == .number(Double(expectedNames.count)))
            #expect(page.links["prev"] == nil, "a page reached with after has rel=\"prev\": \(current)")
            #expect(Set(page.links.keys).isSubset(of: ["next"]), "\(page.links)")
            pages.append(page)
            if let next = page.links["next"] {
                let nextTarget = try #require(requestTarget(of: next, onBase: server.baseURL), "next link off base: \(next)")
                #expect(nextTarget.hasPrefix("\(endpoint.path)?per_page=\(perPage)&after="), "\(nextTarget)")
                target = nextTarget
            } else {
                target = nil
            }
        }
        // Full pages, then one last page with the rest; everything exactly once, in order.
        let counts = pages.map(\.groups.count)
        #expect(counts.dropLast().allSatisfy { $0 == perPage }, "\(counts)")
        #expect((1...perPage).contains(counts.last ?? 0), "\(counts)")
        let seen = pages.flatMap(\.names)
        #expect(seen == expectedNames)
        #expect(seen.count == Set(seen.map { $0.lowercased() }).count)
        for page in pages {
            #expect(page.groups == page.names.map { endpoint.entry($0, base: server.baseURL) })
        }
        return pages
    }

    @Test(arguments: Endpoint.allCases, [30, 100, 7, 1])
    func forwardAndBackwardWalk(endpoint: Endpoint, perPage: Int) throws {
        try withServer(yaml: PagingFixture.yaml) { server in
            let connection = try server.connect()
            let pages = try Self.walkForward(endpoint, perPage: perPage, server: server, connection: connection)
            try #require(pages.count >= 2)

            // before=<next cursor of page k> gives page k back, byte for byte, now with rel="prev"
            // exactly when earlier groups exist, and the same rel="next".
            var cursors: [String] = []
            for (k, page) in pages.dropLast().enumerated() {
                let cursor = try #require(page.links["next"].flatMap { queryValue("after", in: $0) })
                cursors.append(cursor)
                let back = try Self.fetch("\(endpoint.path)?per_page=\(perPage)&before=\(cursor)", on: connection)
                #expect(back.response.body == page.response.body, "page \(k)")
                #expect(back.links["next"] == page.links["next"], "page \(k)")
                #expect((back.links["prev"] != nil) == (k > 0), "page \(k): \(back.links)")
                if let prev = back.links["prev"] {
                    #expect(requestTarget(of: prev, onBase: server.baseURL)?.hasPrefix("\(endpoint.path)?per_page=\(perPage)&before=") == true, "\(prev)")
                }
            }
            #expect(Set(cursors).count == cursors.count)

            // Walking backward with rel="prev" from the last full page visits every full page once,
            // in reverse, and ends at the first page (which has no rel="prev").
            var backward: [FetchedPage] = []
            var target: String? = "\(endpoint.path)?per_page=\(perPage)&before=\(cursors.last!)"
            while let current = target {
                try #require(backward.count < pages.count, "the backward walk does not end")
                let page = try Self.fetch(current, on: connection)
                backward.append(page)
                target = try page.links["prev"].map { try #require(requestTarget(of: $0, onBase: server.baseURL)) }
            }
            #expect(backward.map(\.response.body) == pages.dropLast().reversed().map(\.response.body))
            #expect(backward.last?.links["prev"] == nil)
            #expect(backward.allSatisfy { $0.links["next"] != nil })
            #expect(connection.requestCount == pages.count + cursors.count + backward.count)
        }
    }

    /// The Link header's exact form: per_page stated, other parameters kept as sent, `prev`
    /// before `next`.
    @Test(arguments: Endpoint.allCases)
    func linkHeaderFormat(endpoint: Endpoint) throws {
        try withServer(yaml: PagingFixture.yaml) { server in
            let connection = try server.connect()
            let first = try connection.get("\(endpoint.path)?foo=b%20r&per_page=10&x")
            let link = try #require(first.header("Link"))
            let prefix = "<\(server.baseURL)\(endpoint.path)?foo=b%20r&x&per_page=10&after="
            #expect(link.hasPrefix(prefix), "\(link)")
            #expect(link.hasSuffix(">; rel=\"next\""), "\(link)")
            let cursor = try #require(queryValue("after", in: parseLinkHeader(link)["next"] ?? ""))
            #expect(!cursor.isEmpty)
            #expect(cursor.utf8.allSatisfy { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })

            let second = try connection.get("\(endpoint.path)?per_page=10&before=\(cursor)&after=")
            #expect(second.status == 422)  // before and after together

            let middleTarget = "\(endpoint.path)?per_page=10&after=\(cursor)"
            let middle = try connection.get(middleTarget)
            let middleNext = try #require(queryValue("after", in: parseLinkHeader(middle.header("Link"))["next"] ?? ""))
            let back = try connection.get("\(endpoint.path)?per_page=10&before=\(middleNext)")
            let backLink = try #require(back.header("Link"))
            let backPrev = try #require(queryValue("before", in: parseLinkHeader(backLink)["prev"] ?? ""))
            #expect(backLink == "<\(server.baseURL)\(endpoint.path)?per_page=10&before=\(backPrev)>; rel=\"prev\", <\(server.baseURL)\(endpoint.path)?per_page=10&after=\(middleNext)>; rel=\"next\"")
        }
    }

    @Test(arguments: Endpoint.allCases)
    func perPageDefaultsTo30AndIsReducedTo100(endpoint: Endpoint) throws {
        try withServer(yaml: PagingFixture.yaml) { server in
            let connection = try server.connect()
            let names = endpoint.names

            let byDefault = try Self.fetch(endpoint.path, on: connection)
            #expect(byDefault.names == Array(names.prefix(30)))
            #expect(requestTarget(of: byDefault.links["next"] ?? "", onBase: server.baseURL)?.hasPrefix("\(endpoint.path)?per_page=30&after=") == true)

            let huge = try Self.fetch("\(endpoint.path)?per_page=500", on: connection)
            #expect(huge.names == Array(names.prefix(100)))
            #expect(huge.body["total_count"] == .number(Double(names.count)))
            let next = try #require(huge.links["next"])
            #expect(requestTarget(of: next, onBase: server.baseURL)?.hasPrefix("\(endpoint.path)?per_page=100&after=") == true, "\(next)")
            #expect(!next.contains("500"))

            let beyond64Bits = try Self.fetch("\(endpoint.path)?per_page=99999999999999999999999", on: connection)
            #expect(beyond64Bits.names == Array(names.prefix(100)))
        }
    }

    /// No Link header when everything fits, including exactly one full page.
    @Test func linkAbsentWhenEverythingFits() throws {
        try withServer(yaml: PagingFixture.yaml) { server in
            let connection = try server.connect()
            let run3 = "\(PagingFixture.repositoryPath)/runs/3/concurrency_groups"
            for target in [run3, "\(run3)?per_page=30", "\(run3)?per_page=100", "\(run3)?per_page=500"] {
                let page = try Self.fetch(target, on: connection)
                #expect(page.response.header("Link") == nil, "\(target)")
                #expect(page.body["total_count"] == .number(30))
                #expect(page.names == PagingFixture.run3Names.sorted(by: groupNameOrder))
                // Configured but inactive: listed with no members, and group_url answers 404.
                #expect(page.groups.allSatisfy { $0["group_members"] == .array([]) })
            }
            let solo = try connection.get("\(PagingFixture.repositoryPath)/concurrency_groups/solo-1")
            #expect(solo.status == 404)

            let short = try Self.fetch("\(run3)?per_page=29", on: connection)
            #expect(short.links.keys.sorted() == ["next"])
            // The last page (reached with after) has neither link.
            let last = try Self.fetch(try #require(requestTarget(of: short.links["next"]!, onBase: server.baseURL)), on: connection)
            #expect(last.names == [PagingFixture.run3Names.sorted(by: groupNameOrder).last!])
            #expect(last.response.header("Link") == nil)
        }
    }

    /// Cursors belong to one list: a repository cursor is refused by a run's list and vice versa,
    /// and a run's cursor by another run's list.
    @Test func cursorsAreScopedToTheirList() throws {
        try withServer(yaml: PagingFixture.yaml) { server in
            let connection = try server.connect()
            let repositoryPage = try Self.fetch("\(Endpoint.repository.path)?per_page=5", on: connection)
            let runPage = try Self.fetch("\(Endpoint.run.path)?per_page=5", on: connection)
            let repositoryCursor = try #require(queryValue("after", in: repositoryPage.links["next"] ?? ""))
            let runCursor = try #require(queryValue("after", in: runPage.links["next"] ?? ""))
            for (target, field) in [
                ("\(Endpoint.run.path)?after=\(repositoryCursor)", "after"),
                ("\(Endpoint.repository.path)?before=\(runCursor)", "before"),
                ("\(PagingFixture.repositoryPath)/runs/3/concurrency_groups?after=\(runCursor)", "after"),
            ] {
                let response = try connection.get(target)
                #expect(response.status == 422, "\(target)")
                #expect(try response.json()["errors"]?[0]?["field"] == .string(field))
            }
        }
    }
}
