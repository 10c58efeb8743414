import Yams

/// A parsed document's node as the strict readers see it, whichever parser produced it: Yams for
/// YAML, `JSONReader` for the JSON of fixtures and state exports. Readers written against this
/// protocol read both with the same checks and the same messages.
public protocol ReadableNode {
    var content: NodeContent<Self> { get }
    /// Where the node starts, 1-based, the column counted in Unicode scalars; 0 when unknown.
    var place: (line: Int, column: Int) { get }
    /// A mapping's values matched with the keys a reader allows (all different, ASCII): each at
    /// the place of its key in `allowed` (`nil` where the mapping lacks the key), up to the first
    /// key that is none of them or not a scalar, which is answered as `unknownKey`; `nil` when
    /// the node is not a mapping. A key is matched without making a `String` of it, tried with
    /// the allowed keys from the one after the last key's on, then from the start: a mapping's
    /// keys mostly come in the order the reader allows them.
    func values(matching allowed: [String]) -> (values: [Self?], unknownKey: Self?)?
    /// Whether the node is YAML's null: a plain `null`, `Null`, `NULL`, `~` or nothing.
    var isNull: Bool { get }
    /// `body` of a scalar's text as UTF-8 (`nil` for a collection), for readers that only parse
    /// the text: a parser keeping the document's bytes hands them over where they are.
    func withScalarUTF8<Answer>(_ body: (UnsafeBufferPointer<UInt8>) -> Answer) -> Answer?
}

extension ReadableNode {
    public var line: Int { place.line }
    public var column: Int { place.column }

    public func values(matching allowed: [String]) -> (values: [Self?], unknownKey: Self?)? {
        guard case .mapping(let entries) = content else { return nil }
        var values = [Self?](repeating: nil, count: allowed.count)
        var next = 0
        for (key, value) in entries {
            guard case .scalar(let text, _) = key.content, let place = allowed.index(ofKey: text, from: next) else { return (values, key) }
            values[place] = value
            next = place + 1
        }
        return (values, nil)
    }

    public var isNull: Bool {
        guard case .scalar(let text, plain: true) = content else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(text)
    }

    public func withScalarUTF8<Answer>(_ body: (UnsafeBufferPointer<UInt8>) -> Answer) -> Answer? {
        guard case .scalar(var text, _) = content else { return nil }
        return text.withUTF8(body)
    }
}

extension RandomAccessCollection where Index == Int {
    /// The index of the first element from `first` on, then from the start, that `matches`.
    @inline(__always)
    func firstIndex(from first: Int, where matches: (Element) -> Bool) -> Int? {
        let first = first < endIndex ? first : startIndex
        for index in first..<endIndex where matches(self[index]) { return index }
        for index in startIndex..<first where matches(self[index]) { return index }
        return nil
    }
}

extension RandomAccessCollection where Index == Int, Element == String {
    /// The index of the allowed key that is `text`, looked for from `first` on, then from the
    /// start: how `values(matching:)` matches a key it has as text.
    func index(ofKey text: String, from first: Int) -> Int? {
        firstIndex(from: first) { MappingFields<JSONNode>.sameKey($0, text) }
    }
}

/// What a node holds.
public enum NodeContent<Node: ReadableNode> {
    /// `plain`: written without quotes, so it can stand for null, a boolean or a number.
    case scalar(String, plain: Bool)
    /// The entries in document order.
    case mapping([(key: Node, value: Node)])
    case sequence([Node])
}

extension Yams.Node: ReadableNode {
    public var content: NodeContent<Yams.Node> {
        switch self {
        case .scalar(let scalar): return .scalar(scalar.string, plain: scalar.style == .plain)
        case .mapping(let mapping): return .mapping(mapping.map { (key: $0.key, value: $0.value) })
        case .sequence(let sequence): return .sequence(Array(sequence))
        // `Yams.compose` puts the anchored node itself where an alias stood.
        case .alias: preconditionFailure("a composed YAML tree holds no aliases")
        }
    }

    public var place: (line: Int, column: Int) { (mark?.line ?? 0, mark?.column ?? 0) }
}
