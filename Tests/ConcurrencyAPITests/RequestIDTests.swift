import Testing
@testable import Server

/// `X-GitHub-Request-Id`: five colon-separated upper-case hex fields, as GitHub writes them.
@Suite struct RequestIDTests {
    @Test func fieldsArePaddedToTheirWidths() {
        #expect(MockServer.requestID(seed: 0xC0DE, counter: 3, time: 0x6969_1289)
            == "C0DE:000003:\(hex(3 &* 2_654_435_761)):\(hex(3 &* 2_246_822_519)):69691289")
        #expect(MockServer.requestID(seed: 0, counter: 0, time: 0) == "0000:000000:00000000:00000000:00000000")
    }

    @Test func wideValuesKeepEveryDigit() {
        #expect(MockServer.requestID(seed: 0xFFFF_FFFF, counter: 0x1234_5678, time: 0xFFFF_FFFF)
            == "FFFFFFFF:12345678:\(hex(0x1234_5678 &* 2_654_435_761)):\(hex(0x1234_5678 &* 2_246_822_519)):FFFFFFFF")
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// Which requests the control API answers: a first path segment of exactly `_mock`, in origin or
/// absolute form.
@Suite struct ControlPathTests {
    @Test(arguments: [
        ("/_mock", true), ("/_mock/state", true), ("/_mock?x=1", true), ("/_mock#f", true),
        ("http://127.0.0.1:8080/_mock/reset", true), ("http://h/_mock", true),
        ("/_mockery", false), ("/_MOCK/state", false), ("/repos/o/r/_mock", false), ("_mock", false),
        ("http://h/repos", false), ("http://h", false), ("/", false), ("", false),
    ])
    func controlPaths(target: String, isControl: Bool) {
        #expect(MockServer.isControlPath(target) == isControl)
    }
}
