/// A fixture or workflow file that cannot be loaded, with the place to fix it.
public struct SourceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as the user named it (or a label such as `<embedded docs-example.yml>`).
    public let file: String
    /// 1-based; 0 when the problem has no single place (an empty file).
    public let line: Int
    public let column: Int
    public let message: String
    /// The request field at fault, when it is one a caller names in its answer (`file`).
    public let field: String?

    public init(file: String, line: Int, column: Int, message: String, field: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.field = field
    }

    /// `file:line:column: message`, the form editors and compilers use; `file: message` when the
    /// problem has no single place.
    public var description: String { line == 0 ? "\(file): \(message)" : "\(file):\(line):\(column): \(message)" }
}
