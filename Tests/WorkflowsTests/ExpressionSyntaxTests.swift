import Testing
import Workflows

@Suite struct ExpressionSyntaxTests {
    @Test(arguments: [
        ("null", .null), ("true", true), ("false", false),
        ("42", 42), ("-2.5", -2.5), (".5", 0.5), ("-.5", -0.5), ("+1", 1), ("1.", 1),
        ("1e3", 1000), ("1E+1", 10), ("1e-1", 0.1), ("0xff", 255), ("0xFFFFFFFF", -1), ("0o17", 15),
        ("Infinity", .number(.infinity)), ("-Infinity", .number(-.infinity)),
        ("'text'", "text"), ("''", ""), ("'it''s'", "it's"), ("'${{ x }}'", "${{ x }}"),
        // The literal keywords are case-sensitive: these are (absent) named values.
        ("TRUE", .null), ("Null", .null),
        // Whitespace of any kind separates tokens.
        ("\t1\n==\u{00A0}1 ", true),
    ] as [(String, ExpressionValue)])
    func literals(source: String, value: ExpressionValue) throws {
        #expect(try evaluate(source) == value)
    }

    @Test func notANumberLiteral() throws {
        #expect(try evaluate("NaN").numberValue.isNaN)
    }

    @Test(arguments: [
        ("github.ref", ["github"]),
        ("GitHub.ref == Matrix.os && contains(needs.*.result, 'x')", ["github", "matrix", "needs"]),
        ("inputs['github']", ["inputs"]),
        ("a.b.c", ["a"]),
        ("format('{0}', vars.x) || env", ["vars", "env"]),
        ("1 == 1", []),
        ("fromJSON('{}').github", []),
    ] as [(String, Set<String>)])
    func referencedNamedValues(source: String, names: Set<String>) throws {
        #expect(try Expression(parsing: source).referencedNamedValues == names)
    }

    @Test func keepsItsSource() throws {
        #expect(try Expression(parsing: " github.ref ").source == " github.ref ")
    }

