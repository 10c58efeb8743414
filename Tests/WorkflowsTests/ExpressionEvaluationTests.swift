import Testing
import Workflows

@Suite struct ExpressionEvaluationTests {
    @Test(arguments: [
        ("github.ref", "refs/heads/main"),
        ("GITHUB.REF", "refs/heads/main"),
        ("github['ref']", "refs/heads/main"),
        ("github['REF']", "refs/heads/main"),
        ("github[format('{0}', 'ref')]", "refs/heads/main"),
        ("github.event.pull_request.number", 7),
        ("github.event.pull_request.labels[1].name", "ci"),
        ("github.event['pull_request'].labels[0]['name']", "bug"),
        ("inputs.dry-run", false),
        ("vars.region", "eu"),
        ("matrix.list[0][1]", 2),
        ("(matrix.list)[2]", "x"),
        // Array indexes go through number coercion and round down.
        ("matrix.list[1.9]", [3]),
        ("matrix.list['1']", [3]),
        ("matrix.list[true]", [3]),
        ("matrix.list[null]", [1, 2]),
        // Object keys go through string coercion.
        ("vars.ids[1]", "one"),
        ("vars.ids[1.0]", "one"),
        ("vars.ids['1']", "one"),
        // Anything missing is null, never an error.
        ("matrix.list[3]", .null),
        ("matrix.list[-1]", .null),
        ("matrix.list['x']", .null),
        ("github.missing", .null),
        ("github.missing.deeper[0]", .null),
        ("github.ref.length", .null),
        ("github[matrix.list]", .null),
        ("nosuch", .null),
        ("nosuch.thing", .null),
        ("('text').length", .null),
    ] as [(String, ExpressionValue)])
    func propertyAccess(source: String, value: ExpressionValue) throws {
        #expect(try evaluate(source) == value)
    }

    /// `.*` and `[*]` collect every element; indexing the result indexes each element, keeping
    /// only what exists.
    @Test(arguments: [
        ("needs.*.result", ["success", "failure"]),
        ("needs[*].result", ["success", "failure"]),
        ("github.event.pull_request.labels.*.name", ["bug", "ci"]),
        ("needs.*.outputs.version", ["1.2.3"]),
        ("needs.*.outputs.*", ["1.2.3"]),
        ("matrix.list.*", [[1, 2], [3], "x"]),
        ("matrix.list.*[0]", [1, 3]),
        ("matrix.list.*.*", [1, 2, 3]),
        ("nosuch.*", []),
        ("nosuch.*.result", []),
        ("github.ref.*", []),
        // `||`, `&&` and `case` hand the filtered array itself on.
        ("(needs.* || 'x').result", ["success", "failure"]),
        ("case(true, needs.*, 'x').result", ["success", "failure"]),
        // A wildcard not alone in its brackets is the string '*'.
        ("matrix[* || 'os']", .null),
    ] as [(String, ExpressionValue)])
    func wildcards(source: String, value: ExpressionValue) throws {
        #expect(try evaluate(source) == value)
    }

    @Test(arguments: [
        ("!true", false), ("!false", true), ("!0", true), ("!1", false), ("!''", true), ("!'a'", false),
        ("!null", true), ("!NaN", true), ("!github", false), ("!matrix.list", false), ("!!'x'", true),
        // `&&` yields the first falsy operand, else the last; `||` the first truthy, else the last.
        ("true && 'yes'", "yes"), ("0 && 'yes'", 0), ("'' && 'yes'", ""), ("null && 1", .null),
        ("1 && 2 && 3", 3), ("1 && 0 && 3", 0),
        ("false || 'fallback'", "fallback"), ("'first' || 'second'", "first"),
        ("0 || null", .null), ("null || 0", 0), ("github.missing || 'default'", "default"),
        // Both stop at the deciding operand: the rest is never evaluated.
        ("false && fromJSON('not json')", false), ("'x' || fromJSON('not json')", "x"),
    ] as [(String, ExpressionValue)])
    func logicalOperators(source: String, value: ExpressionValue) throws {
        #expect(try evaluate(source) == value)
    }

