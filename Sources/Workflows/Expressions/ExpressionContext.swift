/// The named values an evaluation can read: `github`, `inputs`, `vars`, `needs`, `strategy`,
/// `matrix`, `env`, `secrets`, ... each usually an ``ExpressionValue/object(_:)``.
///
/// Names match ignoring case, as on GitHub. A name that is absent evaluates to `null`; deciding
/// which names a workflow field may use is the caller's business (see
/// ``Expression/referencedNamedValues``).
public struct ExpressionContext: Sendable {
    public var namedValues: [String: ExpressionValue]

    public init(_ namedValues: [String: ExpressionValue] = [:]) {
        self.namedValues = namedValues
    }

    /// The value named `name` (already lowercased by the parser), matching keys ignoring case.
    func value(named name: String) -> ExpressionValue? {
        if let exact = namedValues[name] { return exact }
        return namedValues.first(where: { $0.key.lowercased() == name })?.value
    }
}
