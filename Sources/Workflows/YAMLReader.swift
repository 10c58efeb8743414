import ConcurrencySimulator
import Yams

/// Reads a composed YAML tree strictly, turning every surprise into a `SourceError` that
/// points at the node's line and column.
public struct YAMLReader: Sendable {
    public let file: String

    public init(file: String) { self.file = file }

    public func error(at node: Node?, _ message: String) -> SourceError {
        SourceError(file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0, message: message)
    }

    public func error(at mark: Mark, _ message: String) -> SourceError {
        SourceError(file: file, line: mark.line, column: mark.column, message: message)
    }

    /// Parses YAML (or JSON, which YAML reads too) into a tree, mapping parser errors to places.
    public func compose(_ text: String) throws(SourceError) -> Node {
        let node: Node?
        // A byte-order mark is not content; libyaml would count it as a column of line 1.
        let content = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        do {
            node = try Yams.compose(yaml: content)
        } catch let yamlError as YamlError {
            throw describe(yamlError)
        } catch {
            throw SourceError(file: file, line: 0, column: 0, message: "cannot parse: \(error)")
        }
        guard let node else { throw SourceError(file: file, line: 0, column: 0, message: "the document is empty") }
        return node
    }

    private func describe(_ yamlError: YamlError) -> SourceError {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text): " } ?? ""
            return error(at: mark, "invalid YAML: \(prefix)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return error(at: context.mark, "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in a mapping")
        case .reader(let problem, _, _, _):
            return SourceError(file: file, line: 0, column: 0, message: "cannot read the text: \(problem)")
        default:
            return SourceError(file: file, line: 0, column: 0, message: "invalid YAML: \(yamlError)")
        }
    }

    /// A mapping's entries by key, refusing keys outside `allowed` and missing `required` ones.
    public func mapping(_ node: Node, _ what: String, allowed: [String], required: [String] = []) throws(SourceError) -> [String: Node] {
        guard case .mapping(let mapping) = node else { throw error(at: node, "\(what) must be a mapping") }
        var entries: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else { throw error(at: keyNode, "keys of \(what) must be plain strings") }
            guard allowed.contains(key.string) else {
                throw error(at: keyNode, "unknown key '\(key.string)' in \(what); allowed: \(allowed.joined(separator: ", "))")
            }
            entries[key.string] = value
        }
        for key in required where entries[key] == nil {
            throw error(at: node, "\(what) is missing '\(key)'")
        }
        return entries
    }

    public func sequence(_ node: Node, _ what: String) throws(SourceError) -> [Node] {
        guard case .sequence(let sequence) = node else { throw error(at: node, "\(what) must be a list") }
        return Array(sequence)
    }

    public func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    public func string(_ node: Node, _ what: String) throws(SourceError) -> String {
        guard case .scalar(let scalar) = node, !isNull(node) else { throw error(at: node, "\(what) must be a string") }
        return scalar.string
    }

    public func nonEmptyString(_ node: Node, _ what: String) throws(SourceError) -> String {
        let value = try string(node, what)
        guard !value.isEmpty else { throw error(at: node, "\(what) cannot be empty") }
        return value
    }

    /// A positive decimal integer, as GitHub's ids are, no larger than `Simulator.largestIdentifier`.
    public func identifier(_ node: Node, _ what: String) throws(SourceError) -> Int {
        var problem = Simulator.IdentifierProblem.notAPositiveWholeNumber
        if case .scalar(let scalar) = node {
            do { return try Simulator.identifier(parsing: scalar.string) } catch { problem = error }
        }
        switch problem {
        case .notAPositiveWholeNumber:
            throw error(at: node, "\(what) must be a whole number of at least 1")
        case .tooLarge:
            throw error(at: node, "\(what) must be at most \(Simulator.largestIdentifier) (2^53 - 1, beyond which JavaScript clients lose precision)")
        }
    }

    public func timestamp(_ node: Node, _ what: String) throws(SourceError) -> Timestamp {
        guard case .scalar(let scalar) = node, let value = Timestamp(rfc3339: scalar.string) else {
            throw error(at: node, "\(what) must be an RFC 3339 date-time such as 2026-01-15T16:14:23Z")
        }
        return value
    }

    public func bool(_ node: Node, _ what: String) throws(SourceError) -> Bool {
        guard case .scalar(let scalar) = node else { throw error(at: node, "\(what) must be true or false") }
        switch scalar.string {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw error(at: node, "\(what) must be true or false")
        }
    }

    public func oneOf<T: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, _: T.Type) throws(SourceError) -> T where T.RawValue == String {
        let raw = try string(node, what)
        guard let value = T(rawValue: raw) else {
            throw error(at: node, "\(what) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not '\(raw)'")
        }
        return value
    }
}
