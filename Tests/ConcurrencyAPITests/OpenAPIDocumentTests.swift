import ControlAPI
import Foundation
import Testing

/// The OpenAPI document is compiled in (`scripts/embed-fixtures`) and served at
/// `GET /_mock/openapi.yaml`; the contract tests (`scripts/contract-test`) check the server
/// against the file.
@Suite struct OpenAPIDocumentTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("OpenAPI/concurrency-mock.yaml")

    @Test func theEmbeddedDocumentIsTheFileInOpenAPI() throws {
        let contents = try Data(contentsOf: Self.file)
        #expect(Array(contents) == Array(EmbeddedOpenAPI.document.utf8),
                "run scripts/embed-fixtures after editing OpenAPI/concurrency-mock.yaml")
    }

    @Test func theDocumentIsServedAsYAML() throws {
        let answer = get(try docsExampleServer(), "/_mock/openapi.yaml")
        #expect(answer.status == 200)
        #expect(answer.headers["Content-Type"] == "application/yaml")
        #expect(answer.text == EmbeddedOpenAPI.document)
        #expect(answer.text.hasPrefix("openapi: 3.0.3\n"))
    }

    @Test func theDocumentIsReadOnly() throws {
        let answer = get(try docsExampleServer(), "/_mock/openapi.yaml", method: "PUT")
        #expect(answer.status == 405)
        #expect(answer.headers["Allow"] == "GET")
    }
}
