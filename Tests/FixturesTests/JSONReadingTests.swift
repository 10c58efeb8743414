import SourceDocuments
import StateDocuments
import Testing

/// JSON documents are read without Yams (`YAMLReader.withJSON`); these hold that path to
/// YAML's places and messages, and that it hands to YAML what libyaml reads differently.
@Suite struct JSONReadingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        let error: String
        var testDescription: String { error }
    }

    static let now = "\"now\": \"2026-01-15T16:15:00Z\""

    static let bad: [Case] = [
        Case(text: "{\(now),\n \"now\": \"2026-01-15T16:15:00Z\"}", error: "f.json:1:2: duplicate key 'now' in a mapping"),
        Case(text: "{\"b\": 1, \"a\": 2, \"b\": 3, \"a\": 4}", error: "f.json:1:10: duplicate key 'a', 'b' in a mapping"),
        Case(text: "{\(now), \"n\\u006Fw\": \"2026-01-15T16:15:00Z\"}", error: "f.json:1:2: duplicate key 'now' in a mapping"),
        Case(text: "{\"repositories\": []}", error: "f.json:1:1: the fixture is missing 'now'"),
        Case(text: "[{\(now)}]", error: "f.json:1:1: the fixture must be a mapping"),
        Case(text: "{\(now),\r\n  \"repos\": []}", error: "f.json:2:3: unknown key 'repos' in the fixture; allowed: version, now, frozen, run_id_start, job_id_start, auth, tokens, rate_limits, faults, repositories, events"),
        Case(text: "{\"now\": 20260115}", error: "f.json:1:9: now must be an RFC 3339 date-time such as 2026-01-15T16:14:23Z"),
        Case(text: "{\(now), \"frozen\": \"yes\"}", error: "f.json:1:43: frozen must be true or false"),
        Case(
            text: "{\(now), \"repositories\": [{\"owner\": \"ø\", \"name\": \"r\",\n  \"runs\": [{\"id\": 1.5, \"name\": \"x\"}]}]}",
            error: "f.json:2:19: a run's id must be a whole number of at least 1"),
        Case(
            text: "{\(now), \"repositories\": [{\"owner\": \"ø–\", \"name\": \"r\", \"runs\": [{\"id\": 1, \"name\": null}]}]}",
            error: "f.json:1:106: a run's name must be a string"),
        Case(
            text: "{\(now), \"repositories\": [{\"owner\": \"o\\u0000\", \"name\": \"r\"}]}",
            error: "f.json:1:60: the repository owner contains U+0000; names cannot hold control characters, line or paragraph separators, or bytes that are not UTF-8"),
        Case(
            text: String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
            error: "f.json:1:65: the document nests deeper than 64 levels of mappings and sequences"),
    ]

    /// Times in a JSON document, written plainly or with escapes, read as RFC 3339 reads them.
    @Test(arguments: [
        ("\"2026-01-15T16:15:00Z\"", "2026-01-15T16:15:00Z"),
        ("\"2026-01-15T18:15:00.25+02:00\"", "2026-01-15T16:15:00Z"),
        ("\"2026-01-15t16:15:00z\"", "2026-01-15T16:15:00Z"),
        ("\"2026-01-15T16:15:00\\u005A\"", "2026-01-15T16:15:00Z"),
    ])
    func timesAreReadWhateverTheirSpelling(json: String, expected: String) throws {
        #expect(try FixtureLoader.load("{\"now\": \(json)}", file: "f.json").simulator.now.description == expected)
    }

    @Test(arguments: ["\"2026-01-15T16:15:00\"", "\"2026-01-15T16:15:00Z \"", "\"2026-01-15T16:15:00\\u0020Z\"", "\"\""])
    func aTimeThatIsNotOneIsRefused(json: String) {
        #expect(throws: SourceError(file: "f.json", line: 1, column: 9, message: "now must be an RFC 3339 date-time such as 2026-01-15T16:14:23Z")) {
            try FixtureLoader.load("{\"now\": \(json)}", file: "f.json")
        }
    }

    @Test(arguments: bad)
    func aBadJSONFixtureNamesTheLineAndColumnYAMLWould(_ bad: Case) throws {
        #expect(Self.readsAsJSON(bad.text))
        #expect(Self.error(loading: bad.text) == bad.error)
        // A trailing comment makes the same document YAML only: Yams must say the same.
        #expect(Self.error(loading: bad.text + "\n# YAML") == bad.error)
    }

    /// JSON that libyaml reads differently or refuses goes to Yams, which answers as before.
    @Test(arguments: [
        "\t{\(now)}",
        "{\(now), \"x\": \"a\u{2028}b\"}",
        "{\(now), \"x\": \"\\ud83d\\ude00\"}",
        "{\(now), \"x\": \"\u{7F}\"}",
        "{\(now), \"x\"\n: 1}",
        "{now: 2026-01-15T16:15:00Z}",
        "{\(now)} # a comment",
    ])
    func whatYAMLReadsDifferentlyIsLeftToYAML(_ text: String) throws {
        #expect(!Self.readsAsJSON(text))
    }

    @Test func escapesAndNumbersReadAsYAMLReadsThem() throws {
        let text = "{\"a\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20ac\", \"b\": -0.5e+3, \"c\": true, \"d\": null, \"e\": \"null\"}"
        let json = try #require(try YAMLReader(file: "f.json").withJSON(text) { Self.shape(of: $0) })
        let yaml = try YAMLReader(file: "f.yml").compose(text)
        #expect(json == Self.shape(of: yaml))
        #expect(json == "{\"a\": \"\"\\/\u{08}\u{0C}\n\r\té€\", \"b\": plain -0.5e+3, \"c\": plain true, \"d\": plain null, \"e\": \"null\"} at 1:1")
    }

    /// A JSON node answers `isNull` and `withScalarUTF8` from its bytes, as Yams' node answers
    /// them from its text.
    @Test func nullsAndScalarBytesAreYAMLs() throws {
        let text = #"[null, "null", "", 0, false, "caf\u00e9", "2026-01-15T16:15:00\u005A", [], {}]"#
        func read(_ root: some ReadableNode) throws(SourceError) -> [String] {
            try YAMLReader(file: "f").sequence(root, "a list").map { node in
                "\(node.isNull) \(node.withScalarUTF8 { String(decoding: $0, as: UTF8.self) } ?? "collection")"
            }
        }
        let json = try #require(try YAMLReader(file: "f.json").withJSON(text, read))
        #expect(json == (try read(try YAMLReader(file: "f.yml").compose(text))))
        #expect(json == [
            "true null", "false null", "false ", "false 0", "false false", "false café", "false 2026-01-15T16:15:00Z",
            "false collection", "false collection",
        ])
    }

    /// Whether the JSON path reads the text (a refusal counts: it comes from that path).
    static func readsAsJSON(_ text: String) -> Bool {
        do { return try YAMLReader(file: "f.json").withJSON(text) { _ in } != nil } catch { return true }
    }

    static func error(loading text: String) -> String? {
        do {
            _ = try FixtureLoader.load(text, file: "f.json")
            return nil
        } catch {
            return error.description
        }
    }

    /// A node written out with its scalars' styles, for comparing the two readers.
    static func shape(of node: some ReadableNode) -> String {
        func write(_ node: some ReadableNode) -> String {
            switch node.content {
            case .scalar(let text, let plain): return plain ? "plain \(text)" : "\"\(text)\""
            case .sequence(let elements): return "[" + elements.map(write).joined(separator: ", ") + "]"
            case .mapping(let entries): return "{" + entries.map { "\(write($0.key)): \(write($0.value))" }.joined(separator: ", ") + "}"
            }
        }
        return write(node) + " at \(node.line):\(node.column)"
    }
}

