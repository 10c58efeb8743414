import AccessPolicy
import ConcurrencySimulator
import JSONOutput
import SourceDocuments
import Workflows

/// Writes the whole mock state as a fixture document (JSON), the inverse of `FixtureLoader`:
/// loading the export reproduces identical answers on the three endpoints and continues with
/// the same run and job ids.
public enum StateExporter {
    public static func export(_ state: MockState) -> [UInt8] {
        let simulator = state.simulator
        let repositories = simulator.sortedRepositories
        let workflows = state.workflows.all
        var json = JSONWriter(reservingCapacity: estimatedSize(of: repositories, workflows: workflows))
        json.beginObject()
        json.field("version", FixtureLoader.formatVersion)
        json.field("now", simulator.now)
        json.field("frozen", state.clockFrozen)
        // Once ids are used up the next one is past what a fixture accepts; the largest loads back
        // to the same next id, since ids never go below those in use.
        json.field("run_id_start", min(simulator.nextRunID.rawValue, Simulator.largestIdentifier))
        json.field("job_id_start", min(simulator.nextJobID.rawValue, Simulator.largestIdentifier))
        json.field("auth", state.authenticationMode.rawValue)
        json.key("tokens")
        json.beginArray()
        for (text, token) in state.tokens.sorted(by: { $0.key < $1.key }) {
            token.write(named: text, to: &json)
        }
        json.endArray()
        json.key("rate_limits")
        state.rateLimits.write(to: &json)
        json.key("faults")
        state.faults.write(to: &json)
        json.key("repositories")
        json.beginArray()
        for repository in repositories {
            json.beginObject()
            json.field("owner", repository.owner)
            json.field("name", repository.name)
            json.field("visibility", repository.visibility.rawValue)
            json.key("group_names")
            json.beginArray()
            for name in repository.groupNamesInOrder { json.string(name) }
            json.endArray()
            json.key("workflows")
            json.beginArray()
            for entry in workflows where entry.repository == repository.key {
                json.beginObject()
                json.field("file", entry.workflow.file)
                json.field("source", entry.workflow.source)
                json.endObject()
            }
            json.endArray()
            let runCounts = repository.runCountsBeyondRunsPresent
            if !runCounts.isEmpty {
                json.key("run_counts")
                json.beginArray()
                for entry in runCounts {
                    json.beginObject()
                    json.field("workflow", entry.workflow)
                    json.field("count", entry.count)
                    json.endObject()
                }
                json.endArray()
            }
            json.key("runs")
            json.beginArray()
            writeRunsAndGroups(of: repository, to: &json)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    /// A little above the export's size, so that its ~100 MB are written without growing the
    /// array (each doubling copies it and zeroes the new room). Bytes a record, from the export
    /// of the bench fixture (Benchmarks/make-fixture.py): a run without its jobs 616, a job 284,
    /// a queue item 112; a larger state grows once.
    private static func estimatedSize(
        of repositories: [Repository], workflows: [(repository: RepositoryKey, workflow: WorkflowDefinition)]
    ) -> Int {
        var size = 4096 + workflows.reduce(0) { $0 + $1.workflow.source.utf8.count + 256 }
        for repository in repositories {
            size += estimatedSize(ofRunsIn: repository) + estimatedSize(ofGroupsIn: repository)
        }
        return size
    }

    private static func estimatedSize(ofGroupsIn repository: Repository) -> Int {
        repository.activeGroups.reduce(0) { $0 + 128 * $1.queue.count + 2 * $1.name.utf8.count + 64 }
    }

    /// Runs of a repository past which the later of them, and its groups, are written on a
    /// thread of its own: most of a large export's time is its runs.
    private static let runsWrittenOnOneThreadAtMost = 4_096

    /// The runs of `repository` by id, as elements of the array being written, which this
    /// closes; then its `concurrency_groups`. On two threads for many runs: the calling thread
    /// writes the earlier runs, another the later ones and the groups, about as many bytes each.
    private static func writeRunsAndGroups(of repository: Repository, to json: inout JSONWriter) {
        // Sorting the places rather than the runs copies no run.
        let runs = repository.runs.values
        let places = runs.indices.sorted(by: { runs[$0].id < runs[$1].id })
        func write(_ places: ArraySlice<Int>, to json: inout JSONWriter) {
            for place in places { Self.write(runs[place], of: repository, to: &json) }
        }
        func writeGroups(to json: inout JSONWriter) {
            json.endArray()
            json.key("concurrency_groups")
            json.beginArray()
            for key in repository.activeGroupKeys { Self.write(repository.group(key)!, to: &json) }
            json.endArray()
        }
        guard places.count > runsWrittenOnOneThreadAtMost else {
            write(places[...], to: &json)
            return writeGroups(to: &json)
        }
        let (runBytes, groupBytes) = (estimatedSize(ofRunsIn: repository), estimatedSize(ofGroupsIn: repository))
        // Each thread writes at least a quarter of the runs, so both have runs to write.
        let share = min(max(Double(runBytes + groupBytes) / 2 / Double(runBytes), 0.25), 0.75)
        let middle = Int(Double(places.count) * share)
        let (_, rest) = atOnce({ write(places[..<middle], to: &json) }, {
            var rest = JSONWriter(reservingCapacity: runBytes + groupBytes - runBytes * middle / places.count)
            write(places[middle...], to: &rest)
            writeGroups(to: &rest)
            return rest
        })
        json.appendElements(writtenBy: rest)
    }

    private static func estimatedSize(ofRunsIn repository: Repository) -> Int {
        640 * repository.runs.count + 300 * repository.jobs.count
    }

    private static func write(_ run: WorkflowRun, of repository: Repository, to json: inout JSONWriter) {
        json.beginObject()
        RunRecord.writeIdentityAndOutcome(of: run, to: &json)
        writeMetadata(of: run, in: repository, to: &json)
        json.key("concurrency")
        write(run.concurrency, to: &json)
        if let gate = run.gate?.base as? WorkflowJobGate {
            json.key("gate")
            write(gate.parts, to: &json)
        }
        json.key("concurrency_groups")
        json.beginArray()
        for name in repository.configuredGroupNames(of: run) { json.string(name) }
        json.endArray()
        json.key("jobs")
        writeJobs(records(of: run.jobs, in: repository), under: nil, to: &json)
        json.endObject()
    }

    /// The jobs of `ids` that are present. Looked up once for the whole tree (not once per level
    /// of it): each lookup is a cache miss, the table being far larger than the cache.
    private static func records(of ids: some Collection<JobID>, in repository: Repository) -> [Job] {
        ids.compactMap { repository.jobs[$0] }
    }

    /// The job tree of `jobs` (in declaration order) below `parent`.
    private static func writeJobs(_ jobs: [Job], under parent: JobID?, to json: inout JSONWriter) {
        json.beginArray()
        for job in jobs where job.parent == parent {
            json.beginObject()
            json.field("id", job.id.rawValue)
            json.field("name", job.name)
            json.field("key", job.key)
            json.key("needs")
            json.beginArray()
            for need in job.needs { json.int(need.rawValue) }
            json.endArray()
            json.field("status", job.status.rawValue)
            json.field("conclusion", job.conclusion?.rawValue)
            json.field("cancellation_reason", job.cancellationReason)
            json.key("cancelled_by")
            CancellationCause.write(job.cancelledBy, to: &json)
            writeMetadata(of: job, to: &json)
            json.key("concurrency")
            write(job.concurrency, to: &json)
            if !job.outputs.isEmpty {
                json.key("outputs")
                write(job.outputs, to: &json)
            }
            if let gate = job.gate?.base as? WorkflowJobGate {
                json.key("gate")
                write(gate.parts, to: &json)
            }
            if job.callsReusableWorkflow {
                json.key("workflow_concurrency")
                write(job.calledWorkflowConcurrency, to: &json)
                json.key("jobs")
                writeJobs(jobs, under: job.id, to: &json)
            }
            json.endObject()
        }
        json.endArray()
    }

    /// What the trigger gave, the counters and the times of a run, and its earlier attempts
    /// (all optional on import).
    private static func writeMetadata(of run: WorkflowRun, in repository: Repository, to json: inout JSONWriter) {
        // `origin` is computed: each use would copy all seven strings.
        let origin = run.origin
        json.field("event", origin.event)
        json.field("ref", origin.ref)
        json.field("sha", origin.sha)
        json.field("actor", origin.actor)
        json.field("triggering_actor", origin.triggeringActor)
        json.field("head_ref", origin.headRef)
        json.field("base_ref", origin.baseRef)
        json.field("run_number", run.runNumber)
        json.field("run_attempt", run.attempt)
        json.field("created_at", run.times.createdAt)
        json.field("updated_at", run.times.updatedAt)
        json.field("run_started_at", run.times.startedAt)
        json.field("completed_at", run.times.completedAt)
        json.key("previous_attempts")
        json.beginArray()
        // Each record is written once, in the last attempt that lists it: the current attempt's
        // under the run's `jobs`, an earlier one's under the last earlier attempt listing it.
        var listedLater: [Set<JobID>] = []
        if !run.previousAttempts.isEmpty {
            var later = Set(run.jobs)
            for attempt in run.previousAttempts.reversed() {
                listedLater.append(later)
                later.formUnion(attempt.jobs)
            }
            listedLater.reverse()
        }
        for (index, attempt) in run.previousAttempts.enumerated() {
            json.beginObject()
            json.field("run_attempt", attempt.number)
            json.field("conclusion", attempt.conclusion.rawValue)
            json.field("triggering_actor", attempt.triggeringActor)
            json.field("run_started_at", attempt.startedAt)
            json.field("updated_at", attempt.updatedAt)
            json.key("job_ids")
            json.beginArray()
            for id in attempt.jobs { json.int(id.rawValue) }
            json.endArray()
            json.key("jobs")
            let listedHere = attempt.jobs.filter { !listedLater[index].contains($0) }
            writeJobs(records(of: listedHere, in: repository), under: nil, to: &json)
            json.endObject()
        }
        json.endArray()
    }

    /// A job's attempt and times (all optional on import).
    private static func writeMetadata(of job: Job, to json: inout JSONWriter) {
        json.field("run_attempt", job.attempt)
        json.field("created_at", job.times.createdAt)
        json.field("started_at", job.times.startedAt)
        json.field("completed_at", job.times.completedAt)
    }

    private static func write(_ pairs: [String: String], to json: inout JSONWriter) {
        json.beginObject()
        for (name, value) in pairs.sorted(by: { $0.key < $1.key }) { json.field(escaping: name, value) }
        json.endObject()
    }

    /// A job's gate as text: what `WorkflowJobGate(parts:)` rebuilds it from on import.
    private static func write(_ parts: WorkflowJobGate.Parts, to json: inout JSONWriter) {
        func write(_ named: [WorkflowJobGate.Named]) {
            json.beginArray()
            for job in named {
                json.beginObject()
                json.field("name", job.name)
                json.key("jobs")
                json.beginArray()
                for key in job.keys { json.string(key) }
                json.endArray()
                json.endObject()
            }
            json.endArray()
        }
        json.beginObject()
        json.field("file", parts.file)
        json.field("if", parts.condition)
        json.key("concurrency")
        if let group = parts.group {
            json.beginObject()
            json.field("group", group)
            json.field("cancel_in_progress", parts.cancelInProgress)
            json.field("queue", parts.queue.rawValue)
            json.endObject()
        } else {
            json.null()
        }
        json.key("needs")
        write(parts.needs)
        json.key("call_outputs")
        Self.write(parts.callOutputs, to: &json)
        json.key("called_jobs")
        write(parts.calledJobs)
        json.field("context", parts.context)
        json.endObject()
    }

    private static func write(_ settings: ConcurrencySettings?, to json: inout JSONWriter) {
        guard let settings else { return json.null() }
        json.beginObject()
        json.field("group", settings.group)
        json.field("cancel_in_progress", settings.cancelInProgress)
        json.field("queue", settings.queue.rawValue)
        json.endObject()
    }

    private static func write(_ group: ConcurrencyGroup, to json: inout JSONWriter) {
        json.beginObject()
        json.field("name", group.name)
        json.key("queue")
        json.beginArray()
        for item in group.queue {
            json.beginObject()
            json.field("run", item.run.rawValue)
            if let job = item.job { json.field("job", job.rawValue) }
            json.field("kind", item.kind.rawValue)
            json.field("waiting_since", item.waitingSince)
            json.field("acquired_at", item.acquiredAt)
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }
}

private extension JSONWriter {
    /// A time as RFC 3339 text (`null` for none), written without making a string of it.
    mutating func field(_ name: StaticString, _ time: Timestamp?) {
        guard let time else { return field(name, nil as String?) }
        time.withUTF8Description { field(name, utf8: $0) }
    }
}