    @Test(arguments: [
        ("true || false && false", true), ("(true || false) && false", false),
        ("!false && false", false), ("!(false && false)", true),
        ("1 == 1 && 2 > 1", true), ("1 < 2 == true", true),
        ("3 < 2 < 1", true), ("3 < (2 < 1)", false), ("2 > 1 > 0", true),
        ("1 == 1 == 1", true), ("2 == 2 == 2", false),
        ("!github.ref", false), ("!2 < 3", true), ("!(2 < 3)", false),
        ("'a' == 'b' || 'c' == 'C' && 1", 1),
        ("matrix.node > 18 && matrix.node < 21", true),
    ] as [(String, ExpressionValue)])
    func precedence(source: String, value: ExpressionValue) throws {
        #expect(try evaluate(source) == value)
    }

    /// Loose equality: differing kinds become numbers; strings ignore case; NaN equals nothing;
    /// arrays and objects equal nothing.
    @Test(arguments: [
        ("1 == 1.0", true), ("1 != 2", true),
        ("'abc' == 'ABC'", true), ("'abc' == 'abd'", false), ("'ärger' == 'ÄRGER'", true),
        ("'straße' == 'STRASSE'", false), ("'ı' == 'I'", false),
        ("'Refs/Heads/Main' == 'refs/heads/MAIN'", true), ("'ab' == 'abc'", false), ("'a[' == 'A{'", false), ("'a@' == 'A`'", false),
        ("1 == '1'", true), ("'1.0' == 1", true), ("' 1 ' == 1", true), ("'0x10' == 16", true),
        ("'' == 0", true), ("'x' == 0", false), ("'x' != 0", true),
        ("null == null", true), ("null == 0", true), ("null == ''", true), ("null == false", true),
        ("null == 'null'", false), ("null == github", false),
        ("true == 1", true), ("true == '1'", true), ("true == 'true'", false), ("true == 2", false),
        ("false == ''", true), ("false == 0", true), ("false == null", true),
        ("NaN == NaN", false), ("NaN != NaN", true), ("'abc' == NaN", false),
        ("github == github", false), ("github != github", true), ("matrix.list == matrix.list", false),
        ("github == 'Object'", false), ("matrix.list == 'Array'", false),
        ("github.run_number == '42'", true), ("inputs.count == 3", true),
    ] as [(String, Bool)])
    func equality(source: String, value: Bool) throws {
        #expect(try evaluate(source) == .bool(value))
    }

    @Test(arguments: [
        ("1 < 2", true), ("2 < 1", false), ("2 <= 2", true), ("3 > 2", true), ("2 >= 3", false), ("2 >= 2", true),
        ("'a' < 'B'", true), ("'B' > 'a'", true), ("'abc' < 'abd'", true), ("'ab' < 'abc'", true),
        ("'_' > 'a'", true), ("'a' <= 'A'", true), ("'a' < 'A'", false),
        ("'10' < 9", false), ("'10' < '9'", true),
        ("null < 1", true), ("null > null", false), ("null >= null", true), ("null <= 0", true),
        ("true > false", true), ("false < true", true), ("true > 0", true), ("true >= true", true),
        ("'a' < 1", false), ("'a' >= 1", false),
        ("NaN < 1", false), ("NaN >= NaN", false),
        ("Infinity > 1e308", true), ("-Infinity < -1e308", true),
        ("github < github", false), ("github <= github", false), ("matrix.list > 0", false),
    ] as [(String, Bool)])
    func ordering(source: String, value: Bool) throws {
        #expect(try evaluate(source) == .bool(value))
    }

    @Test func namedValuesIgnoreCaseInTheContextToo() throws {
        let context = ExpressionContext(["GitHub": ["Ref": "refs/tags/v1"]])
        #expect(try evaluate("github.ref", in: context) == "refs/tags/v1")
        #expect(try evaluate("github.ref", in: ExpressionContext()) == .null)
    }

    @Test func anExpressionIsReusable() throws {
        let expression = try Expression(parsing: "format('{0}-{1}', github.ref, matrix.os)")
        #expect(try expression.evaluate(in: sampleContext) == "refs/heads/main-ubuntu-latest")
        let other = ExpressionContext(["github": ["ref": "refs/pull/1/merge"], "matrix": ["os": "macos-14"]])
        #expect(try expression.evaluate(in: other) == "refs/pull/1/merge-macos-14")
    }
}