/// A request body is read as bytes where it lies (`FixtureLoader.load(utf8:)`): what it loads,
/// and every refusal, must be what the same document read as text gives.
@Suite struct JSONBytesTests {
    static let now = "\"now\": \"2026-01-15T16:15:00Z\""

    private static func document(runName: [UInt8]) -> [UInt8] {
        Array("{\(now), \"repositories\": [{\"owner\": \"o\", \"name\": \"r\", \"runs\": [{\"id\": 1, \"name\": \"".utf8)
            + runName + Array("\"}]}]}".utf8)
    }

    private static func outcome(_ load: () throws(SourceError) -> MockState) -> String {
        do {
            return String(decoding: StateExporter.export(try load()), as: UTF8.self)
        } catch {
            return error.description
        }
    }

    /// Well-formed UTF-8 of every length is JSON; ill-formed UTF-8 (a lone continuation byte, an
    /// overlong form, a surrogate, past U+10FFFF, a cut sequence) is not: it is read as the
    /// repaired text a `String` made of the body holds, whose U+FFFD a name refuses.
    @Test(arguments: [
        ([0x63, 0xC3, 0xA9], true), ([0xE2, 0x82, 0xAC], true), ([0xF0, 0x9F, 0x98, 0x80], true), ([0xF4, 0x8F, 0xBF, 0xBF], true),
        ([0xE9], false), ([0x80], false), ([0xC0, 0xAF], false), ([0xE0, 0x80, 0xAF], false), ([0xED, 0xA0, 0x80], false),
        ([0xF4, 0x90, 0x80, 0x80], false), ([0xF5, 0x80, 0x80, 0x80], false), ([0xE2, 0x82], false),
    ] as [([UInt8], Bool)])
    func illFormedUTF8IsReadAsItsRepairedText(name: [UInt8], wellFormed: Bool) throws {
        let bytes = Self.document(runName: name)
        let readAsJSON = try YAMLReader(file: "body").withJSON(utf8: bytes) { _ in } != nil
        #expect(readAsJSON == wellFormed)
        let fromBytes = Self.outcome { () throws(SourceError) in try FixtureLoader.load(utf8: bytes, file: "body") }
        let fromText = Self.outcome { () throws(SourceError) in try FixtureLoader.load(String(decoding: bytes, as: UTF8.self), file: "body") }
        #expect(fromBytes == fromText)
        if wellFormed {
            #expect(fromBytes.contains("\"name\":\"\(String(decoding: name, as: UTF8.self))\""))
        } else {
            #expect(fromBytes == "body:1:87: the name of run 1 contains U+FFFD; names cannot hold control characters, line or paragraph separators, or bytes that are not UTF-8")
        }
    }

