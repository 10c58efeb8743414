import Testing
import Workflows

@Suite struct ExpressionFunctionTests {
    @Test(arguments: [
        ("contains('Hello World', 'WORLD')", true), ("contains('abc', 'd')", false), ("contains('abc', '')", true),
        ("contains(github.event_name, 'US')", true), ("contains(123, 2)", true), ("contains(true, 'ru')", true),
        ("contains(null, '')", true), ("contains('straße', 'SS')", false),
        ("contains('Object', github)", false), ("contains(github, 'ref')", false),
        ("contains(matrix.list[0], 2)", true), ("contains(matrix.list[0], '2')", true),
        ("contains(matrix.list[0], 3)", false), ("contains(needs.*.result, 'FAILURE')", true),
        ("contains(fromJSON('[null]'), '')", true), ("contains(fromJSON('[[1]]'), fromJSON('[1]'))", false),
        ("contains(fromJSON('[]'), fromJSON('x'))", false),
        ("startsWith('refs/heads/main', 'REFS/')", true), ("startsWith(github.ref, 'refs/tags/')", false),
        ("startsWith('abc', '')", true), ("startsWith(12, 1)", true), ("startsWith('Ärger', 'ä')", true),
        ("startsWith('ı_x', 'I')", false), ("startsWith(github, 'O')", false), ("startsWith('Object', github)", false),
        ("endsWith('refs/heads/main', 'MAIN')", true), ("endsWith('a', 'ab')", false), ("endsWith(null, '')", true),
        ("endsWith(1.50, '.5')", true), ("endsWith(matrix.list, 'y')", false),
    ] as [(String, Bool)])
    func searching(source: String, value: Bool) throws {
        #expect(try evaluate(source) == .bool(value))
    }

    @Test(arguments: [
        ("format('Hello {0}', 'you')", "Hello you"),
        ("format('{0}-{1}-{0}', 'a', 'b')", "a-b-a"),
        ("format('{{0}} {0}', 1)", "{0} 1"),
        ("format('{{}}')", "{}"),
        ("format('no placeholders')", "no placeholders"),
        ("format('{0}|{1}|{2}|{3}|{4}', null, true, 1.50, github, matrix.list)", "|true|1.5|Object|Array"),
        ("format('{00}{1}', 'x', 'y')", "xy"),
        ("format('{0:}', 'x')", "x"),
        ("format(123)", "123"),
        ("format('{1}', fromJSON('not json'), 'unused arguments are not evaluated')", "unused arguments are not evaluated"),
        ("join(matrix.list[0])", "1,2"),
        ("join(matrix.list[0], ' + ')", "1 + 2"),
        ("join(needs.*.result, ', ')", "success, failure"),
        ("join(fromJSON('[null, true, 1.5, \"s\", [], {}]'), '|')", "|true|1.5|s|Array|Object"),
        ("join(fromJSON('[1, 2]'), github)", "1,2"),
        ("join(fromJSON('[1]'), fromJSON('x'))", "1"),
        ("join('abc', '-')", "abc"),
        ("join(1.0)", "1"),
        ("join(null)", ""),
        ("join(github)", ""),
        ("join(fromJSON('[]'), '-')", ""),
    ] as [(String, String)])
    func building(source: String, text: String) throws {
        #expect(try evaluate(source) == .string(text))
    }

