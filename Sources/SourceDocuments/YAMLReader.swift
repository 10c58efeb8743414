import CYaml
import ConcurrencySimulator
import Yams

/// Reads a composed YAML or JSON tree strictly, turning every surprise into a `SourceError` that
/// points at the node's line and column. The readers below take any `ReadableNode`, so a JSON
/// document read by `withJSON` meets exactly the checks and messages a YAML one does.
public struct YAMLReader: Sendable {
    public let file: String

    public init(file: String) { self.file = file }

    @inlinable public func error(at node: some ReadableNode, _ message: String) -> SourceError {
        let place = node.place
        return SourceError(file: file, line: place.line, column: place.column, message: message)
    }

    public func error(at mark: Mark, _ message: String) -> SourceError {
        SourceError(file: file, line: mark.line, column: mark.column, message: message)
    }

    /// The largest document read, in UTF-8 bytes: the request-body limit, and room for a fixture
    /// several times the size of the largest one benchmarked (23 MiB).
    public static let maximumDocumentBytes = 64 << 20
    /// The largest document `withJSON` reads, and so the largest state `PUT /_mock/state`
    /// takes: room for 2,000,000 queue items (the bench's fixture of 1,000,000 is 229 MiB, the
    /// export of its 100,000 94 MiB). Its tape of nodes makes that affordable where Yams' tree
    /// would not be.
    public static let maximumJSONDocumentBytes = 512 << 20
    /// The deepest nesting of mappings and sequences in a document (aliases counted as what they
    /// stand for). Workflow files and fixtures need about ten levels; Yams builds its tree with one
    /// stack frame per level, so a deep `[[[[...` must be refused before it composes.
    public static let maximumNestingDepth = 64
    /// The most nodes the aliases of a document may stand for, all together. Yams shares an
    /// anchored node, but reading it into values copies it at every alias, so nine anchors of
    /// nine aliases each (a "billion laughs") would stand for 387 million values in a few lines.
    public static let maximumAliasedNodes = 100_000

    /// Parses YAML (or JSON, which YAML reads too) into a tree, mapping parser errors to places.
    public func compose(_ text: String) throws(SourceError) -> Node {
        let node: Node?
        let content = try checkedContent(text)
        try checkShape(content)
        do {
            // Named, not defaulted: Yams' default encoding reads the whole process environment on
            // every call (6 % of a trigger's cost).
            node = try Yams.compose(yaml: content, .default, .default, .utf8)
        } catch let yamlError as YamlError {
            throw describe(yamlError)
        } catch {
            throw SourceError(file: file, line: 0, column: 0, message: "cannot parse: \(error)")
        }
        guard let node else { throw SourceError(file: file, line: 0, column: 0, message: "the document is empty") }
        return node
    }

    /// Reads a JSON document without Yams and calls `body` with its root: for the large JSON
    /// documents (fixtures, state exports), many times faster and smaller than `compose`. `nil`
    /// when the text is not strict JSON, or is JSON that YAML reads differently (see
    /// `JSONReader`); then `compose` reads it, with YAML's answer. The limits and refusals are
    /// `compose`'s. The nodes are valid only inside `body`.
    public func withJSON<Answer>(_ text: String, _ body: (JSONNode) throws(SourceError) -> Answer) throws(SourceError) -> Answer? {
        var content = try checkedContent(text, atMost: Self.maximumJSONDocumentBytes)
        content.makeContiguousUTF8()
        return try content.utf8.withContiguousStorageIfAvailable { bytes in
            Result { () throws(SourceError) in try JSONReader.withDocument(bytes, file: file, body) }
        }!.get()
    }

    /// `withJSON` of a document's UTF-8 bytes, read where they are: a large request body need
    /// not be copied into a `String`. `nil` also when the bytes are not UTF-8.
    public func withJSON<Answer>(utf8 bytes: [UInt8], _ body: (JSONNode) throws(SourceError) -> Answer) throws(SourceError) -> Answer? {
        try withDocument(utf8: bytes) { document throws(SourceError) in try JSONReader.withDocument(document, file: file, body) }
    }

    /// `withJSON(utf8:_:)` with a second thread reading from the first element of a sequence at
    /// or after byte `middle` of the document, whatever its size (none when `nil`); `body` is also
    /// told how many elements that thread read. For tests and fuzzing, which hold the answer to
    /// be the same wherever the second thread begins.
    @_spi(Testing) public func withJSON<Answer>(
        utf8 bytes: [UInt8], secondHalfFrom middle: Int?, _ body: (_ root: JSONNode, _ elementsReadBySecondHalf: Int) throws(SourceError) -> Answer
    ) throws(SourceError) -> Answer? {
        try withDocument(utf8: bytes) { document throws(SourceError) in
            try JSONReader.withDocument(document, file: file, secondHalfFrom: middle, body)
        }
    }

