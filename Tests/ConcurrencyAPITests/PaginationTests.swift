import ConcurrencySimulator
import Server
import Testing

@Suite struct PaginationTests {
    let repositoryList = "/repos/o/r/actions/concurrency_groups"
    let runList = "/repos/o/r/actions/runs/1/concurrency_groups"

    func expectedNames(_ indices: some Sequence<Int>) -> [String] {
        indices.map { "group-" + String(repeating: "0", count: 4 - String($0).count) + String($0) }
    }

    /// Follows `rel="next"` from `first` to the end; answers each page's names.
    func walkForward(_ server: MockServer, from first: String) -> [Answer] {
        var pages: [Answer] = []
        var target: String? = first
        while let current = target, pages.count < 1000 {
            let answer = get(server, current)
            #expect(answer.status == 200)
            #expect(answer.links["prev"] == nil, "pages reached forward never offer rel=prev")
            pages.append(answer)
            target = answer.links["next"]
        }
        return pages
    }

    @Test func aForwardWalkSeesEveryActiveGroupOnceInOrder() throws {
        let server = try manyGroupsServer(count: 250)
        let pages = walkForward(server, from: repositoryList + "?per_page=30")
        #expect(pages.map(\.groupNames.count) == [30, 30, 30, 30, 30, 30, 30, 30, 10])
        #expect(pages.flatMap(\.groupNames) == expectedNames(0..<250))
        #expect(pages.allSatisfy { $0.json["total_count"] as? Int == 250 })
        #expect(pages.last?.links.isEmpty == true)
    }

    @Test func theDefaultPageSizeIsThirtyAndLargeRequestsAreReducedToOneHundred() throws {
        let server = try manyGroupsServer(count: 250)
        #expect(get(server, repositoryList).groupNames.count == 30)
        let big = get(server, repositoryList + "?per_page=500")
        #expect(big.status == 200)
        #expect(big.groupNames == expectedNames(0..<100))
        #expect(big.links["next"]?.contains("per_page=100&after=") == true)
        #expect(get(server, repositoryList + "?per_page=99999999999999999999999").groupNames.count == 100)
    }

    @Test func noLinkHeaderWhenEverythingFitsOnOnePage() throws {
        let server = try manyGroupsServer(count: 30)
        let answer = get(server, repositoryList)
        #expect(answer.groupNames.count == 30)
        #expect(answer.headers["Link"] == nil)
    }

    @Test func beforeTheNextCursorOfAPageGivesThatPageBack() throws {
        let server = try manyGroupsServer(count: 100)
        let pages = walkForward(server, from: repositoryList + "?per_page=7")
        for page in pages.dropLast() {
            let cursor = try #require(page.links["next"]).split(separator: "after=")[1]
            let back = get(server, repositoryList + "?per_page=7&before=\(cursor)")
            #expect(back.groupNames == page.groupNames)
        }
    }

    @Test func aBackwardWalkSeesEveryGroupOnceInReverseOrder() throws {
        let server = try manyGroupsServer(count: 95)
        let pages = walkForward(server, from: repositoryList + "?per_page=10")
        let lastFull = pages[pages.count - 2]
        let cursor = try #require(lastFull.links["next"]).split(separator: "after=")[1]
        var target: String? = repositoryList + "?per_page=10&before=\(cursor)"
        var names: [String] = []
        var steps = 0
        while let current = target, steps < 100 {
            let answer = get(server, current)
            names = answer.groupNames + names
            #expect(answer.links["next"] != nil, "a page reached backward has later items")
            target = answer.links["prev"]
            steps += 1
        }
        #expect(names == expectedNames(0..<90))
        #expect(steps == 9)
    }

