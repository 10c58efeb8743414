import SourceDocuments
import Testing

@Suite struct MappingFieldsTests {
    private let reader = YAMLReader(file: "f.json")

    @Test func findsEachKeyAlsoAmongKeysOfOneLengthAndTheSameEnds() throws {
        let root = try #require(try reader.composeJSON(#"{"cat": "1", "cut": "2", "c": "3", "": "4"}"#))
        let fields = try reader.mapping(root, "a mapping", allowed: ["cat", "cut", "c", "", "cot"])
        #expect(fields.entries.map(\.key) == ["cat", "cut", "c", ""])
        #expect(["cat", "cut", "c", "", "cot"].map { fields[$0].flatMap { reader.scalarText($0) } } == ["1", "2", "3", "4", nil])
    }

    @Test func refusesKeysOutsideTheAllowedOnesAndMissingRequiredOnes() throws {
        let root = try #require(try reader.composeJSON(#"{"cat": "1", "cap": "2"}"#))
        #expect(refusal { () throws(SourceError) in _ = try reader.mapping(root, "a mapping", allowed: ["cat", "cut"]) }
            == "f.json:1:14: unknown key 'cap' in a mapping; allowed: cat, cut")
        #expect(refusal { () throws(SourceError) in _ = try reader.mapping(root, "a mapping", allowed: ["cat", "cap", "cut"], required: ["cut"]) }
            == "f.json:1:1: a mapping is missing 'cut'")
    }

    private func refusal(_ read: () throws(SourceError) -> Void) -> String? {
        do {
            try read()
            return nil
        } catch {
            return error.description
        }
    }
}