    /// `read` of the document in `bytes`: after its byte-order mark, refused when it is larger
    /// than `withJSON` reads.
    private func withDocument<Answer>(
        utf8 bytes: [UInt8], _ read: (UnsafeBufferPointer<UInt8>) throws(SourceError) -> Answer?
    ) throws(SourceError) -> Answer? {
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let start = bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0
        try checkSize(bytes.count - start, atMost: Self.maximumJSONDocumentBytes)
        return try bytes.withUnsafeBufferPointer { bytes in
            Result { () throws(SourceError) in try read(UnsafeBufferPointer(rebasing: bytes[start...])) }
        }.get()
    }

    /// The text without its byte-order mark (not content; libyaml would count it as a column of
    /// line 1), refused when it is larger than `limit`.
    private func checkedContent(_ text: String, atMost limit: Int = maximumDocumentBytes) throws(SourceError) -> String {
        let content = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        try checkSize(content.utf8.count, atMost: limit)
        return content
    }

    private func checkSize(_ byteCount: Int, atMost limit: Int) throws(SourceError) {
        guard byteCount <= limit else {
            throw SourceError(file: file, line: 0, column: 0, message: "the document is \(byteCount) bytes; at most \(limit) are read")
        }
    }

    /// The refusal of a collection nested deeper than `maximumNestingDepth`.
    static let nestingRefusal = "the document nests deeper than \(maximumNestingDepth) levels of mappings and sequences"

    /// The refusal of a mapping whose `keys` (in Yams' order: sorted) appear more than once.
    static func duplicateKeysMessage(_ keys: [String]) -> String {
        "duplicate key \(keys.map { "'\($0)'" }.joined(separator: ", ")) in a mapping"
    }

