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
