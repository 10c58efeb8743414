import ConcurrencySimulator
import Testing

@Suite struct FoldedNameTests {
    @Test func namesDifferingOnlyInCaseAreOneKey() {
        #expect(GroupKey("Prod") == GroupKey("prod"))
        #expect(GroupKey("PROD").hashValue == GroupKey("prod").hashValue)
        #expect(Set([GroupKey("Deploy"), GroupKey("DEPLOY"), GroupKey("deploy")]).count == 1)
        #expect(GroupKey("ÉTÉ") == GroupKey("été"))
    }

    @Test func orderIsUnicodeScalarOrderOfTheLowercasedName() {
        let names = ["b", "Zeta", "a", "_under", "A-1", "éclair", "10", "2", "Beta"]
        let sorted = names.map(GroupKey.init).sorted().map(\.folded)
        #expect(sorted == ["10", "2", "_under", "a", "a-1", "b", "beta", "zeta", "éclair"])
    }

    @Test func canonicallyEquivalentSpellingsStayDistinctBecauseKeysCompareBytes() {
        let composed = GroupKey("caf\u{E9}")
        let decomposed = GroupKey("cafe\u{301}")
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
    }

    @Test func repositoryKeysIgnoreCase() {
        #expect(RepositoryKey(owner: "Octocat", name: "Hello-World") == RepositoryKey(owner: "octocat", name: "hello-world"))
    }
}

@Suite struct TimestampTests {
    @Test func formatsAsRFC3339InUTC() {
        #expect(Timestamp(secondsSinceEpoch: 0).description == "1970-01-01T00:00:00Z")
        #expect(Timestamp(secondsSinceEpoch: 1_768_493_663).description == "2026-01-15T16:14:23Z")
        #expect(Timestamp(secondsSinceEpoch: 951_782_400).description == "2000-02-29T00:00:00Z")
        #expect(Timestamp(year: 999, month: 1, day: 2, hour: 3, minute: 4, second: 5)?.description == "0999-01-02T03:04:05Z")
        #expect(Timestamp.latestWritable.description == "9999-12-31T23:59:59Z")
    }

    @Test func parsesZuluOffsetsAndFractions() {
        #expect(Timestamp(rfc3339: "2026-01-15T16:14:23Z")?.secondsSinceEpoch == 1_768_493_663)
        #expect(Timestamp(rfc3339: "2026-01-15T17:14:23+01:00")?.secondsSinceEpoch == 1_768_493_663)
        #expect(Timestamp(rfc3339: "2026-01-15T11:44:23-04:30")?.secondsSinceEpoch == 1_768_493_663)
        #expect(Timestamp(rfc3339: "2026-01-15T16:14:23.987Z")?.secondsSinceEpoch == 1_768_493_663)
        #expect(Timestamp(rfc3339: "2024-02-29T00:00:00Z") != nil)
    }

    @Test(arguments: ["", "2026-01-15", "2026-01-15T16:14:23", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
                      "2026-13-01T00:00:00Z", "2026-01-15T24:00:00Z", "2026-01-15T16:14:23Zjunk",
                      "2026-01-15T16:14:23+0100", "2026-01-15T16:14:23.Z", "yesterday"])
    func refusesWhatIsNotAnRFC3339DateTime(_ text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func roundTripsThroughText() {
        for seconds: Int64 in [0, 59, 86_399, 86_400, 1_000_000_000, 1_768_493_663, 4_102_444_800] {
            let timestamp = Timestamp(secondsSinceEpoch: seconds)
            #expect(Timestamp(rfc3339: timestamp.description) == timestamp)
        }
    }
}

/// The workflow file shown for a fixture's run that names none.
@Suite struct WorkflowFileNameTests {
    @Test(arguments: [
        ("Deploy to production", "deploy-to-production.yml"), ("CI", "ci.yml"), ("  --Build  & Test!! ", "build-test.yml"),
        ("Déploiement 2", "d-ploiement-2.yml"), ("!!!", "workflow.yml"), ("", "workflow.yml"), ("a\u{212A}b", "akb.yml"),
    ])
    func fileNames(name: String, file: String) {
        #expect(WorkflowRun.fileName(forRunNamed: name) == file)
    }

    @Test func aHugeNameIsNamedInOnePass() {
        let name = String(repeating: "ab -", count: 250_000)
        #expect(WorkflowRun.fileName(forRunNamed: name).utf8.count == 750_000 - 1 + 4)
    }
}

/// GitHub's ids as the documents write them: decimal digits only, from 1 to 2^53 - 1.
@Suite struct IdentifierParsingTests {
    @Test(arguments: [("1", 1), ("007", 7), ("30433642", 30_433_642), ("9007199254740991", 9_007_199_254_740_991)])
    func wholeNumbersFromOneToTheLargestAreIdentifiers(text: String, value: Int) throws {
        #expect(try Simulator.identifier(parsing: text) == value)
    }

    @Test(arguments: [
        ("", Simulator.IdentifierProblem.notAPositiveWholeNumber), ("0", .notAPositiveWholeNumber), ("000", .notAPositiveWholeNumber),
        ("-1", .notAPositiveWholeNumber), ("+1", .notAPositiveWholeNumber), ("1.0", .notAPositiveWholeNumber), (" 1", .notAPositiveWholeNumber),
        ("1e3", .notAPositiveWholeNumber), ("١٢", .notAPositiveWholeNumber),
        ("9007199254740992", .tooLarge), ("99999999999999999999999999", .tooLarge),
        // Past the largest, the rest must still be digits to be merely too large.
        ("99999999999999999999999999x", .notAPositiveWholeNumber),
    ])
    func otherTextsAreRefusedWithTheirReason(text: String, problem: Simulator.IdentifierProblem) {
        #expect(throws: problem) { try Simulator.identifier(parsing: text) }
    }
}
