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

    @Test func aDocumentLargerThanTheLimitIsRefusedUnread() {
        #expect(refusal(String(repeating: " ", count: YAMLReader.maximumDocumentBytes + 1))
            == "f.yml: the document is 67108865 bytes; at most 67108864 are read")
        #expect(refusal(String(repeating: " ", count: YAMLReader.maximumDocumentBytes)) == "f.yml: the document is empty")
    }
}