    /// Walks libyaml's events (a loop, no recursion) and refuses the first collection or alias
    /// that reaches deeper than `maximumNestingDepth`, the alias that makes the aliases stand
    /// for more than `maximumAliasedNodes`, and the first mapping or list used as a key (no
    /// document here has one, and Yams reports such keys repeated in an order that changes from
    /// one reading of the same text to the next). Syntax errors are left to `compose`, which
    /// reports them with their place.
    private func checkShape(_ content: String) throws(SourceError) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(content.utf8)
        var refusal: (mark: yaml_mark_t, message: String)?
        bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            let tooDeep = Self.nestingRefusal
            // A node's height (a scalar is 0, a collection 1 + its highest child) and its node
            // count, aliases inside it counted as what they stand for: so far for each open
            // collection, in full for each anchor.
            var open: [(anchor: String?, height: Int, nodes: Int, mapping: Bool, expectingKey: Bool)] = []
            /// Takes the next node of the innermost collection; false when it is a mapping's key
            /// and `collection` (a mapping or a list, or an alias standing for one).
            func place(collection: Bool) -> Bool {
                guard let parent = open.indices.last, open[parent].mapping else { return true }
                defer { open[parent].expectingKey.toggle() }
                return !(open[parent].expectingKey && collection)
            }
            let complexKey = "a mapping's key must be a plain string, not a mapping or a list"
            var anchored: [String: (height: Int, nodes: Int)] = [:]
            var aliasedNodes = 0
            func close(height: Int, nodes: Int, anchor: String?) -> Bool {
                if let anchor { anchored[anchor] = (height, nodes) }
                guard !open.isEmpty else { return true }
                open[open.count - 1].height = max(open[open.count - 1].height, height)
                open[open.count - 1].nodes = min(open[open.count - 1].nodes + nodes, Self.maximumAliasedNodes + 1)
                return open.count + height <= Self.maximumNestingDepth
            }
            while refusal == nil {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    // libyaml's own bound (1,000 levels, counted as its scanner reads ahead)
                    // can stop it before this walk sees level 65: the same refusal.
                    if parser.error == YAML_PARSER_ERROR, let problem = parser.problem,
                       String(cString: problem).hasPrefix("Maximum nesting level reached") {
                        refusal = (parser.problem_mark, tooDeep)
                    }
                    return
                }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                    if !place(collection: true) { refusal = (event.start_mark, complexKey) }
                    open.append((anchor.map { String(cString: $0) }, 0, 1, event.type == YAML_MAPPING_START_EVENT, true))
                    if open.count > Self.maximumNestingDepth { refusal = (event.start_mark, tooDeep) }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    let finished = open.removeLast()
                    if !close(height: finished.height + 1, nodes: finished.nodes, anchor: finished.anchor) { refusal = (event.start_mark, tooDeep) }
                case YAML_SCALAR_EVENT:
                    _ = place(collection: false)
                    if !close(height: 0, nodes: 1, anchor: event.data.scalar.anchor.map { String(cString: $0) }) { refusal = (event.start_mark, tooDeep) }
                case YAML_ALIAS_EVENT:
                    let named = event.data.alias.anchor.flatMap { anchored[String(cString: $0)] } ?? (0, 1)
                    aliasedNodes += named.nodes
                    if !place(collection: named.height > 0) {
                        refusal = (event.start_mark, complexKey)
                    } else if aliasedNodes > Self.maximumAliasedNodes {
                        refusal = (event.start_mark, "the aliases of the document stand for more than \(Self.maximumAliasedNodes) nodes; write the values out instead")
                    } else if !close(height: named.height, nodes: named.nodes, anchor: nil) {
                        refusal = (event.start_mark, tooDeep)
                    }
                case YAML_STREAM_END_EVENT:
                    return
                default:
                    break
                }
            }
        }
        if let refusal {
            throw SourceError(file: file, line: Int(refusal.mark.line) + 1, column: Int(refusal.mark.column) + 1, message: refusal.message)
        }
    }

    private func describe(_ yamlError: YamlError) -> SourceError {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text): " } ?? ""
            return error(at: mark, "invalid YAML: \(prefix)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return error(at: context.mark, Self.duplicateKeysMessage(duplicates))
        case .reader(let problem, _, _, _):
            return SourceError(file: file, line: 0, column: 0, message: "cannot read the text: \(problem)")
        default:
            return SourceError(file: file, line: 0, column: 0, message: "invalid YAML: \(yamlError)")
        }
    }

    // The readers below are inlinable so the state loader gets them specialized for JSONNode
    // rather than working through generic metadata for each of a large fixture's million nodes.

    /// A mapping's entries by key, refusing keys outside `allowed` and missing `required` ones.
    @inlinable public func mapping<Node: ReadableNode>(
        _ node: Node, _ what: String, allowed: [String], required: [String] = []
    ) throws(SourceError) -> MappingFields<Node> {
        guard let (values, unknownKey) = node.values(matching: allowed) else { throw error(at: node, "\(what) must be a mapping") }
        if let unknownKey {
            // The allowed key itself stands for a key: a key of the document is made a `String` only to be refused.
            guard case .scalar(let key, _) = unknownKey.content else { throw error(at: unknownKey, "keys of \(what) must be plain strings") }
            throw error(at: unknownKey, "unknown key '\(key)' in \(what); allowed: \(allowed.joined(separator: ", "))")
        }
        let fields = MappingFields(allowed: allowed, values: values)
        for key in required where fields[key] == nil {
            throw error(at: node, "\(what) is missing '\(key)'")
        }
        return fields
    }

    /// A mapping's values by key case, refusing keys that are none of `keys`' and missing
    /// `required` ones, as `mapping(_:_:allowed:required:)` does with their texts.
    @inlinable public func mapping<Node: ReadableNode, Key: MappingKey>(
        _ node: Node, _ what: String, keys: Key.Type, required: [Key] = []
    ) throws(SourceError) -> KeyedFields<Node, Key> {
        let keyed = KeyedFields<Node, Key>(values: try mapping(node, what, allowed: Key.texts).values)
        for key in required where keyed[key] == nil {
            throw error(at: node, "\(what) is missing '\(key.text)'")
        }
        return keyed
    }

    @inlinable public func sequence<Node: ReadableNode>(_ node: Node, _ what: String) throws(SourceError) -> [Node] {
        guard case .sequence(let sequence) = node.content else { throw error(at: node, "\(what) must be a list") }
        return sequence
    }

    @inlinable public func isNull(_ node: some ReadableNode) -> Bool { node.isNull }

    /// The text of a scalar, whatever it stands for (`null` is none).
    @inlinable public func scalarText(_ node: some ReadableNode) -> String? {
        guard case .scalar(let text, _) = node.content else { return nil }
        return text
    }

    @inlinable public func string(_ node: some ReadableNode, _ what: String) throws(SourceError) -> String {
        guard let text = scalarText(node), !isNull(node) else { throw error(at: node, "\(what) must be a string") }
        return text
    }

    @inlinable public func nonEmptyString(_ node: some ReadableNode, _ what: String) throws(SourceError) -> String {
        let value = try string(node, what)
        guard !value.isEmpty else { throw error(at: node, "\(what) cannot be empty") }
        return value
    }

    /// A positive decimal integer, as GitHub's ids are, no larger than `Simulator.largestIdentifier`.
    @inlinable public func identifier(_ node: some ReadableNode, _ what: String) throws(SourceError) -> Int {
        var problem = Simulator.IdentifierProblem.notAPositiveWholeNumber
        let parsed = node.withScalarUTF8 { bytes in Result { () throws(Simulator.IdentifierProblem) in try Simulator.identifier(parsingUTF8: bytes) } }
        switch parsed {
        case .success(let value)?: return value
        case .failure(let error)?: problem = error
        case nil: break
        }
        switch problem {
        case .notAPositiveWholeNumber:
            throw error(at: node, "\(what) must be a whole number of at least 1")
        case .tooLarge:
            throw error(at: node, "\(what) must be at most \(Simulator.largestIdentifier) (2^53 - 1, beyond which JavaScript clients lose precision)")
        }
    }

    @inlinable public func timestamp(_ node: some ReadableNode, _ what: String) throws(SourceError) -> Timestamp {
        guard let value = node.withScalarUTF8({ Timestamp(rfc3339UTF8: $0) }) ?? nil else {
            throw error(at: node, "\(what) must be an RFC 3339 date-time such as 2026-01-15T16:14:23Z")
        }
        return value
    }

    @inlinable public func bool(_ node: some ReadableNode, _ what: String) throws(SourceError) -> Bool {
        switch scalarText(node) {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw error(at: node, "\(what) must be true or false")
        }
    }

    @inlinable public func oneOf<T: RawRepresentable & CaseIterable>(_ node: some ReadableNode, _ what: String, _: T.Type) throws(SourceError) -> T where T.RawValue == String {
        let raw = try string(node, what)
        guard let value = T(rawValue: raw) else {
            throw error(at: node, "\(what) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not '\(raw)'")
        }
        return value
    }
}

