import SourceDocuments
import Testing
import Workflows

@Suite struct YAMLReaderLimitTests {
    let reader = YAMLReader(file: "f.yml")

    func refusal(_ text: String) -> String? {
        do {
            _ = try reader.compose(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func deepNestingIsRefusedBeforeItComposes() {
        #expect(refusal(String(repeating: "[", count: 100_000)) == "f.yml:1:1: the document nests deeper than 64 levels of mappings and sequences")
        #expect(refusal(String(repeating: "{a: ", count: 100_000)) == "f.yml:1:257: the document nests deeper than 64 levels of mappings and sequences")
        #expect(refusal(String(repeating: "- ", count: 100_000) + "x\n") == "f.yml:1:129: the document nests deeper than 64 levels of mappings and sequences")
    }

    @Test func sixtyFourLevelsAreRead() {
        #expect(refusal(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == nil)
    }

    @Test func anAliasNestsAsDeepAsWhatItStandsFor() {
        // `a` holds levels 2 to 61; behind three brackets its alias takes 5 to 64, behind four 6 to 65.
        let deep = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(refusal("a: &a \(deep)\nb: [[[*a]]]\n") == nil)
        #expect(refusal("a: &a \(deep)\nb: [[[[*a]]]]\n") == "f.yml:2:8: the document nests deeper than 64 levels of mappings and sequences")
    }

    @Test func aliasesStandForABoundedNumberOfNodes() {
        // Nine anchors of nine aliases each: 387 million values in ten lines. By a5 the aliases
        // would stand for 74,718 + 66,430 nodes.
        var laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 { laughs += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n" }
        #expect(refusal(laughs) == "f.yml:6:10: the aliases of the document stand for more than 100000 nodes; write the values out instead")
        #expect(refusal("base: &base { runs-on: ubuntu-latest, steps: [a, b] }\none: *base\ntwo: *base\n") == nil)
    }

    /// A mapping or list used as a key is refused at the key, whatever follows: Yams reports
    /// such keys repeated in an order that changes from one reading of a text to the next.
    @Test func aCollectionAsAKeyIsRefusedWhereItStands() {
        let complexKey = "a mapping's key must be a plain string, not a mapping or a list"
        #expect(refusal("a: 1\n? [b, c]\n: 2\n") == "f.yml:2:3: \(complexKey)")
        #expect(refusal("jobs:\n  ? {x: 1}\n  : y\n  ? {x: 1}\n  : z\n") == "f.yml:2:5: \(complexKey)")
        #expect(refusal("a: &list [1, 2]\nb: {*list : 3}\n") == "f.yml:2:5: \(complexKey)")
        // Lists and mappings as values, and aliases of scalars as keys, are what documents hold.
        #expect(refusal("a: &name key\nb: {*name : [1, {c: 2}]}\nc: [{d: [e]}]\n") == nil)
    }

    @Test func aDocumentLargerThanTheLimitIsRefusedUnread() {
        #expect(refusal(String(repeating: " ", count: YAMLReader.maximumDocumentBytes + 1))
            == "f.yml: the document is 67108865 bytes; at most 67108864 are read")
        #expect(refusal(String(repeating: " ", count: YAMLReader.maximumDocumentBytes)) == "f.yml: the document is empty")
    }
}
