import SourceDocuments
import StateDocuments
import Testing

/// Loading runs on a thread of its own (`onThreadOfItsOwn`) and gives back what it would give on
/// the caller's: the value, or the very error.
@Suite struct LoadingThreadTests {
    @Test func aLoadedStateComesBack() throws {
        let state = try onThreadOfItsOwn { () throws(SourceError) in
            try FixtureLoader.load("now: \"2026-01-15T16:15:00Z\"\nrepositories: []\n", file: "t.yml")
        }
        #expect(state.simulator.now.description == "2026-01-15T16:15:00Z")
        #expect(state.simulator.repositories.isEmpty)
    }

    @Test func aRefusedDocumentThrowsItsOwnError() {
        #expect(throws: SourceError.self) {
            try onThreadOfItsOwn { () throws(SourceError) in try FixtureLoader.load("repositories: []\n", file: "t.yml") }
        }
        do {
            _ = try onThreadOfItsOwn { () throws(SourceError) in try FixtureLoader.load("repositories: []\n", file: "t.yml") }
        } catch {
            #expect(error.description == "t.yml:1:1: the fixture is missing 'now'")
        }
    }
}
