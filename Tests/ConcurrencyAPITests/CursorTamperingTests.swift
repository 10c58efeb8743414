import ControlAPI
import GitHubREST
import JSONOutput
import MockHTTP
import Server
import StateDocuments
import Foundation
import MockHTTP
import Testing

/// Every cursor a list hands out is checked over its exact bytes: no single changed bit passes.
@Suite struct CursorTamperingTests {
    /// A cursor as a Link header gave it: the list it pages, the parameter it goes in, the text.
    struct IssuedCursor {
        let list: String
        let documentationURL: String
        let parameter: String
        let text: String
    }

    /// Every cursor met walking each list forward, then back from its end.
    func issuedCursors(_ server: MockServer, lists: [(path: String, documentationURL: String)], perPage: Int) -> [IssuedCursor] {
        var cursors: [IssuedCursor] = []
        for list in lists {
            var target: String? = list.path + "?per_page=\(perPage)"
            while let current = target {
                let links = get(server, current).links
                for (_, link) in links {
                    let query = link.split(separator: "?")[1].split(separator: "&")
                    for pair in query where !pair.hasPrefix("per_page=") {
                        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                        cursors.append(IssuedCursor(list: list.path, documentationURL: list.documentationURL, parameter: parts[0], text: parts[1]))
                    }
                }
                target = links["next"]
            }
            if let cursor = cursors.last(where: { $0.list == list.path && $0.parameter == "after" }) {
                var back: String? = list.path + "?per_page=\(perPage)&before=\(cursor.text)"
                while let current = back {
                    let links = get(server, current).links
                    if let prev = links["prev"] {
                        let text = String(prev.split(separator: "before=")[1])
                        cursors.append(IssuedCursor(list: list.path, documentationURL: list.documentationURL, parameter: "before", text: text))
                    }
                    back = links["prev"]
                }
            }
        }
        return cursors
    }

    static func bytes(ofCursor text: String) -> [UInt8] {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Array(Data(base64Encoded: base64)!)
    }

    static func cursor(ofBytes bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func json(_ text: String) -> String {
        var json = JSONWriter()
        json.string(text)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// Answers how many tampered cursors were tried; records each that was not refused as it should be.
    func expectEveryFlipRefused(_ server: MockServer, _ cursors: [IssuedCursor]) -> Int {
        var tried = 0
        for cursor in cursors {
            #expect(get(server, "\(cursor.list)?per_page=3&\(cursor.parameter)=\(cursor.text)").status == 200, "the untouched cursor works")
            let bytes = Self.bytes(ofCursor: cursor.text)
            #expect(Self.cursor(ofBytes: bytes) == cursor.text)
            var variants: [String] = []
            for index in bytes.indices {
                for bit in 0..<8 {
                    var flipped = bytes
                    flipped[index] ^= 1 << bit
                    variants.append(Self.cursor(ofBytes: flipped))
                }
            }
            // The text itself, one ASCII bit at a time (sent percent-encoded, so the server sees it as is).
            let characters = Array(cursor.text.utf8)
            for index in characters.indices {
                for bit in 0..<7 {
                    var flipped = characters
                    flipped[index] ^= 1 << bit
                    variants.append(String(decoding: flipped, as: UTF8.self))
                }
            }
            for variant in variants {
                tried += 1
                let answer = get(server, "\(cursor.list)?per_page=3&\(cursor.parameter)=\(URLEncoding.percentEncode(variant))")
                let expected = validationBody(
                    field: cursor.parameter, message: "\(cursor.parameter) is not a cursor given by this list's Link header",
                    value: Self.json(variant), documentationURL: cursor.documentationURL)
                if answer.status != 422 || answer.text != expected {
                    Issue.record("\(cursor.parameter)=\(variant) (from \(cursor.text)) answered \(answer.status): \(answer.text)")
                }
            }
        }
        return tried
    }

    @Test func everyBitFlipOfTheDocsExampleCursorsIsRefused() throws {
        let server = try docsExampleServer()
        let cursors = issuedCursors(server, lists: [
            ("/repos/octocat/Hello-World/actions/concurrency_groups", DocumentationURL.listForRepository),
            ("/repos/octocat/Hello-World/actions/runs/30433642/concurrency_groups", DocumentationURL.listForRun),
        ], perPage: 1)
        #expect(cursors.count == 2)
        #expect(expectEveryFlipRefused(server, cursors) > 0)
    }

    @Test func everyBitFlipOfTheCursorsOfManyGroupsIsRefused() throws {
        let server = try manyGroupsServer(count: 120)
        let cursors = issuedCursors(server, lists: [
            ("/repos/o/r/actions/concurrency_groups", DocumentationURL.listForRepository),
            ("/repos/o/r/actions/runs/1/concurrency_groups", DocumentationURL.listForRun),
        ], perPage: 7)
        #expect(cursors.count >= 40)
        #expect(expectEveryFlipRefused(server, cursors) > 10_000)
    }
}
