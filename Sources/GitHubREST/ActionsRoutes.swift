import ConcurrencySimulator

/// GitHub's workflow-run, job and workflow operations this mock serves beside the
/// concurrency-group ones, under `/repos/{owner}/{repo}/actions/`.
public struct ActionsRoute: Equatable, Sendable {
    public enum Operation: Equatable, Sendable {
        case listRuns(workflow: String?)
        case getRun(RunID)
        case getRunAttempt(RunID, attempt: Int)
        case listJobs(RunID)
        case listAttemptJobs(RunID, attempt: Int)
        case getJob(JobID)
        case listWorkflows
        case getWorkflow(String)
        case dispatch(workflow: String)
        case cancel(RunID, force: Bool)
        case rerun(RunID, failedOnly: Bool)
        case rerunJob(JobID)
    }

    public let owner: String
    public let repo: String
    public let operation: Operation

    /// Matches a path and method; `nil` for anything else (GitHub's 404).
    public init?(method: String, segments: [String]) {
        guard segments.count >= 5, segments[0] == "repos", segments[3] == "actions", !segments[1].isEmpty, !segments[2].isEmpty else {
            return nil
        }
        owner = segments[1]
        repo = segments[2]
        let tail = Array(segments[4...])
        func number(_ text: String) -> Int? {
            guard !text.isEmpty, text.utf8.count <= 16, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let value = Int(text), value >= 1, value <= Simulator.largestIdentifier
            else { return nil }
            return value
        }
        let operation: Operation?
        let write: Bool
        switch (tail.count, tail.first) {
        case (1, "runs"): (operation, write) = (.listRuns(workflow: nil), false)
        case (2, "runs"): (operation, write) = (number(tail[1]).map { .getRun(RunID($0)) }, false)
        case (3, "runs") where tail[2] == "jobs": (operation, write) = (number(tail[1]).map { .listJobs(RunID($0)) }, false)
        case (3, "runs") where ["cancel", "force-cancel"].contains(tail[2]):
            (operation, write) = (number(tail[1]).map { .cancel(RunID($0), force: tail[2] == "force-cancel") }, true)
        case (3, "runs") where ["rerun", "rerun-failed-jobs"].contains(tail[2]):
            (operation, write) = (number(tail[1]).map { .rerun(RunID($0), failedOnly: tail[2] == "rerun-failed-jobs") }, true)
        case (4, "runs") where tail[2] == "attempts", (5, "runs") where tail[2] == "attempts" && tail[4] == "jobs":
            if let run = number(tail[1]), let attempt = number(tail[3]) {
                let id = RunID(run)
                (operation, write) = (tail.count == 4 ? .getRunAttempt(id, attempt: attempt) : .listAttemptJobs(id, attempt: attempt), false)
            } else {
                (operation, write) = (nil, false)
            }
        case (2, "jobs"): (operation, write) = (number(tail[1]).map { .getJob(JobID($0)) }, false)
        case (3, "jobs") where tail[2] == "rerun": (operation, write) = (number(tail[1]).map { .rerunJob(JobID($0)) }, true)
        case (1, "workflows"): (operation, write) = (.listWorkflows, false)
        case (2, "workflows") where !tail[1].isEmpty: (operation, write) = (.getWorkflow(tail[1]), false)
        case (3, "workflows") where !tail[1].isEmpty && tail[2] == "runs": (operation, write) = (.listRuns(workflow: tail[1]), false)
        case (3, "workflows") where !tail[1].isEmpty && tail[2] == "dispatches": (operation, write) = (.dispatch(workflow: tail[1]), true)
        default: (operation, write) = (nil, false)
        }
        guard let operation, method == (write ? "POST" : "GET") else { return nil }
        self.operation = operation
    }

    /// Whether the operation changes the state (and so needs write access).
    public var isWrite: Bool {
        switch operation {
        case .dispatch, .cancel, .rerun, .rerunJob: true
        default: false
        }
    }

    /// Whether the answer depends on the state alone, so it can be reused while the state stands.
    /// The workflows' answers also read the clock.
    var answerDependsOnStateAlone: Bool {
        switch operation {
        case .listRuns, .getRun, .getRunAttempt, .listJobs, .listAttemptJobs, .getJob: true
        default: false
        }
    }

    var documentationURL: String {
        let base = "https://docs.github.com/rest/actions/"
        switch operation {
        case .listRuns(nil): return base + "workflow-runs#list-workflow-runs-for-a-repository"
        case .listRuns: return base + "workflow-runs#list-workflow-runs-for-a-workflow"
        case .getRun: return base + "workflow-runs#get-a-workflow-run"
        case .getRunAttempt: return base + "workflow-runs#get-a-workflow-run-attempt"
        case .listJobs: return base + "workflow-jobs#list-jobs-for-a-workflow-run"
        case .listAttemptJobs: return base + "workflow-jobs#list-jobs-for-a-workflow-run-attempt"
        case .getJob: return base + "workflow-jobs#get-a-job-for-a-workflow-run"
        case .listWorkflows: return base + "workflows#list-repository-workflows"
        case .getWorkflow: return base + "workflows#get-a-workflow"
        case .dispatch: return base + "workflows#create-a-workflow-dispatch-event"
        case .cancel(_, false): return base + "workflow-runs#cancel-a-workflow-run"
        case .cancel(_, true): return base + "workflow-runs#force-cancel-a-workflow-run"
        case .rerun(_, false): return base + "workflow-runs#re-run-a-workflow"
        case .rerun(_, true): return base + "workflow-runs#re-run-failed-jobs-from-a-workflow-run"
        case .rerunJob: return base + "workflow-runs#re-run-a-job-from-a-workflow-run"
        }
    }
}
