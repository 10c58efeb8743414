import ConcurrencySimulator
import StateDocuments
import Testing

/// The run and job fields GitHub's resources show, in fixtures: given, exported, derived.
@Suite struct RunMetadataFixtureTests {
    /// A fixture of repository o/r at 2026-03-01T10:00:00Z with these runs, given as the items of
    /// `runs:` at the left margin: they start on line 6, at column 7.
    static func oneRepository(runs: String) -> String {
        """
        now: "2026-03-01T10:00:00Z"
        repositories:
          - owner: o
            name: r
            runs:

        """ + runs.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n")
    }

    static let fixture = oneRepository(runs: """
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
        """)

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

    /// Run numbers count on from the highest one a workflow's runs have, whatever order the runs
    /// come in: an export lists its runs by id, so a later run with a smaller id comes first there.
    @Test func runCountsDoNotDependOnTheOrderOfTheRuns() throws {
        let text = Self.oneRepository(runs: """
            - { id: 900, name: CI }
            - { id: 100, name: CI }
            - { id: 500, name: CI, run_number: 7 }
            - { id: 300, name: CI, run_number: 2 }
            """)
        let state = try FixtureLoader.load(text, file: "f.yml")
        let key = RepositoryKey(owner: "o", name: "r")
        #expect(state.simulator.repositories[key]!.runs.values.sorted { $0.id < $1.id }.map(\.runNumber) == [2, 2, 7, 1])
        #expect(state.simulator.runCount(of: "ci.yml", in: key) == 7)
        let exported = StateExporter.export(state)
        let reloaded = try FixtureLoader.load(String(decoding: exported, as: UTF8.self), file: "export.json")
        #expect(reloaded.simulator.runCount(of: "ci.yml", in: key) == 7)
        #expect(StateExporter.export(reloaded) == exported)
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

    /// Run 8 at attempt 2: attempt 1 ran lint (80) and build (81, failed); attempt 2 carried lint
    /// over and ran build again as 82.
    static let attempts = oneRepository(runs: """
        - id: 8
          name: CI
          status: completed
          conclusion: success
          run_attempt: 2
          previous_attempts:
            - run_attempt: 1
              conclusion: failure
              run_started_at: "2026-03-01T09:00:00Z"
              updated_at: "2026-03-01T09:05:00Z"
              job_ids: [80, 81]
              jobs:
                - { id: 81, name: build, status: completed, conclusion: failure }
          jobs:
            - { id: 80, name: lint, status: completed, conclusion: success }
            - { id: 82, name: build, status: completed, conclusion: success, run_attempt: 2 }
        """)

    @Test func anEarlierAttemptsJobsLoadAndExportByteIdentically() throws {
        let state = try FixtureLoader.load(Self.attempts, file: "f.yml")
        let repository = try #require(state.simulator.repository(owner: "o", name: "r"))
        let run = try #require(repository.runs[RunID(8)])
        #expect(run.jobs == [JobID(80), JobID(82)])
        #expect(run.previousAttempts.map(\.jobs) == [[JobID(80), JobID(81)]])
        #expect(run.jobsOfEveryAttempt == [JobID(80), JobID(81), JobID(82)])
        #expect(repository.jobs[JobID(81)]?.conclusion == .failure)
        #expect(repository.jobs[JobID(81)]?.attempt == 1)
        #expect(state.simulator.repositoryKey(ofJob: JobID(81)) == repository.key)
        #expect(state.simulator.nextJobID == JobID(83))
        let exported = StateExporter.export(state)
        let text = String(decoding: exported, as: UTF8.self)
        #expect(text.contains(#""job_ids":[80,81],"jobs":[{"id":81,"name":"build""#), "\(text)")
        let again = StateExporter.export(try FixtureLoader.load(text, file: "export.json"))
        #expect(again == exported)
    }

    @Test(arguments: [
        ("- { id: 81, name: build, status: completed, conclusion: failure }", "- { id: 81, name: build }",
         "f.yml:18:17: job 81 belongs only to an earlier attempt of run 8, so it must be completed"),
        ("job_ids: [80, 81]", "job_ids: [80, 81, 99]", "f.yml:6:9: attempt 1 of run 8 lists job 99, which is not a job of the run"),
        ("job_ids: [80, 81]", "job_ids: [80]", "f.yml:18:17: job 81 is of attempt 1, whose job list does not name it"),
        ("run_attempt: 2 }", "run_attempt: 3 }", "f.yml:21:13: attempt 2 of run 8 lists job 82 of its later attempt 3"),
        ("job_ids: [80, 81]", "job_ids: [82, 81]", "f.yml:21:13: attempt 1 of run 8 lists job 82 of its later attempt 2"),
    ])
    func inconsistentAttemptsAreRefused(original: String, replacement: String, error expected: String) throws {
        let text = Self.attempts.replacingOccurrences(of: original, with: replacement)
        #expect(text != Self.attempts)
        do {
            _ = try FixtureLoader.load(text, file: "f.yml")
            Issue.record("loaded")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func aJobOfALaterAttemptThanItsRunIsRefused() throws {
        let text = Self.oneRepository(runs: """
            - id: 9
              name: CI
              jobs:
                - { id: 90, name: build, run_attempt: 2 }
            """)
        do {
            _ = try FixtureLoader.load(text, file: "f.yml")
            Issue.record("loaded")
        } catch {
            #expect(error.description == "f.yml:9:13: job 90 is of attempt 2, but run 9 is at attempt 1")
        }
        // Past what a record holds: refused alike, before any record is made.
        let past = text.replacingOccurrences(of: "run_attempt: 2", with: "run_attempt: 4294967296")
        do {
            _ = try FixtureLoader.load(past, file: "f.yml")
            Issue.record("loaded")
        } catch {
            #expect(error.description == "f.yml:9:13: job 90 is of attempt 4294967296, which its run does not have")
        }
    }
}