    /// A byte-order mark is not content: places are counted after it, as for a text.
    @Test func aByteOrderMarkIsSkipped() {
        let bytes = [0xEF, 0xBB, 0xBF] + Array("{\(Self.now),\n \"repos\": []}".utf8)
        let fromBytes = Self.outcome { () throws(SourceError) in try FixtureLoader.load(utf8: bytes, file: "body") }
        #expect(fromBytes.hasPrefix("body:2:2: unknown key 'repos' in the fixture"))
        #expect(fromBytes == Self.outcome { () throws(SourceError) in try FixtureLoader.load(String(decoding: bytes, as: UTF8.self), file: "body") })
    }

    /// Refusals made while reading (nesting, repeated keys) and after (a bad value) name the same
    /// place whichever way the document came, ill-formed bytes before them included.
    @Test(arguments: JSONReadingTests.bad.map(\.text))
    func refusalsAreTheTextsRefusals(_ text: String) {
        for bytes in [Array(text.utf8), Array(text.utf8) + [0x20, 0xFF]] {
            let fromBytes = Self.outcome { () throws(SourceError) in try FixtureLoader.load(utf8: bytes, file: "f.json") }
            let fromText = Self.outcome { () throws(SourceError) in try FixtureLoader.load(String(decoding: bytes, as: UTF8.self), file: "f.json") }
            #expect(fromBytes == fromText)
        }
    }

    /// Strings longer than a word, with escapes and multi-byte characters at every offset, are
    /// read whole (the reader skips plain text eight bytes at a time).
    @Test func longStringsReadWholeWhereverTheirSpecialCharactersFall() throws {
        for offset in 0..<17 {
            for special in ["\\\"", "\\\\", "\\u00e9", "é", "€", "\u{1F600}", "~"] {
                let prefix = String(repeating: "a", count: offset)
                let text = "{\(Self.now), \"repositories\": [{\"owner\": \"o\", \"name\": \"r\", \"runs\": [{\"id\": 1, \"name\": \"\(prefix)\(special)\(prefix)b\"}]}]}"
                let state = try FixtureLoader.load(utf8: Array(text.utf8), file: "f.json")
                let expected = prefix + (["\\\"": "\"", "\\\\": "\\", "\\u00e9": "é"][special] ?? special) + prefix + "b"
                #expect(state.simulator.repositories.values.first?.runs.values.first?.name == expected)
            }
        }
    }
}
