import ConcurrencySimulator
import SourceDocuments

/// The workflow files registered per repository, as `.github/workflows/FILE`.
public struct WorkflowRegistry: Sendable {
    private var files: [RepositoryKey: [String: WorkflowDefinition]] = [:]

    public init() {}

    public func workflow(_ file: String, in repository: RepositoryKey) -> WorkflowDefinition? {
        files[repository]?[file]
    }

    /// The repository's workflows, by file name.
    public func workflows(in repository: RepositoryKey) -> [WorkflowDefinition] {
        (files[repository] ?? [:]).values.sorted { $0.file < $1.file }
    }

    /// Every registered workflow, by repository then file name, for export.
    public var all: [(repository: RepositoryKey, workflow: WorkflowDefinition)] {
        files.flatMap { repository, workflows in workflows.values.map { (repository, $0) } }
            .sorted { ($0.repository.description, $0.workflow.file) < ($1.repository.description, $1.workflow.file) }
    }

    /// Registers (or replaces) a workflow after checking that each `uses:` names a callable
    /// workflow that is already registered, in this repository or in a mocked one.
    public mutating func register(
        _ workflow: WorkflowDefinition, in repository: RepositoryKey, simulator: Simulator
    ) throws(SourceError) {
        for job in workflow.jobs {
            guard let uses = job.uses else { continue }
            let target = resolve(uses.value, from: repository, simulator: simulator)
            let callsItself = target.map { $0.repository == repository && $0.file == workflow.file } ?? false
            guard let called = callsItself ? workflow : target.flatMap({ self.workflow($0.file, in: $0.repository) }) else {
                throw SourceError(
                    file: workflow.file, line: uses.line, column: uses.column,
                    message: "job '\(job.key)' uses \(uses.value), which is not a workflow of a mocked repository (register it first)")
            }
            guard called.isCallable else {
                throw SourceError(
                    file: workflow.file, line: uses.line, column: uses.column,
                    message: "job '\(job.key)' uses \(uses.value), which has no 'on: workflow_call' trigger")
            }
        }
        files[repository, default: [:]][workflow.file] = workflow
    }

    /// The repository and file a `uses:` target names, when that repository is mocked.
    func resolve(_ target: ReusableWorkflowTarget, from repository: RepositoryKey, simulator: Simulator) -> (repository: RepositoryKey, file: String)? {
        switch target {
        case .local(let file):
            return (repository, file)
        case .remote(let owner, let name, let file, _):
            let key = RepositoryKey(owner: owner, name: name)
            return simulator.repositories[key] == nil ? nil : (key, file)
        }
    }
}