/// The keys a reader allows in one kind of mapping, as the cases of an enum named after them
/// (`runAttempt` stands for `run_attempt`), numbered from 0 in order. A mapping read against
/// them (`YAMLReader.mapping(_:_:keys:required:)`) hands each value over by its case in one
/// step, where a look-up by text compares the text with the mapping's keys one by one: twenty
/// look-ups for each job of a large state.
public protocol MappingKey: CaseIterable, RawRepresentable<Int> where AllCases == [Self] {
    /// The keys' texts in the order of the cases, made once by `snakeCaseTexts()`.
    static var texts: [String] { get }
}

extension MappingKey {
    /// Each case's name in snake case (`cancelledBy` is `cancelled_by`), in the order of the cases.
    public static func snakeCaseTexts() -> [String] {
        precondition(allCases.map(\.rawValue) == Array(allCases.indices), "a MappingKey's cases are numbered 0, 1, 2, ...")
        return allCases.map { key in
            String(describing: key).reduce(into: "") { text, character in
                if character.isUppercase { text += "_" + character.lowercased() } else { text.append(character) }
            }
        }
    }
}

extension MappingKey {
    /// The key as a document spells it.
    public var text: String { Self.texts[rawValue] }
}

/// A mapping's values by key case, as `YAMLReader.mapping(_:_:keys:required:)` read them, each
/// at its case's number.
public struct KeyedFields<Node: ReadableNode, Key: MappingKey> {
    @usableFromInline let values: [Node?]

    @inlinable init(values: [Node?]) {
        self.values = values
    }

    @inlinable public subscript(key: Key) -> Node? { values[key.rawValue] }
}

/// A mapping's values by key, as `YAMLReader.mapping` read them. Keys are compared one by one:
/// a mapping holds only keys its reader allows, a few dozen at most, and building a dictionary
/// for each of a large fixture's half a million mappings cost more than every look-up in them.
/// Readers of many mappings of one kind look their values up by case instead (`KeyedFields`).
public struct MappingFields<Node: ReadableNode> {
    /// The keys the mapping was read against.
    @usableFromInline let allowed: [String]
    /// The value of each allowed key, `nil` where the mapping lacks it.
    @usableFromInline let values: [Node?]

    @inlinable init(allowed: [String], values: [Node?]) {
        self.allowed = allowed
        self.values = values
    }

    /// How many keys the mapping holds.
    public var count: Int { values.count { $0 != nil } }

    /// The keys the mapping holds and their values, in the order of the allowed keys.
    public var entries: [(key: String, value: Node)] {
        zip(allowed, values).compactMap { key, value in value.map { (key, $0) } }
    }

    @inlinable public subscript(key: String) -> Node? {
        // Over the storage: the array's subscript copied each key it passed (a retain and a release).
        allowed.withUnsafeBufferPointer { allowed in
            for place in allowed.indices where values[place] != nil && Self.sameKey(allowed[place], key) { return values[place] }
            return nil
        }
    }

    /// Whether two keys are the same, their lengths compared first (a String holds its length inline).
    @inlinable static func sameKey(_ first: String, _ second: String) -> Bool {
        first.utf8.count == second.utf8.count && first == second
    }
}
