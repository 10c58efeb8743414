/// Fixtures compiled into the binary.
public enum EmbeddedFixtures {
    /// The label errors and logs use for the embedded default fixture.
    public static let docsExampleName = "<embedded Fixtures/docs-example.yml>"

    /// `Fixtures/docs-example.yml`, byte for byte: the default state of `concurrency-mock`
    /// (a SwiftPM resource embedded in code, so it can never drift from the file).
    public static let docsExample = String(decoding: PackageResources.docs_example_yml, as: UTF8.self)
}
