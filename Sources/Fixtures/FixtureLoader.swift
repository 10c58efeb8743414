import ConcurrencySimulator
import Workflows
import Yams

/// Loads a fixture document (YAML or JSON) into a new simulator.
///
/// All or nothing: the simulator is built in a local value and returned only when every part of
/// the document is valid, so a bad fixture never yields a half-loaded server. The format is
/// described in README.md ("Fixture format").
/// Errors name the fixture's file, line and column.
public typealias FixtureError = SourceError

public enum FixtureLoader {
    /// The version this loader reads; documents may state it as `version: 1`.
    public static let formatVersion = 1

    public static func load(_ text: String, file: String) throws(SourceError) -> Simulator {
        let reader = YAMLReader(file: file)
        let root = try reader.compose(text)
        let document = try reader.mapping(root, "the fixture", allowed: ["version", "now", "repositories"], required: ["now"])
        if let versionNode = document["version"] {
            let version = try reader.identifier(versionNode, "version")
            guard version == formatVersion else {
                throw reader.error(at: versionNode, "fixture format version \(version) is not supported; this build reads version \(formatVersion)")
            }
        }
        var simulator = Simulator(now: try reader.timestamp(document["now"]!, "now"))
        for repositoryNode in try document["repositories"].map({ node throws(SourceError) in try reader.sequence(node, "repositories") }) ?? [] {
            try loadRepository(repositoryNode, into: &simulator, reader: reader)
        }
        return simulator
    }

    private static func loadRepository(_ node: Node, into simulator: inout Simulator, reader: YAMLReader) throws(SourceError) {
        let fields = try reader.mapping(
            node, "a repository", allowed: ["owner", "name", "visibility", "runs", "concurrency_groups"],
            required: ["owner", "name"])
        let owner = try reader.nonEmptyString(fields["owner"]!, "owner")
        let name = try reader.nonEmptyString(fields["name"]!, "name")
        let visibility = try fields["visibility"].map { node throws(SourceError) in try reader.oneOf(node, "visibility", Visibility.self) } ?? .public
        do {
            try simulator.addRepository(owner: owner, name: name, visibility: visibility)
        } catch {
            throw reader.error(at: node, error.message)
        }
        let key = RepositoryKey(owner: owner, name: name)
        for runNode in try fields["runs"].map({ node throws(SourceError) in try reader.sequence(node, "runs") }) ?? [] {
            try loadRun(runNode, in: key, into: &simulator, reader: reader)
        }
        let groupNodes = try fields["concurrency_groups"].map { node throws(SourceError) in try reader.sequence(node, "concurrency_groups") } ?? []
        for groupNode in groupNodes {
            try loadGroup(groupNode, in: key, into: &simulator, reader: reader)
        }
    }

    private static func loadRun(_ node: Node, in repository: RepositoryKey, into simulator: inout Simulator, reader: YAMLReader) throws(SourceError) {
        let fields = try reader.mapping(node, "a run", allowed: ["id", "name", "jobs", "concurrency_groups"], required: ["id", "name"])
        let id = try reader.identifier(fields["id"]!, "a run's id")
        let name = try reader.string(fields["name"]!, "a run's name")
        var jobs: [Simulator.JobSpec] = []
        var jobNodes: [Node] = []
        if let jobsNode = fields["jobs"] {
            try collectJobs(jobsNode, parent: nil, into: &jobs, nodes: &jobNodes, reader: reader)
        }
        let groupNodes = try fields["concurrency_groups"].map { node throws(SourceError) in try reader.sequence(node, "a run's concurrency_groups") } ?? []
        var groups: [String] = []
        for groupNode in groupNodes { groups.append(try reader.nonEmptyString(groupNode, "a concurrency group name")) }
        do {
            try simulator.addRun(in: repository, id: RunID(id), name: name, jobs: jobs, configuredGroups: groups)
        } catch {
            switch error.subject {
            case .job(let index)?: throw reader.error(at: jobNodes[index], error.message)
            case .configuredGroup(let index)?: throw reader.error(at: groupNodes[index], error.message)
            default: throw reader.error(at: node, error.message)
            }
        }
    }

    /// Flattens the job tree depth-first, parents before children, keeping each job's node.
    private static func collectJobs(
        _ node: Node, parent: JobID?, into jobs: inout [Simulator.JobSpec], nodes: inout [Node], reader: YAMLReader
    ) throws(SourceError) {
        for jobNode in try reader.sequence(node, "jobs") {
            let fields = try reader.mapping(jobNode, "a job", allowed: ["id", "name", "uses", "jobs"], required: ["id", "name"])
            let id = JobID(try reader.identifier(fields["id"]!, "a job's id"))
            let name = try reader.string(fields["name"]!, "a job's name")
            if let uses = fields["uses"] { _ = try reader.nonEmptyString(uses, "uses") }
            let callsReusableWorkflow = fields["uses"] != nil || fields["jobs"] != nil
            jobs.append(Simulator.JobSpec(id: id, name: name, parent: parent, callsReusableWorkflow: callsReusableWorkflow))
            nodes.append(jobNode)
            if let children = fields["jobs"] {
                try collectJobs(children, parent: id, into: &jobs, nodes: &nodes, reader: reader)
            }
        }
    }

    private static func loadGroup(_ node: Node, in repository: RepositoryKey, into simulator: inout Simulator, reader: YAMLReader) throws(SourceError) {
        let fields = try reader.mapping(node, "a concurrency group", allowed: ["name", "queue"], required: ["name", "queue"])
        let name = try reader.nonEmptyString(fields["name"]!, "a concurrency group's name")
        let itemNodes = try reader.sequence(fields["queue"]!, "a queue")
        var items: [QueueItem] = []
        for itemNode in itemNodes {
            let item = try reader.mapping(
                itemNode, "a queue item", allowed: ["run", "job", "kind", "waiting_since", "acquired_at"],
                required: ["run", "waiting_since"])
            let job = try item["job"].map { node throws(SourceError) in JobID(try reader.identifier(node, "a queue item's job")) }
            let kind = try item["kind"].map { node throws(SourceError) in try reader.oneOf(node, "kind", LeaseKind.self) }
                ?? (job == nil ? .workflow : .job)
            let acquiredAt = try item["acquired_at"].flatMap { node throws(SourceError) in
                reader.isNull(node) ? nil : try reader.timestamp(node, "acquired_at")
            }
            items.append(QueueItem(
                run: RunID(try reader.identifier(item["run"]!, "a queue item's run")),
                job: job, kind: kind,
                waitingSince: try reader.timestamp(item["waiting_since"]!, "waiting_since"),
                acquiredAt: acquiredAt))
        }
        do {
            try simulator.restoreQueue(in: repository, groupName: name, items: items)
        } catch {
            if case .queueItem(let index)? = error.subject { throw reader.error(at: itemNodes[index], error.message) }
            throw reader.error(at: node, error.message)
        }
    }
}
