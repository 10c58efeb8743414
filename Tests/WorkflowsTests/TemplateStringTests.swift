import Testing
import Workflows

@Suite struct TemplateStringTests {
    @Test(arguments: [
        ("deploy-${{ github.ref }}", "deploy-refs/heads/main"),
        ("${{github.ref}}", "refs/heads/main"),
        ("a${{ 'x' }}b${{ 'y' }}c", "axbyc"),
        ("${{ null }}|${{ 1.0 }}|${{ 1.5 }}|${{ false }}|${{ github }}|${{ matrix.list }}", "|1|1.5|false|Object|Array"),
        ("${{ '}}' }}", "}}"),
        ("${{ 'it''s }}' }}!", "it's }}!"),
        ("$${{ 'a' }}", "$a"),
        ("x-${{ vars.Region }}-${{ inputs.dry-run }}", "x-eu-false"),
        ("ci-${{ github.event_name == 'push' && github.ref || format('pr-{0}', github.event.pull_request.number) }}",
         "ci-refs/heads/main"),
        ("plain text", "plain text"),
        ("{{ github.ref }} and $ {{ x }}", "{{ github.ref }} and $ {{ x }}"),
        ("", ""),
    ] as [(String, String)])
    func interpolation(text: String, result: String) throws {
        #expect(try TemplateString(parsing: text).evaluateAsString(in: sampleContext) == result)
    }

    /// Exactly one `${{ }}` and nothing else keeps the expression's own value; any text around
    /// it, even a space, makes a string, as on GitHub.
    @Test(arguments: [
        ("${{ github.ref == 'refs/heads/main' }}", true),
        ("${{  matrix.list[0]  }}", [1, 2]),
        ("${{ github.missing }}", .null),
        (" ${{ true }}", " true"),
        ("${{ 1 }}${{ 2 }}", "12"),
        ("branch", "branch"),
    ] as [(String, ExpressionValue)])
    func values(text: String, value: ExpressionValue) throws {
        #expect(try TemplateString(parsing: text).evaluate(in: sampleContext) == value)
    }

    @Test(arguments: [
        ("plain", true, []),
        ("", true, []),
        ("{{ x }} $ {", true, []),
        ("${{ 1 }}", false, []),
        ("${{ github.ref }}-${{ matrix.os }}-${{ github.sha }}", false, ["github", "matrix"]),
        ("${{ format('{0}', inputs.x) }}", false, ["inputs"]),
    ] as [(String, Bool, Set<String>)])
    func shape(text: String, isLiteral: Bool, names: Set<String>) throws {
        let template = try TemplateString(parsing: text)
        #expect(template.isLiteral == isLiteral)
        #expect(template.referencedNamedValues == names)
        #expect(template.source == text)
    }

    /// Offsets count from the start of the whole text; GitHub's message keeps the position
    /// within the expression.
    @Test(arguments: [
        ("deploy-${{ github.ref", "The expression is not closed. An unescaped ${{ sequence was found, but the closing }} sequence was not found.", 7),
        ("${{ 'x }}", "The expression is not closed. An unescaped ${{ sequence was found, but the closing }} sequence was not found.", 0),
        ("a ${{ }} b", "An expression was expected", 2),
        ("x-${{ 1 < }}", "Unexpected end of expression: '<'. Located at position 3 within expression: 1 <", 8),
        ("${{ a }}-${{   foo() }}", "Unrecognized function: 'foo'. Located at position 1 within expression: foo()", 15),
        ("v-${{ fromJSON('x') }}", "Error parsing fromJson: 'x' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0.", 6),
        ("${{ fromJSON('x') }}", "Error parsing fromJson: 'x' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0.", 4),
    ] as [(String, String, Int)])
    func errors(text: String, message: String, offset: Int) {
        let expected = ExpressionError(message: message, offset: offset)
        #expect(throws: expected) { try TemplateString(parsing: text).evaluate(in: sampleContext) }
    }

    /// GitHub evaluates text with expressions as one `format(...)` call around them, which takes
    /// one level of the depth limit.
    @Test func textAroundAnExpressionTakesOneLevel() throws {
        let deepest = String(repeating: "!", count: 49) + "false"
        #expect(try TemplateString(parsing: "${{ \(deepest) }}").evaluate(in: sampleContext) == true)
        #expect(throws: ExpressionError(message: "Exceeded max expression depth 50", offset: "x${{ ".count + 49)) {
            try TemplateString(parsing: "x${{ \(deepest) }}")
        }
    }
}
