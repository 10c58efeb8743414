import AccessPolicy
import ConcurrencySimulator
import SourceDocuments
import Workflows

/// Everything the mock knows: the simulator, the registered workflow files and the clock mode.
/// Both the control API and fixtures change it through these operations, so a fixture's event
/// list reaches a state by exactly the rules a live client does.
public struct MockState: Sendable {
    public var simulator: Simulator
    public var workflows: WorkflowRegistry
    /// Whether the clock stands still (moved only by hand) or runs in real time.
    public var clockFrozen: Bool
    /// The credentials the mock knows, by token string.
    public var tokens: [String: AccessToken]
    public var authenticationMode: AuthenticationMode
    public var rateLimits: RateLimitPolicy
    /// Faults injected into GitHub's answers (`/_mock/faults`, a fixture's `faults:`).
    public var faults = FaultRules()

    public init(
        simulator: Simulator, workflows: WorkflowRegistry = WorkflowRegistry(), clockFrozen: Bool = false,
        tokens: [String: AccessToken] = [:], authenticationMode: AuthenticationMode = .permissive,
        rateLimits: RateLimitPolicy = RateLimitPolicy()
    ) {
        self.simulator = simulator
        self.workflows = workflows
        self.clockFrozen = clockFrozen
        self.tokens = tokens
        self.authenticationMode = authenticationMode
        self.rateLimits = rateLimits
    }

    /// Parses and registers `.github/workflows/FILE` of a repository. Answers whether it was new.
    @discardableResult
    public mutating func registerWorkflow(_ source: String, file: String, in repository: RepositoryKey) throws(SourceError) -> Bool {
        guard simulator.repositories[repository] != nil else {
            throw SourceError(file: file, line: 0, column: 0, message: "repository \(repository) does not exist")
        }
        // The name itself is at fault: written escaped, so a control character in it shows as such.
        if let problem = StoredName.problem(file, "the workflow file name") {
            throw SourceError(file: file.debugDescription, line: 0, column: 0, message: problem, field: "file")
        }
        guard Self.isValidFileName(file) else {
            throw SourceError(file: file, line: 0, column: 0, message: "a workflow file name ends in .yml or .yaml and has no '/'", field: "file")
        }
        let definition = try WorkflowDefinition.parse(source, file: file)
        let isNew = workflows.workflow(file, in: repository) == nil
        workflows.register(definition, in: repository)
        return isNew
    }

    static func isValidFileName(_ file: String) -> Bool {
        (file.hasSuffix(".yml") || file.hasSuffix(".yaml")) && !file.contains("/") && file.count > 4
    }

    /// Evaluates the workflow for this trigger and starts the run.
    @discardableResult
    public mutating func trigger(_ event: TriggerEvent, in repository: RepositoryKey) throws(SourceError) -> RunID {
        let plan = try RunPlanner(registry: workflows, simulator: simulator).plan(event, in: repository)
        do {
            return try simulator.trigger(in: repository, plan: plan)
        } catch {
            throw SourceError(file: event.workflow, line: 0, column: 0, message: error.message, field: error.field)
        }
    }
}
