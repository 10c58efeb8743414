import MockHTTP
import Testing

/// The transport values on their own: request targets, queries, percent-encoding, headers.
@Suite struct RequestTargetTests {
    @Test(arguments: [
        ("/repos/o/r/actions/concurrency_groups", ["repos", "o", "r", "actions", "concurrency_groups"]),
        ("/repos/o/r/actions/concurrency_groups/", ["repos", "o", "r", "actions", "concurrency_groups"]),
        ("/a%2Fb/c%20d", ["a/b", "c d"]),
        ("/a+b", ["a+b"]),
        ("/", [""]),
        ("//x", ["", "x"]),
        ("http://host:8080/repos/o?x=1", ["repos", "o"]),
        ("http://host", [""]),
        ("/p#fragment?not=query", ["p"]),
        ("/%C3%A9t%C3%A9", ["été"]),
    ])
    func pathSegmentsAreDecodedEachOnItsOwn(target: String, segments: [String]) throws {
        #expect(try #require(RequestTarget(target)).segments == segments)
    }

    @Test(arguments: ["/a%2", "/a%zz", "/%FF", "relative/path", "/?a=%"])
    func malformedTargetsAreRefused(target: String) {
        #expect(RequestTarget(target) == nil)
    }

    @Test func queryValuesAreDecodedTheLastOneWinsAndRawPiecesStayAsSent() throws {
        let target = try #require(RequestTarget("/x?per_page=5&name=a+b%2Bc&flag&&per_page=7&after=Zm9v"))
        #expect(target.query["per_page"] == "7")
        #expect(target.query["name"] == "a b+c")
        #expect(target.query["flag"] == "")
        #expect(target.query["missing"] == nil)
        #expect(target.query.rawPieces(excluding: ["per_page", "after"]) == ["name=a+b%2Bc", "flag"])
    }
}

@Suite struct URLEncodingTests {
    @Test(arguments: [
        ("deploy-prod", "deploy-prod"), ("a b/c?d#e%f", "a%20b%2Fc%3Fd%23e%25f"), ("été", "%C3%A9t%C3%A9"), ("~._-", "~._-"),
    ])
    func percentEncodingLeavesOnlyUnreservedCharacters(text: String, encoded: String) {
        #expect(URLEncoding.percentEncode(text) == encoded)
        #expect(URLEncoding.percentDecode(encoded) == text)
    }

    @Test func dotSegmentsAreEscapedWhole() {
        #expect(URLEncoding.percentEncodeSegment(".") == "%2E")
        #expect(URLEncoding.percentEncodeSegment("..") == "%2E%2E")
        #expect(URLEncoding.percentEncodeSegment("...") == "...")
    }

    @Test func decodingRefusesBrokenEscapesAndInvalidUTF8() {
        #expect(URLEncoding.percentDecode("%4") == nil)
        #expect(URLEncoding.percentDecode("%G1") == nil)
        #expect(URLEncoding.percentDecode("%C3") == nil)
        #expect(URLEncoding.percentDecode("a+b", plusIsSpace: true) == "a b")
        #expect(URLEncoding.percentDecode("a+b") == "a+b")
    }
}

@Suite struct HTTPHeadersTests {
    @Test func namesCompareWithoutCaseAndTheFirstValueIsRead() {
        var headers = HTTPHeaders([("Content-Type", "text/plain"), ("X-A", "1"), ("x-a", "2")])
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["X-a"] == "1")
        headers.replace("X-A", "3")
        #expect(headers.fields.map(\.name) == ["Content-Type", "X-A"])
        #expect(headers["x-a"] == "3")
        headers.removeAll(named: "CONTENT-TYPE")
        #expect(headers["Content-Type"] == nil)
    }

    @Test func headerValuesLoseTheSpacesAndTabsAroundThem() {
        #expect(Substring(" \t v 1 \t").trimmingSpaces == "v 1")
        #expect(Substring("").trimmingSpaces == "")
    }

    @Test func reasonPhrasesAreTheStandardOnes() {
        #expect(HTTPResponse(status: 200).reasonPhrase == "OK")
        #expect(HTTPResponse(status: 422).reasonPhrase == "Unprocessable Entity")
        #expect(HTTPResponse(status: 409).reasonPhrase == "Conflict")
    }
}
