import AccessPolicy
import ConcurrencySimulator
import JSONOutput
import Workflows

/// Writes the whole mock state as a fixture document (JSON), the inverse of `FixtureLoader`:
/// loading the export reproduces identical answers on the three endpoints and continues with
/// the same run and job ids.
public enum StateExporter {
    public static func export(_ state: MockState) -> [UInt8] {
        let simulator = state.simulator
        var json = JSONWriter(reservingCapacity: 4096)
        json.beginObject()
        json.field("version", FixtureLoader.formatVersion)
        json.field("now", simulator.now.description)
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
        json.key("repositories")
        json.beginArray()
        let workflows = state.workflows.all
        for repository in simulator.sortedRepositories {
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
            for run in repository.runs.values.sorted(by: { $0.id < $1.id }) {
                write(run, of: repository, to: &json)
            }
            json.endArray()
            json.key("concurrency_groups")
            json.beginArray()
            for key in repository.activeGroupKeys {
                write(repository.groups[key]!, to: &json)
            }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    private static func write(_ run: WorkflowRun, of repository: Repository, to json: inout JSONWriter) {
        json.beginObject()
        RunRecord.writeIdentityAndOutcome(of: run, to: &json)
        json.key("concurrency")
        write(run.concurrency, to: &json)
        json.key("concurrency_groups")
        json.beginArray()
        for key in run.configuredGroups { json.string(repository.displayName(of: key)) }
        json.endArray()
        json.key("jobs")
        writeJobs(under: nil, of: run, in: repository, to: &json)
        json.endObject()
    }

    private static func writeJobs(under parent: JobID?, of run: WorkflowRun, in repository: Repository, to json: inout JSONWriter) {
        json.beginArray()
        for id in run.jobs {
            guard let job = repository.jobs[id], job.parent == parent else { continue }
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
            json.key("concurrency")
            write(job.concurrency, to: &json)
            if job.callsReusableWorkflow {
                json.key("workflow_concurrency")
                write(job.calledWorkflowConcurrency, to: &json)
                json.key("jobs")
                writeJobs(under: job.id, of: run, in: repository, to: &json)
            }
            json.endObject()
        }
        json.endArray()
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
            json.field("waiting_since", item.waitingSince.description)
            json.field("acquired_at", item.acquiredAt?.description)
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }
}
