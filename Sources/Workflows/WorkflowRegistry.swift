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

    /// Registers (or replaces) a workflow. Its `uses:` targets are resolved when a run is
    /// triggered, as GitHub resolves them, so files can be registered in any order.
    public mutating func register(_ workflow: WorkflowDefinition, in repository: RepositoryKey) {
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