    @Test func linksAreAbsoluteEchoPerPageAndKeepOtherParameters() throws {
        let server = try manyGroupsServer(count: 50)
        let answer = get(server, repositoryList + "?foo=a%20b&per_page=20&bar=1")
        let header = try #require(answer.headers["Link"])
        #expect(header.hasPrefix("<https://api.github.com/repos/o/r/actions/concurrency_groups?foo=a%20b&bar=1&per_page=20&after="))
        #expect(header.hasSuffix(">; rel=\"next\""))
        let second = get(server, try #require(answer.links["next"]))
        let secondHeader = try #require(second.headers["Link"])
        #expect(secondHeader.hasPrefix("<https://api.github.com/repos/o/r/actions/concurrency_groups?foo=a%20b&bar=1&per_page=20&after="))
        let backward = get(server, try #require(second.links["next"]).replacingOccurrences(of: "after=", with: "before="))
        let backwardHeader = try #require(backward.headers["Link"])
        #expect(backwardHeader.contains("?foo=a%20b&bar=1&per_page=20&before="))
        #expect(backwardHeader.contains("rel=\"prev\", <https://api.github.com/repos/o/r/actions/concurrency_groups?foo=a%20b&bar=1&per_page=20&after="))
    }

    @Test func groupsAddedOrRemovedBetweenPagesNeverRepeatOrSkipOthers() throws {
        let server = try manyGroupsServer(count: 40)
        let key = RepositoryKey(owner: "o", name: "r")
        let first = get(server, repositoryList + "?per_page=10")
        #expect(first.groupNames == expectedNames(0..<10))
        // Remove a group already seen and one not yet seen; add one before and one after the cut.
        try server.simulator.releaseLease(in: key, groupName: "group-0003", item: QueueItem(run: RunID(103), job: nil, kind: .workflow, waitingSince: server.simulator.now))
        try server.simulator.releaseLease(in: key, groupName: "group-0015", item: QueueItem(run: RunID(115), job: nil, kind: .workflow, waitingSince: server.simulator.now))
        try server.simulator.requestLease(in: key, groupName: "group-0000a", run: RunID(1), job: nil, kind: .workflow)
        try server.simulator.requestLease(in: key, groupName: "group-0012a", run: RunID(100), job: nil, kind: .workflow)
        let rest = walkForward(server, from: try #require(first.links["next"]))
        let expected = expectedNames(10..<40).filter { $0 != "group-0015" }
        var seen = rest.flatMap(\.groupNames)
        #expect(seen.contains("group-0012a"))
        seen.removeAll { $0 == "group-0012a" }
        #expect(seen == expected)
        #expect(rest.first?.json["total_count"] as? Int == 40)
    }

    @Test func theLastPageReachedWithAfterHasNoLinks() throws {
        let server = try manyGroupsServer(count: 12)
        let first = get(server, repositoryList + "?per_page=12&after=" + lastCursor(server, perPage: 11))
        #expect(first.groupNames == expectedNames(11..<12))
        #expect(first.headers["Link"] == nil)
    }

    func lastCursor(_ server: MockServer, perPage: Int) -> String {
        let answer = get(server, repositoryList + "?per_page=\(perPage)")
        return String(answer.links["next"]!.split(separator: "after=")[1])
    }

    @Test func theRunListPagesThroughTheRunsConfiguredGroups() throws {
        let server = try manyGroupsServer(count: 250)
        let pages = walkForward(server, from: runList + "?per_page=25")
        let expected = expectedNames(stride(from: 0, to: 250, by: 3))
        #expect(pages.flatMap(\.groupNames) == expected)
        #expect(pages.allSatisfy { $0.json["total_count"] as? Int == 84 })
        #expect(pages.map(\.groupNames.count) == [25, 25, 25, 9])
        let cursor = try #require(pages[1].links["next"]).split(separator: "after=")[1]
        let back = get(server, runList + "?per_page=25&before=\(cursor)")
        #expect(back.groupNames == pages[1].groupNames)
        #expect(back.links["prev"] != nil)
        #expect(back.links["next"] != nil)
    }

    @Test func theRepositoryListAlsoAcceptsBefore() throws {
        let server = try manyGroupsServer(count: 20)
        let cursor = lastCursor(server, perPage: 10)
        let back = get(server, repositoryList + "?per_page=5&before=\(cursor)")
        #expect(back.groupNames == expectedNames(5..<10))
        #expect(back.links["prev"] != nil)
    }
}
