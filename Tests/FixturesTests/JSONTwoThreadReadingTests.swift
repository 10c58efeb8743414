@_spi(Testing) import SourceDocuments
import Testing

/// A large JSON document is read on two threads (`YAMLReader.withJSON(utf8:secondHalfFrom:_:)`):
/// the second begins at a guess and the first takes over what it read only where the guess was
/// right. These read each document with the second thread started at every one of its bytes and
/// hold the outcome to the one-thread reading's: every node, its place, every refusal and its
/// place, and "not JSON" alike.
@Suite struct JSONTwoThreadReadingTests {
    static let documents: [String] = [
        // Runs with jobs, a string that looks like a next element, groups after the runs.
        """
        {"runs":[{"id":1,"jobs":[{"id":2,"needs":[]},{"id":3,"name":"a,{b","x":",[1]"}]},{"id":4,"jobs":[[1,2],[3,{"x":null}]]},\
        {"id":5}],"groups":[{"n":"g1"},{"n":"g2"} ,
         {"n":"g3"},\t{"n":"g4","q":[{"a":-1.5e3},{"b":true}]}]}
        """,
        // Escaped quotes before what looks like elements, escapes and non-ASCII text.
        #"["x\",{\"y\":1}",{"a":"\\\\"},{"b":"\",[2]"},{"c":"é,{ü"},{"d":"\u00e9"},[],{}]"#,
        // Sequences of sequences, every kind of whitespace around the commas.
        "[\n\t[1,2] ,\r\n [3]\t,[4,[5,[6]]],\n[],[[]],{\"k\":[{}]}]",
        // A repeated key before the middle and one after: the first to close is reported.
        #"[{"a":1},{"b":2,"b":3},{"c":4},{"d":5},{"e":6,"e":7},{"f":8}]"#,
        // Only after the middle.
        #"[{"a":1},{"b":2},{"c":3},{"d":4},{"e":5,"e":6},{"f":7},{"g":{"h":1,"h":2}}]"#,
        // A mapping with a repeated key that closes after the second thread's segments.
        #"{"r":[{"a":1},{"b":2},{"c":3},{"d":4}],"r":[{"e":5}]}"#,
        // Not JSON after the middle, and again further on.
        #"[{"a":1},{"b":2},{"c":tru},{"d":4},{"e":[1,]},{"f":6}]"#,
        // Not JSON before the middle only.
        #"[{"a":01},{"b":2},{"c":3},{"d":4},{"e":5},{"f":6}]"#,
        // A mapping's key split from its colon by a line break, after the middle.
        "[{\"a\":1},{\"b\":2},{\"c\":3},{\"d\"\n:4},{\"e\":5}]",
        // Nothing but a scalar, and a sequence of scalars (no mapping or sequence after a comma).
        "12345",
        "[1,2,3,4,5,6,7,8,9,10]",
    ]

    /// Nested 60 deep, then elements nesting 2 to 6 more: the limit (64) is passed only by some of
    /// the second half's elements, which a second thread counting from its own start cannot see.
    static let deepDocument: String = {
        let outer = 60
        let elements = (2...6).map { depth in String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth) }
        return String(repeating: "[", count: outer) + (["[0]", "[0]"] + elements).joined(separator: ",") + String(repeating: "]", count: outer)
    }()

    @Test(arguments: documents + [deepDocument])
    func everySecondThreadStartReadsAsOneThread(_ text: String) {
        let bytes = Array(text.utf8)
        let oneThread = Self.outcome(of: bytes, secondHalfFrom: nil)
        for middle in 0...bytes.count {
            #expect(Self.outcome(of: bytes, secondHalfFrom: middle) == oneThread, "second thread from byte \(middle)")
        }
    }

    /// What the comparisons compare, for one document: the nodes and places of a reading, a
    /// refusal with its place, and documents JSON reading leaves to YAML.
    @Test func outcomesNameEveryNodeAndPlace() {
        let read = #"[{"a":1},{"b":[true]}]"#
        #expect(Self.outcome(of: Array(read.utf8), secondHalfFrom: 4) == "[{string(a)@1:3:plain(1)@1:7}@1:2,{string(b)@1:11:[plain(true)@1:16]@1:15}@1:10]@1:1")
        #expect(Self.outcome(of: Array(#"[{"a":1},{"a":[1],"a":2}]"#.utf8), secondHalfFrom: 4) == "t.json:1:11: duplicate key 'a' in a mapping")
        #expect(Self.outcome(of: Array(#"[{"a":1},{"b":x}]"#.utf8), secondHalfFrom: 4) == "not JSON")
    }

    /// Where the second thread's guess is right, the first takes its elements: here every run
    /// after the middle and every group.
    @Test func theElementsOfTheSecondHalfAreTakenOver() throws {
        let runs = (1...200).map { #"{"id":\#($0),"jobs":[{"id":\#($0 + 1000),"name":"build"},{"id":\#($0 + 2000),"needs":[\#($0 + 1000)]}]}"# }
        let groups = (1...50).map { #"{"name":"g\#($0)","queue":[\#($0)]}"# }
        let text = #"{"runs":["# + runs.joined(separator: ",") + #"],"groups":["# + groups.joined(separator: ",") + "]}"
        let bytes = Array(text.utf8)
        let middle = text.utf8.count / 2
        let taken = try #require(try YAMLReader(file: "t.json").withJSON(utf8: bytes, secondHalfFrom: middle) { _, taken in taken })
        // Every run that begins after the middle is taken over (and perhaps the rest of the run
        // the middle falls in), and every group but the first, which follows a bracket, not a comma.
        var runStart = #"{"runs":["#.utf8.count
        var runsAfterTheMiddle = 0
        for run in runs {
            if runStart > middle { runsAfterTheMiddle += 1 }
            runStart += run.utf8.count + 1
        }
        #expect(taken >= runsAfterTheMiddle + groups.count - 1)
        // Places are left out here: each is counted from the document's start.
        #expect(Self.outcome(of: bytes, secondHalfFrom: middle, places: false) == Self.outcome(of: bytes, secondHalfFrom: nil, places: false))
    }

    /// What reading gives: `nil` as "not JSON", a refusal with its place, or every node in document
    /// order with its place.
    static func outcome(of bytes: [UInt8], secondHalfFrom middle: Int?, places: Bool = true) -> String {
        do {
            let nodes = try YAMLReader(file: "t.json").withJSON(utf8: bytes, secondHalfFrom: middle) { root, _ in describe(root, places: places) }
            return nodes ?? "not JSON"
        } catch {
            return "\(error)"
        }
    }

    static func describe(_ node: JSONNode, places: Bool) -> String {
        let place = places ? "@\(node.place.line):\(node.place.column)" : ""
        switch node.content {
        case .scalar(let text, let plain):
            return "\(plain ? "plain" : "string")(\(text))\(place)"
        case .sequence(let elements):
            return "[" + elements.map { describe($0, places: places) }.joined(separator: ",") + "]\(place)"
        case .mapping(let entries):
            return "{" + entries.map { describe($0.key, places: places) + ":" + describe($0.value, places: places) }.joined(separator: ",") + "}\(place)"
        }
    }
}
