import ConcurrencySimulator
import JSONOutput

/// What a fixture's run and the control API's run document share.
public enum RunRecord {
    /// The fields that open both a fixture's run and the control API's run document.
    public static func writeIdentityAndOutcome(of run: WorkflowRun, to json: inout JSONWriter) {
        json.field("id", run.id.rawValue)
        json.field("name", run.name)
        json.field("workflow", run.workflow)
        json.field("status", run.status.rawValue)
        json.field("conclusion", run.conclusion?.rawValue)
        json.field("cancellation_reason", run.cancellationReason)
        json.key("cancelled_by")
        CancellationCause.write(run.cancelledBy, to: &json)
    }
}
