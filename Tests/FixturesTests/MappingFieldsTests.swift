import SourceDocuments
import Testing

@Suite struct MappingFieldsTests {
    private let reader = YAMLReader(file: "f.json")

    @Test func findsEachKeyAlsoAmongKeysOfOneLengthAndTheSameEnds() throws {
        let read = try reader.withJSON(#"{"cat": "1", "cut": "2", "c": "3", "": "4"}"#) { root throws(SourceError) in
            let fields = try reader.mapping(root, "a mapping", allowed: ["cat", "cut", "c", "", "cot"])
            return (fields.entries.map(\.key), ["cat", "cut", "c", "", "cot"].map { fields[$0].flatMap { reader.scalarText($0) } })
        }
        #expect(read?.0 == ["cat", "cut", "c", ""])
        #expect(read?.1 == ["1", "2", "3", "4", nil])
    }

    @Test func refusesKeysOutsideTheAllowedOnesAndMissingRequiredOnes() throws {
        let refusals = try reader.withJSON(#"{"cat": "1", "cap": "2"}"#) { root in
            [
                refusal { () throws(SourceError) in _ = try reader.mapping(root, "a mapping", allowed: ["cat", "cut"]) },
                refusal { () throws(SourceError) in _ = try reader.mapping(root, "a mapping", allowed: ["cat", "cap", "cut"], required: ["cut"]) },
            ]
        }
        #expect(refusals == ["f.json:1:14: unknown key 'cap' in a mapping; allowed: cat, cut", "f.json:1:1: a mapping is missing 'cut'"])
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
