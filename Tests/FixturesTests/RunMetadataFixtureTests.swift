import ConcurrencySimulator
import StateDocuments
import Testing

/// The run and job fields GitHub's resources show, in fixtures: given, exported, derived.
@Suite struct RunMetadataFixtureTests {
    static let fixture = """
        now: "2026-03-01T10:00:00Z"
        repositories:
          - owner: o
            name: r
            runs:
              - id: 7
                name: Deploy
                workflow: deploy.yml
                status: in_progress
                event: workflow_dispatch
                ref: refs/heads/release
                sha: "abc123"
                actor: monalisa
                triggering_actor: hubot
                run_number: 12
                run_attempt: 2
                previous_attempts:
                  - { run_attempt: 1, conclusion: failure, run_started_at: "2026-03-01T09:00:00Z", updated_at: "2026-03-01T09:05:00Z" }
                created_at: "2026-03-01T09:00:00Z"
                updated_at: "2026-03-01T09:30:00Z"
                run_started_at: "2026-03-01T09:30:00Z"
                jobs:
                  - { id: 70, name: build, status: in_progress, run_attempt: 2, created_at: "2026-03-01T09:30:00Z", started_at: "2026-03-01T09:30:00Z" }
        """

    @Test func givenFieldsLoadAndExportByteIdentically() throws {
        let state = try FixtureLoader.load(Self.fixture, file: "f.yml")
        let run = try #require(state.simulator.repository(owner: "o", name: "r")?.runs[RunID(7)])
        #expect(run.origin == RunOrigin(event: "workflow_dispatch", ref: "refs/heads/release", sha: "abc123", actor: "monalisa", triggeringActor: "hubot"))
        #expect(run.runNumber == 12)
        #expect(run.attempt == 2)
        #expect(run.previousAttempts == [RunAttempt(
            number: 1, conclusion: .failure, triggeringActor: "monalisa",
            startedAt: Timestamp(rfc3339: "2026-03-01T09:00:00Z")!, updatedAt: Timestamp(rfc3339: "2026-03-01T09:05:00Z")!)])
        #expect(run.times.updatedAt.description == "2026-03-01T09:30:00Z")
        let exported = StateExporter.export(state)
        let again = StateExporter.export(try FixtureLoader.load(String(decoding: exported, as: UTF8.self), file: "export.json"))
        #expect(again == exported)
        // The next run of deploy.yml counts on from the run number given.
        #expect(state.simulator.runCount(of: "deploy.yml", in: RepositoryKey(owner: "o", name: "r")) == 12)
    }

    @Test func runsWithoutThemGetTimesFromTheirQueues() throws {
        let simulator = try FixtureLoader.load(EmbeddedFixtures.docsExample, file: "docs-example.yml").simulator
        let repository = try #require(simulator.repository(owner: "octocat", name: "Hello-World"))
        let run = try #require(repository.runs[RunID(30433643)])
        #expect(run.origin == RunOrigin())
        #expect(run.attempt == 1)
        #expect(run.times.createdAt.description == "2026-01-15T16:14:40Z")
        #expect(run.workflowFile == "deploy-to-production.yml")
        #expect(repository.runs[RunID(30433642)]?.runNumber == 1)
        #expect(run.runNumber == 2)
    }

    @Test func anAttemptWithoutItsEarlierAttemptsIsRefused() throws {
        let text = Self.fixture.replacingOccurrences(of: "run_attempt: 2\n", with: "run_attempt: 3\n")
        do {
            _ = try FixtureLoader.load(text, file: "f.yml")
            Issue.record("loaded")
        } catch {
            #expect(error.description == "f.yml:16:22: run_attempt 3 needs 2 previous_attempts, not 1")
        }
    }
}
