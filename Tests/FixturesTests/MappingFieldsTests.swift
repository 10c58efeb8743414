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

    private enum Key: Int, MappingKey {
        case cat, catFood, c, cot
        static let texts = snakeCaseTexts()
    }

    @Test func keyCasesFindTheirValuesAndNoOthers() throws {
        #expect(Key.texts == ["cat", "cat_food", "c", "cot"])
        let read = try reader.withJSON(#"{"cat_food": "1", "cat": "2", "c": "3"}"#) { root throws(SourceError) in
            let fields = try reader.mapping(root, "a mapping", keys: Key.self, required: [.cat])
            return Key.allCases.map { fields[$0].flatMap { reader.scalarText($0) } }
        }
        #expect(read == ["2", "1", "3", nil])
        let refusals = try reader.withJSON(#"{"cat": "1", "dog": "2"}"#) { root in
            [
                refusal { () throws(SourceError) in _ = try reader.mapping(root, "a mapping", keys: Key.self) },
                refusal { () throws(SourceError) in _ = try reader.mapping(root, "a mapping", keys: Key.self, required: [.cot]) },
            ]
        }
        #expect(refusals == ["f.json:1:14: unknown key 'dog' in a mapping; allowed: cat, cat_food, c, cot", "f.json:1:14: unknown key 'dog' in a mapping; allowed: cat, cat_food, c, cot"])
        let missing = try reader.withJSON(#"{"cat": "1"}"#) { root in
            refusal { () throws(SourceError) in _ = try reader.mapping(root, "a mapping", keys: Key.self, required: [.cot]) }
        }
        #expect(missing == "f.json:1:1: a mapping is missing 'cot'")
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