    @Test(arguments: [
        ("toJSON(null)", "null"),
        ("toJSON(true)", "true"),
        ("toJSON(1.0)", "1"),
        ("toJSON(-0)", "0"),
        ("toJSON(NaN)", "NaN"),
        ("toJSON('say \"hi\" \\ bye')", #""say \"hi\" \\ bye""#),
        ("toJSON(text)", #""tab\there\u0001\u2028""#),
        ("toJSON(fromJSON('[]'))", "[]"),
        ("toJSON(fromJSON('{}'))", "{}"),
        ("toJSON(matrix.list)", "[\n  [\n    1,\n    2\n  ],\n  [\n    3\n  ],\n  \"x\"\n]"),
        ("toJSON(needs.build)", "{\n  \"result\": \"success\",\n  \"outputs\": {\n    \"version\": \"1.2.3\"\n  }\n}"),
        ("toJSON(needs.*.result)", "[\n  \"success\",\n  \"failure\"\n]"),
    ] as [(String, String)])
    func toJSON(source: String, json: String) throws {
        #expect(try evaluate(source) == .string(json))
    }

    @Test(arguments: [
        ("fromJSON('{\"a\": [1, true, null, \"x\", {}], \"b\": -0.5e1}')", ["a": [1, true, .null, "x", [:]], "b": -5]),
        ("fromJSON(' \"s\" ')", "s"),
        ("fromJSON('42')", 42),
        ("fromJSON('\"\\u00e9\\ud83d\\ude00\\n\\/\"')", "é😀\n/"),
        ("fromJSON('{\"A\": 1, \"a\": 2}')", ["A": 1]),
        ("fromJSON(inputs.count)", 3),
        ("fromJSON('[1, 2]')[1]", 2),
        ("fromJSON(toJSON(needs)).build.result", "success"),
    ] as [(String, ExpressionValue)])
    func fromJSON(source: String, value: ExpressionValue) throws {
        #expect(try evaluate(source) == value)
    }

    /// `fromJSON` is strict JSON; messages follow System.Text.Json, with line and byte (from 0).
    @Test(arguments: [
        ("''", "The input does not contain any JSON tokens. Expected the input to start with a valid JSON token, while isFinalBlock is true. LineNumber: 0 | BytePositionInLine: 0."),
        ("'{'", "Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed. LineNumber: 0 | BytePositionInLine: 1."),
        ("'[1,]'", "The JSON array contains a trailing comma at the end which is not supported in this mode. Change the reader options. LineNumber: 0 | BytePositionInLine: 3."),
        ("'{\"a\": 1,}'", "The JSON object contains a trailing comma at the end which is not supported in this mode. Change the reader options. LineNumber: 0 | BytePositionInLine: 8."),
        ("'tru'", "'tru' is an invalid JSON literal. Expected the literal 'true'. LineNumber: 0 | BytePositionInLine: 0."),
        ("'nulL'", "'nulL' is an invalid JSON literal. Expected the literal 'null'. LineNumber: 0 | BytePositionInLine: 0."),
        ("'x'", "'x' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0."),
        ("'[\n1,\n  x]'", "'x' is an invalid start of a value. LineNumber: 2 | BytePositionInLine: 2."),
        ("'[1]x'", "'x' is invalid after a single JSON value. Expected end of data. LineNumber: 0 | BytePositionInLine: 3."),
        ("'[1 2]'", "'2' is invalid after a value. Expected either ',', '}', or ']'. LineNumber: 0 | BytePositionInLine: 3."),
        ("'{\"a\" 1}'", "'1' is invalid after a property name. Expected a ':'. LineNumber: 0 | BytePositionInLine: 5."),
        ("'{a: 1}'", "'a' is an invalid start of a property name. Expected a '\"'. LineNumber: 0 | BytePositionInLine: 1."),
        ("'\"abc'", "Expected end of string, but instead reached end of data. LineNumber: 0 | BytePositionInLine: 4."),
        ("'\"a\tb\"'", "'0x09' is invalid within a JSON string. The string should be correctly escaped. LineNumber: 0 | BytePositionInLine: 2."),
        ("'\"\\x\"'", "'x' is not a valid escapable character within a JSON string. The string should be correctly escaped. LineNumber: 0 | BytePositionInLine: 2."),
        ("'\"\\u12G4\"'", "'G' is not a hex digit following '\\u' within a JSON string. The string should be correctly escaped. LineNumber: 0 | BytePositionInLine: 5."),
        ("'\"\\ud800\"'", "Cannot read invalid UTF-16 JSON text as valid UTF-8. LineNumber: 0 | BytePositionInLine: 7."),
        ("'01'", "Invalid leading zero before '1'. LineNumber: 0 | BytePositionInLine: 1."),
        ("'-x'", "'x' is invalid within a number, immediately after a sign character ('-' or '+'). Expected a digit ('0'-'9'). LineNumber: 0 | BytePositionInLine: 1."),
        ("'1.e5'", "'e' is invalid within a number, immediately after a decimal point ('.'). Expected a digit ('0'-'9'). LineNumber: 0 | BytePositionInLine: 2."),
        ("'1e'", "Expected a digit ('0'-'9') after an 'E' or 'e', but instead reached end of data. LineNumber: 0 | BytePositionInLine: 2."),
        ("'12a'", "'a' is an invalid end of a number. Expected a delimiter. LineNumber: 0 | BytePositionInLine: 2."),
        ("'1e999'", "Either the JSON value is not in a supported format, or is out of bounds for a Double. LineNumber: 0 | BytePositionInLine: 5."),
    ] as [(String, String)])
    func fromJSONErrors(argument: String, reason: String) {
        let source = "fromJSON(\(argument))"
        #expect(failure(of: source) == ExpressionError(message: "Error parsing fromJson: \(reason)", offset: 0))
    }

    @Test func fromJSONNestsAtMostAHundredLevels() throws {
        func nested(_ depth: Int) -> ExpressionContext {
            ExpressionContext(["json": .string(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))])
        }
        #expect(try evaluate("toJSON(fromJSON(json)) != ''", in: nested(100)) == true)
        #expect(failure(of: "fromJSON(json)", in: nested(101))?.message == "Error parsing fromJson: The maximum configured depth of 100 has been exceeded. Cannot read next JSON array. LineNumber: 0 | BytePositionInLine: 100.")
    }

    @Test(arguments: [
        ("case(true, 'a', 'b')", "a"),
        ("case(false, 'a', 'b')", "b"),
        ("case(false, 1, 1 == 1, 2, 3)", 2),
        ("case(false, 1, false, 2, 3)", 3),
        ("case(github.ref == 'refs/heads/main', 'prod', 'dev')", "prod"),
        ("case(true, 'a', fromJSON('not json'))", "a"),
    ] as [(String, ExpressionValue)])
    func caseFunction(source: String, value: ExpressionValue) throws {
        #expect(try evaluate(source) == value)
    }

    /// Evaluation errors point at the function that failed.
    @Test(arguments: [
        ("format('{0', 1)", "The following format string is invalid: {0", 0),
        ("format('}', 1)", "The following format string is invalid: }", 0),
        ("format('{}', 1)", "The following format string is invalid: {}", 0),
        ("format('{a}', 1)", "The following format string is invalid: {a}", 0),
        ("format('{0}}', 1)", "The following format string is invalid: {0}}", 0),
        ("format('{256}', 1)", "The following format string is invalid: {256}", 0),
        ("format('{٣}', 1)", "The following format string is invalid: {٣}", 0),
        ("format('{1}', 'a')", "The following format string references more arguments than were supplied: {1}", 0),
        ("format('{1} {', 'a')", "The following format string references more arguments than were supplied: {1} {", 0),
        ("format('{0:x}', 'a')", "The format specifiers 'x' are not valid for objects of type 'String'", 0),
        ("format('{0:D2}', 5)", "The format specifiers 'D2' are not valid for objects of type 'Number'", 0),
        ("'' || format('{')", "The following format string is invalid: {", 6),
        ("case(1, 'a', 'b')", "case predicate must evaluate to a boolean value", 0),
        ("1 == case('true', 'a', 'b')", "case predicate must evaluate to a boolean value", 5),
    ] as [(String, String, Int)])
    func evaluationErrors(source: String, message: String, offset: Int) {
        #expect(failure(of: source) == ExpressionError(message: message, offset: offset))
    }

    /// Each `format` level multiplies its input tenfold; the fifth would pass 1 MiB, so evaluation
    /// stops there, naming that call.
    @Test func memoryIsBounded() throws {
        func tenfold(_ inner: String) -> String { "format('\(String(repeating: "{0}", count: 10))', \(inner))" }
        let fourLevels = (1...4).reduce("'0123456789'") { inner, _ in tenfold(inner) }
        #expect(try evaluate(fourLevels).stringValue.count == 100_000)
        let fifth = tenfold(fourLevels)
        let source = tenfold(fifth)
        #expect(failure(of: source) == ExpressionError(
            message: "The maximum allowed memory size was exceeded while evaluating the following expression: \(fifth)",
            offset: source.count - fifth.count - 1))
    }
}
