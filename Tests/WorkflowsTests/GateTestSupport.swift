import ConcurrencySimulator
import Workflows

extension PlannedJob {
    /// The job-level settings the job gets when it becomes ready with every need succeeded (its
    /// gate decides them then; `concurrency` holds only settings known at trigger time).
    func concurrencyWhenReady(in plan: RunPlan, attempt: Int = 1) -> ConcurrencySettings? {
        guard let gate else { return concurrency }
        let needs = self.needs.map { JobGateInput.Finished(key: plan.jobs[$0].key, result: .success, outputs: [:]) }
        let input = JobGateInput(needs: needs, ancestorFailed: false, ancestorCancelled: false, attempt: attempt)
        guard case .run(let settings) = gate.base.decide(input) else { return nil }
        return settings
    }
}