    /// Each error with GitHub's message and the 0-based offset of the symbol it names.
    @Test(arguments: [
        ("1 <", "Unexpected end of expression", "<", 2),
        ("a && ", "Unexpected end of expression", "&&", 2),
        ("!", "Unexpected end of expression", "!", 0),
        ("a.", "Unexpected end of expression", ".", 1),
        ("a[1", "Unexpected end of expression", "1", 2),
        ("a[*", "Unexpected end of expression", "*", 2),
        ("contains('a',", "Unexpected end of expression", ",", 12),
        (" true ||( false && false", "Unexpected end of expression", "false", 19),
        ("1 < )", "Unexpected symbol", ")", 4),
        ("> 1", "Unexpected symbol", ">", 0),
        ("1 2", "Unexpected symbol", "2", 2),
        ("a b", "Unexpected symbol", "b", 2),
        ("(1)2", "Unexpected symbol", "2", 3),
        ("(1,", "Unexpected symbol", ",", 2),
        ("a]", "Unexpected symbol", "]", 1),
        ("(a]", "Unexpected symbol", "]", 2),
        ("github.()", "Unexpected symbol", "(", 7),
        ("a..b", "Unexpected symbol", ".", 2),
        ("a.1", "Unexpected symbol", "1", 2),
        ("a.'b'", "Unexpected symbol", "'b'", 2),
        ("'a'.b", "Unexpected symbol", ".", 3),
        ("'a'[0]", "Unexpected symbol", "[", 3),
        ("true.x", "Unexpected symbol", ".", 4),
        ("a.b(1)", "Unexpected symbol", "(", 3),
        ("*", "Unexpected symbol", "*", 0),
        ("a[!*]", "Unexpected symbol", "*", 3),
        ("contains(1,)", "Unexpected symbol", ")", 11),
        ("1 = 2", "Unexpected symbol", "=", 2),
        ("1 =2 =3", "Unexpected symbol", "=2", 2),
        ("1 & 2", "Unexpected symbol", "&", 2),
        ("1 | 2", "Unexpected symbol", "|", 2),
        ("a -1", "Unexpected symbol", "-1", 2),
        ("1 @abc 2", "Unexpected symbol", "@abc", 2),
        ("'foo", "Unexpected symbol", "'foo", 0),
        ("..github/workflow.md", "Unexpected symbol", "..github/workflow.md", 0),
        ("github/workflow.md", "Unexpected symbol", "github/workflow", 0),
        ("1.2.3", "Unexpected symbol", "1.2.3", 0),
        ("0x01p2", "Unexpected symbol", "0x01p2", 0),
        ("-Inf", "Unexpected symbol", "-Inf", 0),
        ("a ? b", "Unexpected symbol", "?", 2),
        ("😊 x", "Unexpected symbol", "😊", 0),
        ("foo(1)", "Unrecognized function", "foo", 0),
        ("1 == success()", "Unrecognized function", "success", 5),
        ("hashFiles('x')", "Unrecognized function", "hashFiles", 0),
        ("contains(1)", "Too few parameters supplied", "(", 8),
        ("join()", "Too few parameters supplied", "(", 4),
        ("case(true, 1)", "Too few parameters supplied", "(", 4),
        ("toJSON(1, 2)", "Too many parameters supplied", "(", 6),
        ("startsWith('a', 'b', 'c')", "Too many parameters supplied", "(", 10),
        ("case(true, 1, false, 2)", "Even number of parameters supplied, requires an odd number of parameters", "(", 4),
        // The first problem from the left wins.
        ("foo(1) )", "Unrecognized function", "foo", 0),
        ("1 ) foo(", "Unexpected symbol", ")", 2),
        ("contains(1) 2", "Too few parameters supplied", "(", 8),
    ] as [(String, String, String, Int)])
    func syntaxErrors(source: String, what: String, symbol: String, offset: Int) {
        let error = failure(of: source)
        #expect(error == ExpressionError(
            message: syntaxMessage(what, symbol, at: offset + 1, in: source), offset: offset))
    }

    @Test(arguments: ["", "   ", "\n"])
    func emptyExpressionsAreRefused(source: String) {
        #expect(failure(of: source) == ExpressionError(message: "An expression was expected", offset: 0))
    }

    @Test func functionNamesIgnoreCase() throws {
        #expect(try evaluate("CONTAINS('abc', 'B') && StartsWith('abc', 'A')") == true)
        #expect(try evaluate("TOJSON(1) == '1' && fromjson('2') == 2") == true)
    }

    @Test func lengthIsBounded() throws {
        let longest = String(repeating: "a", count: ExpressionLimits.maximumLength)
        #expect(try Expression(parsing: longest).referencedNamedValues == [longest])
        #expect(failure(of: longest + "a") == ExpressionError(
            message: "Exceeded max expression length 21000", offset: 21_000))
    }

    static let depthError = "Exceeded max expression depth 50"

    /// GitHub's depth counts tree levels: each `!`, `.`, `[ ]`, comparison and call is one;
    /// a run of `&&` or `||` is one; parentheses are none.
    @Test(arguments: [
        (String(repeating: "!", count: 49) + "false", true),
        ("github" + (1...49).map { "._\($0)" }.joined(), true),
        ("github" + String(repeating: "[*]", count: 49), true),
        (String(repeating: "fromJSON(", count: 49) + "'1'" + String(repeating: ")", count: 49), true),
        (String(repeating: "(", count: 50) + "1" + String(repeating: ")", count: 50), true),
        ((1...200).map(String.init).joined(separator: " && "), true),
        (String(repeating: "!", count: 50) + "false", false),
        ("github" + (1...50).map { "._\($0)" }.joined(), false),
        ("github" + String(repeating: "[*]", count: 50), false),
        (String(repeating: "fromJSON(", count: 50) + "'1'" + String(repeating: ")", count: 50), false),
        (String(repeating: "a == ", count: 50) + "a", false),
    ] as [(String, Bool)])
    func depthIsBounded(source: String, isAccepted: Bool) {
        let error = failure(of: source)
        if isAccepted {
            #expect(error == nil)
        } else {
            #expect(error?.message == Self.depthError)
        }
    }

    /// Where the depth error points: the token that first lies too deep.
    @Test func depthErrorOffsets() {
        #expect(failure(of: String(repeating: "!", count: 50) + "false")?.offset == 50)
        #expect(failure(of: String(repeating: "(", count: 51) + "1" + String(repeating: ")", count: 51))?.offset == 50)
    }

    /// Hostile input of the longest allowed length fails fast instead of exhausting the stack.
    @Test(arguments: [
        String(repeating: "(", count: 21_000),
        String(repeating: "!", count: 20_999) + "a",
        String(repeating: "(!", count: 10_000) + "a",
        String(repeating: "a[", count: 10_000),
        String(repeating: "contains(", count: 2_000),
        "a" + String(repeating: ".b", count: 10_000),
        String(repeating: "a == ", count: 4_000) + "a",
    ])
    func hostileNestingFailsFast(source: String) {
        #expect(failure(of: source)?.message == Self.depthError)
    }
}
