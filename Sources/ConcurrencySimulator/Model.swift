/// Whether a repository can be read without credentials.
public enum Visibility: String, Sendable, CaseIterable {
    case `public`
    case `private`
}

/// What a queue item holds or waits for a lease on behalf of.
public enum LeaseKind: String, Sendable, CaseIterable {
    /// The run's workflow-level `concurrency`. The item has no job.
    case workflow
    /// A job's `jobs.<id>.concurrency`. The item's job is that job.
    case job
    /// A called workflow's workflow-level `concurrency`, held on behalf of the run and tied to
    /// the calling `uses:` job, which is the item's job.
    case reusableWorkflow = "reusable_workflow"
}

/// One entry in a concurrency group's queue.
public struct QueueItem: Hashable, Sendable {
    public let run: RunID
    /// The raw id of `job` (0, no id, for none) in the low 62 bits, the kind's number in the top
    /// two (ids are at most 2^53 - 1): no optionals and no padding, 24 bytes an item as a queue
    /// stores it (`GroupQueue`, which keeps `acquired` once, for its holder).
    let jobAndKind: UInt64
    /// When the item started waiting on the group; the queue is FIFO on this time.
    public let waitingSince: Timestamp
    private var acquired: Timestamp

    private static let kindShift: UInt64 = 62

    /// `nil` exactly when `kind == .workflow`.
    public var job: JobID? {
        let raw = Int(jobAndKind & (1 << Self.kindShift - 1))
        return raw == 0 ? nil : JobID(raw)
    }
    public var kind: LeaseKind {
        switch jobAndKind >> Self.kindShift {
        case 0: .workflow
        case 1: .job
        default: .reusableWorkflow
        }
    }
    /// When the item acquired the lease. Only the item at position 0 holds the lease, so only it
    /// has this; it is `nil` there too when a fixture did not say.
    public var acquiredAt: Timestamp? {
        get { acquired.unlessAbsent }
        set { acquired = newValue ?? .absent }
    }

    init(run: RunID, jobAndKind: UInt64, waitingSince: Timestamp, acquired: Timestamp) {
        self.run = run
        self.jobAndKind = jobAndKind
        self.waitingSince = waitingSince
        self.acquired = acquired
    }

    public init(run: RunID, job: JobID?, kind: LeaseKind, waitingSince: Timestamp, acquiredAt: Timestamp? = nil) {
        precondition((0...Simulator.largestIdentifier).contains(job?.rawValue ?? 0), "a job id is at most 2^53 - 1")
        self.run = run
        let kindNumber: UInt64 = switch kind {
        case .workflow: 0
        case .job: 1
        case .reusableWorkflow: 2
        }
        self.jobAndKind = UInt64(job?.rawValue ?? 0) | kindNumber << Self.kindShift
        self.waitingSince = waitingSince
        self.acquired = acquiredAt ?? .absent
    }
}

/// How a `concurrency:` block queues newcomers (`queue:`), GitHub's two modes.
public enum QueueMode: String, Sendable, CaseIterable {
    /// At most one pending item: a newcomer cancels the pending one and takes its place.
    case single
    /// Up to 100 pending items; a newcomer to a full queue is cancelled.
    case max
}

/// A `concurrency:` block as evaluated for one run or job.
public struct ConcurrencySettings: Hashable, Sendable {
    public let group: String
    /// Whether a newcomer cancels the item holding the lease.
    public let cancelInProgress: Bool
    public let queue: QueueMode

    public init(group: String, cancelInProgress: Bool = false, queue: QueueMode = .single) {
        self.group = group
        self.cancelInProgress = cancelInProgress
        self.queue = queue
    }
}

/// GitHub's status vocabulary for runs and jobs.
public enum ExecutionStatus: String, Sendable, CaseIterable {
    /// Created, not yet asking for anything (a job waiting on `needs`, a run not yet started).
    case queued
    /// Waiting for a concurrency lease.
    case pending
    case inProgress = "in_progress"
    case completed
}

/// GitHub's conclusions for completed runs and jobs.
public enum Conclusion: String, Sendable, CaseIterable {
    case success
    case failure
    case cancelled
    case skipped
}

/// A job of a run. Jobs form a tree: a `uses:` job's children are the called workflow's jobs.
///
/// A large state holds hundreds of thousands of jobs, each copied and stored whole, so a job
/// is 48 bytes: its name, kind, attempt, parent and needs are shared with the same job of other
/// runs (`JobShape`), its times, status and conclusion are packed (`JobProgress`), and the
/// fields most jobs leave empty are out of line, in one word (`JobExtras`).
public struct Job: Hashable, Sendable {
    public let id: JobID
    public let run: RunID
    /// The name, key, kind, attempt, parent and needs, one object for every job of the
    /// repository that has them.
    var shape: JobShape
    private var progress: JobProgress
    private var extras: JobExtras

    public internal(set) var times: JobTimes {
        get { progress.times }
        set { progress.times = newValue }
    }
    public internal(set) var status: ExecutionStatus {
        get { progress.status }
        set { progress.status = newValue }
    }
    public internal(set) var conclusion: Conclusion? {
        get { progress.conclusion }
        set { progress.conclusion = newValue }
    }
    /// The run attempt that created this record. A re-run gives the jobs it starts again new
    /// records (new ids); a job it does not start is carried into the new attempt as it is, so
    /// an attempt's job list may hold records of earlier attempts (see `WorkflowRun.jobs`).
    public var attempt: Int { Int(shape.attempt) }
    /// The display name, as GitHub shows it (`build (linux)` for a matrix leg).
    public var name: String { shape.name }
    /// The job's path of YAML keys, `call-deploy/deploy` inside a called workflow.
    public var key: String { shape.key }
    /// Whether this job calls a reusable workflow (`uses:`), and so may hold reusable-workflow leases.
    public var callsReusableWorkflow: Bool { shape.callsReusableWorkflow }
    /// The enclosing `uses:` job, `nil` for a top-level job.
    public var parent: JobID? { shape.parentDistance == 0 ? nil : JobID(id.rawValue &- shape.parentDistance) }
    /// Sibling jobs that must succeed before this one starts.
    public var needs: [JobID] { shape.needDistances.map { JobID(id.rawValue &- $0) } }
    /// `jobs.<id>.concurrency`, evaluated; with a gate that defers it, `nil` until the job
    /// becomes ready.
    public internal(set) var concurrency: ConcurrencySettings? {
        get { extras.concurrency }
        set { extras.change { $0.concurrency = newValue } }
    }
    /// What the job produced (`needs.<job>.outputs`): given when it completed, or for a `uses:`
    /// job mapped from its called workflow's jobs.
    public internal(set) var outputs: [String: String] {
        get { extras.uncommon(\.outputs, otherwise: [:]) }
        set { extras.change { $0.outputs = newValue } }
    }
    /// For a `uses:` job, the called workflow's workflow-level `concurrency`, evaluated.
    public var calledWorkflowConcurrency: ConcurrencySettings? { extras.uncommon(\.calledWorkflowConcurrency, otherwise: nil) }
    /// What decides, when the job becomes ready, whether it runs and its job-level group (see
    /// `JobGate`); `nil`: it runs when its needs succeeded, under `concurrency`.
    public var gate: AnyJobGate? { extras.uncommon(\.gate, otherwise: nil) }
    public internal(set) var cancellationReason: String? {
        get { extras.uncommon(\.cancellationReason, otherwise: nil) }
        set { extras.change { $0.cancellationReason = newValue } }
    }
    /// Why it was cancelled (or skipped for a failed need); `nil` otherwise.
    public internal(set) var cancelledBy: CancellationCause? {
        get { extras.uncommon(\.cancelledBy, otherwise: nil) }
        set { extras.change { $0.cancelledBy = newValue } }
    }

    /// The job a spec describes, with the spec's shape (`JobShape(of:)`) in `shape`.
    /// `spec` is borrowed: an initializer takes its arguments owned, which copied the whole spec.
    init(_ spec: borrowing Simulator.JobSpec, run: RunID, createdAt: Timestamp, shape: JobShape) {
        self.id = spec.id
        self.run = run
        self.shape = shape
        self.progress = JobProgress(times: spec.times ?? JobTimes(createdAt: createdAt), status: spec.status, conclusion: spec.conclusion)
        self.extras = JobExtras(JobExtras.Fields(
            concurrency: spec.concurrency, outputs: spec.outputs, calledWorkflowConcurrency: spec.calledWorkflowConcurrency,
            gate: spec.gate, cancellationReason: spec.cancellationReason, cancelledBy: spec.cancelledBy))
    }
}

/// A job's name, key, kind, attempt and where its parent and needs are: what the same job of
/// every run of a workflow has alike. A parent or a need is kept as its distance in ids from the
/// job: the planner numbers a run's jobs in order, as fixtures do, so the distances are the
/// same in every run. Compared and hashed by the names' bytes, as a state export writes them.
final class JobShape: Hashable, Sendable {
    let name: String
    let key: String
    let callsReusableWorkflow: Bool
    /// The run attempt that created the job: at most `Simulator.largestAttempt`, which
    /// `Simulator.check` holds to.
    let attempt: UInt32
    /// The job's id minus its parent's (wrapping); 0 for a top-level job, as no job is its own parent.
    let parentDistance: Int
    /// The job's id minus each need's (wrapping), in the order of the needs.
    let needDistances: [Int]

    init(name: String, key: String, callsReusableWorkflow: Bool, attempt: Int, parentDistance: Int = 0, needDistances: [Int] = []) {
        self.name = name
        self.key = key
        self.callsReusableWorkflow = callsReusableWorkflow
        self.attempt = UInt32(attempt)
        self.parentDistance = parentDistance
        self.needDistances = needDistances
    }

    /// The shape of the job `spec` describes.
    /// `spec` is borrowed: an initializer takes its arguments owned, which copied the whole spec.
    convenience init(of spec: borrowing Simulator.JobSpec) {
        let (id, name) = (spec.id.rawValue, spec.name)
        self.init(
            name: name, key: spec.key ?? name, callsReusableWorkflow: spec.callsReusableWorkflow, attempt: spec.attempt,
            parentDistance: spec.parent.map { id &- $0.rawValue } ?? 0,
            needDistances: spec.needs.map { id &- $0.rawValue })
    }

    /// Whether this is the shape of the job `spec` describes (`JobShape(of: spec) == self`).
    func describes(_ spec: borrowing Simulator.JobSpec) -> Bool {
        let (id, parent, needs) = (spec.id.rawValue, spec.parent, spec.needs)
        guard callsReusableWorkflow == spec.callsReusableWorkflow, Int(attempt) == spec.attempt,
              parentDistance == (parent.map { id &- $0.rawValue } ?? 0),
              needDistances.elementsEqual(needs.lazy.map { id &- $0.rawValue }),
              name.hasSameBytes(as: spec.name)
        else { return false }
        guard let specKey = spec.key else { return key.hasSameBytes(as: name) }
        return key.hasSameBytes(as: specKey)
    }

    static func == (lhs: JobShape, rhs: JobShape) -> Bool {
        lhs === rhs
            || lhs.callsReusableWorkflow == rhs.callsReusableWorkflow && lhs.attempt == rhs.attempt && lhs.parentDistance == rhs.parentDistance
            && lhs.needDistances == rhs.needDistances && lhs.name.hasSameBytes(as: rhs.name) && lhs.key.hasSameBytes(as: rhs.key)
    }

    func hash(into hasher: inout Hasher) {
        name.hashBytes(into: &hasher)
        key.hashBytes(into: &hasher)
        hasher.combine(callsReusableWorkflow)
        hasher.combine(attempt)
        hasher.combine(parentDistance)
        hasher.combine(needDistances)
    }
}

/// Values, each distinct one once: the records that hold equal values share one copy (job
/// shapes, long run names). Started afresh past `maximumCount`, so that a long session whose
/// names keep changing (names from inputs) does not keep every value it has seen.
struct SharedValues<Value: Hashable & Sendable>: Sendable {
    static var maximumCount: Int { 4_096 }
    private var values: Set<Value> = []

    /// The shared value equal to `value`; `value` itself when it is the first of its kind.
    mutating func share(_ value: Value) -> Value {
        if values.count >= Self.maximumCount { values.removeAll() }
        return values.insert(value).memberAfterInsert
    }
}

/// The job shapes a loader or a repository has seen, each once.
public struct SharedJobShapes: Sendable {
    private var shapes = SharedValues<JobShape>()
    /// The shape shared last for each place in a run's list of jobs. Runs of one workflow list
    /// the same jobs in the same order, so a job mostly has the shape of the job at its place in
    /// the run checked before: compared with the spec, it needs no shape made and hashed.
    private var lastAtPlace: [JobShape] = []

    public init() {}

    mutating func share(_ shape: JobShape) -> JobShape { shapes.share(shape) }

    /// The shared shape of the job `spec` describes, the job at `place` in its run's list.
    mutating func share(shapeOf spec: borrowing Simulator.JobSpec, at place: Int) -> JobShape {
        if place < lastAtPlace.count, lastAtPlace[place].describes(spec) { return lastAtPlace[place] }
        let shape = shapes.share(JobShape(of: spec))
        if place < lastAtPlace.count {
            lastAtPlace[place] = shape
        } else if place == lastAtPlace.count {
            lastAtPlace.append(shape)
        }
        return shape
    }
}

/// A name compared and hashed by its bytes, as an export writes it: names that are canonically
/// equivalent but spelled differently stay apart.
struct ExactName: Hashable, Sendable {
    let text: String

    static func == (lhs: ExactName, rhs: ExactName) -> Bool { lhs.text.hasSameBytes(as: rhs.text) }
    func hash(into hasher: inout Hasher) { text.hashBytes(into: &hasher) }
}

extension SharedValues<ExactName> {
    /// `name`, or an earlier one with the same bytes: a name of up to 15 bytes is stored inline
    /// anyway, a longer one in storage of its own that runs of one workflow can share.
    mutating func share(_ name: String) -> String {
        name.utf8.count <= 15 ? name : share(ExactName(text: name)).text
    }
}

/// The fields of a `Job` most jobs leave empty, out of line in one word: nothing for a job that
/// has none of them, the job-level group alone for a job that has only that (the common case
/// among the rest), all of them otherwise. Always the smallest case that holds the fields, so
/// that equal fields compare equal.
private enum JobExtras: Hashable, Sendable {
    case none
    case concurrency(Boxed<ConcurrencySettings>)
    case all(Boxed<Fields>)

    struct Fields: EmptiableFields {
        var concurrency: ConcurrencySettings?
        var outputs: [String: String] = [:]
        var calledWorkflowConcurrency: ConcurrencySettings?
        var gate: AnyJobGate?
        var cancellationReason: String?
        var cancelledBy: CancellationCause?

        static let empty = Fields()

        /// Whether every field but the job-level group is empty, asked field by field: comparing
        /// whole `Fields` went through each field's equality, about 770 instructions a job loaded.
        var holdsAtMostConcurrency: Bool {
            outputs.isEmpty && calledWorkflowConcurrency == nil && gate == nil && cancellationReason == nil && cancelledBy == nil
        }
    }

    init(_ fields: Fields) {
        guard fields.holdsAtMostConcurrency else {
            self = .all(Boxed(fields))
            return
        }
        self = fields.concurrency.map { .concurrency(Boxed($0)) } ?? .none
    }

    var concurrency: ConcurrencySettings? {
        switch self {
        case .none: nil
        case .concurrency(let settings): settings.value
        case .all(let fields): fields.value.concurrency
        }
    }

    /// A field only `.all` holds, read where it lies: making the whole `Fields` to read one
    /// copied (and released) every field, six times for each job a state export writes.
    @inline(__always)
    func uncommon<Value>(_ field: KeyPath<Fields, Value>, otherwise empty: Value) -> Value {
        guard case .all(let fields) = self else { return empty }
        return fields.value[keyPath: field]
    }

    var fields: Fields {
        switch self {
        case .none: .empty
        case .concurrency(let settings): Fields(concurrency: settings.value)
        case .all(let fields): fields.value
        }
    }

    mutating func change(_ change: (inout Fields) -> Void) {
        var fields = self.fields
        change(&fields)
        self = JobExtras(fields)
    }
}

/// A workflow run as far as concurrency is concerned.
///
/// A large state holds a run per three queued items, so the fields are declared in the order
/// that leaves the least padding (a struct's fields are laid out as declared), the attempt is
/// 4 bytes and the workflow-level group, which many runs lack, is out of line: 144 bytes, three
/// configured groups included.
public struct WorkflowRun: Hashable, Sendable {
    public let id: RunID
    public let name: String
    /// The workflow file (`deploy.yml`) the run was triggered from; `nil` for runs a fixture
    /// describes only by their queue items.
    public let workflow: String?
    /// The current attempt's jobs in declaration order (parents before their children): the
    /// records this attempt created and those it carried over from earlier attempts. The
    /// earlier attempts' lists are in `previousAttempts`.
    public internal(set) var jobs: JobIDList
    public internal(set) var status: ExecutionStatus
    public internal(set) var conclusion: Conclusion?
    /// `attempt`: a run at attempt n lists n - 1 earlier attempts, so none comes near 2^32.
    private var storedAttempt: UInt32
    /// Every group of the run's configuration, reached or not, by the repository's numbers
    /// (`Repository.configuredGroups(of:)` reads them as keys), sorted by key. Invariant: holds
    /// every group in which the run has an item.
    var configuredGroupNumbers: GroupNumberList
    private var storedConcurrency: Boxed<ConcurrencySettings>?
    /// GitHub's `run_number`: how many runs of its workflow file the repository had, this one included.
    public let runNumber: Int
    public internal(set) var times: RunTimes
    /// Out of line, like a job's uncommon fields; runs with the default origin (a fixture's, as
    /// a rule) share one.
    private var storedOrigin: Boxed<RunOrigin>
    private var uncommon: Boxed<UncommonRunFields>?

    /// GitHub's `run_attempt`: 1, plus one per re-run.
    public internal(set) var attempt: Int {
        get { Int(storedAttempt) }
        set { storedAttempt = UInt32(newValue) }
    }
    /// The workflow-level `concurrency`, evaluated for the current attempt.
    public internal(set) var concurrency: ConcurrencySettings? {
        get { storedConcurrency?.value }
        set { storedConcurrency = newValue.map(Boxed.init) }
    }
    /// What started the run (`triggeringActor` changes with a re-run).
    public internal(set) var origin: RunOrigin {
        get { storedOrigin.value }
        set { storedOrigin = Self.boxed(newValue) }
    }
    /// Evaluates the workflow-level `concurrency` again for a new attempt (`github.run_attempt`);
    /// `nil` when it does not change between attempts.
    public var gate: AnyJobGate? { uncommon?.value.gate }
    public internal(set) var cancellationReason: String? {
        get { uncommon?.value.cancellationReason }
        set { uncommon = Boxed(unlessEmpty: uncommon.changed { $0.cancellationReason = newValue }) }
    }
    /// Why it was cancelled; `nil` otherwise.
    public internal(set) var cancelledBy: CancellationCause? {
        get { uncommon?.value.cancelledBy }
        set { uncommon = Boxed(unlessEmpty: uncommon.changed { $0.cancelledBy = newValue }) }
    }
    /// The completed attempts before the current one, oldest first.
    public internal(set) var previousAttempts: [RunAttempt] {
        get { uncommon?.value.previousAttempts ?? [] }
        set { uncommon = Boxed(unlessEmpty: uncommon.changed { $0.previousAttempts = newValue }) }
    }

    public init(
        id: RunID, name: String, workflow: String? = nil, jobs: [JobID], configuredGroupNumbers: GroupNumberList,
        concurrency: ConcurrencySettings? = nil, gate: AnyJobGate? = nil, status: ExecutionStatus = .inProgress,
        conclusion: Conclusion? = nil, cancellationReason: String? = nil, cancelledBy: CancellationCause? = nil,
        origin: RunOrigin = RunOrigin(), runNumber: Int = 1, attempt: Int = 1, times: RunTimes,
        previousAttempts: [RunAttempt] = []
    ) {
        self.id = id
        self.name = name
        self.workflow = workflow
        self.jobs = JobIDList(jobs)
        self.configuredGroupNumbers = configuredGroupNumbers
        self.storedConcurrency = concurrency.map(Boxed.init)
        self.status = status
        self.conclusion = conclusion
        self.storedOrigin = Self.boxed(origin)
        self.runNumber = runNumber
        self.storedAttempt = UInt32(attempt)
        self.times = times
        self.uncommon = Boxed(unlessEmpty: UncommonRunFields(
            gate: gate, cancellationReason: cancellationReason, cancelledBy: cancelledBy, previousAttempts: previousAttempts))
    }

    private static let defaultOrigin = Boxed(RunOrigin())

    private static func boxed(_ origin: RunOrigin) -> Boxed<RunOrigin> {
        origin == defaultOrigin.value ? defaultOrigin : Boxed(origin)
    }
}

/// The fields of a `WorkflowRun` most runs leave empty.
private struct UncommonRunFields: EmptiableFields {
    var gate: AnyJobGate?
    var cancellationReason: String?
    var cancelledBy: CancellationCause?
    var previousAttempts: [RunAttempt] = []

    static let empty = UncommonRunFields()
}

/// An immutable value behind one reference: what a struct stored by the hundred thousand keeps
/// out of line to stay small. Compared and hashed by its value; a change boxes a new value.
private final class Boxed<Value: Hashable & Sendable>: Hashable, Sendable {
    let value: Value

    init(_ value: Value) { self.value = value }

    static func == (lhs: Boxed, rhs: Boxed) -> Bool { lhs === rhs || lhs.value == rhs.value }
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// A group of optional fields that is empty when none is set.
private protocol EmptiableFields: Hashable, Sendable {
    static var empty: Self { get }
}

extension Boxed where Value: EmptiableFields {
    /// `nil` for empty fields, so a value without them holds no reference.
    convenience init?(unlessEmpty fields: Value) {
        guard fields != .empty else { return nil }
        self.init(fields)
    }
}

extension Optional {
    /// The boxed fields (empty when there are none) with `change` applied.
    fileprivate func changed<Fields: EmptiableFields>(_ change: (inout Fields) -> Void) -> Fields where Wrapped == Boxed<Fields> {
        var fields = self?.value ?? .empty
        change(&fields)
        return fields
    }
}

/// A concurrency group with at least one item: it is active exactly while its queue is non-empty.
public struct ConcurrencyGroup: Hashable, Sendable {
    public let key: GroupKey
    /// The display name: the spelling first used for this key in the repository.
    public let name: String
    /// Position 0 holds the lease (`in_progress`); the others are pending, FIFO by `waitingSince`.
    public internal(set) var queue: GroupQueue
}

/// A group's queue of items. Only the item at position 0 has an acquisition time, so the queue
/// keeps that one time beside items of 24 bytes (a `QueueItem` is 32): a large state holds a
/// queue item per 100 bytes or so of everything else.
public struct GroupQueue: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral {
    /// A queue item without its acquisition time.
    private struct StoredItem: Hashable, Sendable {
        let run: RunID
        let jobAndKind: UInt64
        let waitingSince: Timestamp
    }

    private var items: [StoredItem] = []
    /// The acquisition time of the item at position 0, `Timestamp.absent` for none.
    private var holderAcquired = Timestamp.absent

    public init(arrayLiteral items: QueueItem...) {
        reserveCapacity(items.count)
        for item in items { append(item) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { items.count }

    public subscript(position: Int) -> QueueItem {
        let item = items[position]
        return QueueItem(
            run: item.run, jobAndKind: item.jobAndKind, waitingSince: item.waitingSince,
            acquired: position == 0 ? holderAcquired : .absent)
    }

    /// When the item at position 0 acquired the lease; `nil` when a fixture did not say.
    var holderAcquiredAt: Timestamp? {
        get { holderAcquired.unlessAbsent }
        set { holderAcquired = newValue ?? .absent }
    }

    mutating func reserveCapacity(_ minimumCapacity: Int) {
        items.reserveCapacity(minimumCapacity)
    }

    /// Appends an item; only the first item of a queue may have an acquisition time.
    mutating func append(_ item: QueueItem) {
        precondition(items.isEmpty || item.acquiredAt == nil, "only the item at position 0 has an acquisition time")
        if items.isEmpty { holderAcquiredAt = item.acquiredAt }
        items.append(StoredItem(run: item.run, jobAndKind: item.jobAndKind, waitingSince: item.waitingSince))
    }

    /// Removes the item at `position`; removing the holder leaves the next item without an
    /// acquisition time, for the caller to give it.
    mutating func remove(at position: Int) {
        items.remove(at: position)
        if position == 0 { holderAcquired = .absent }
    }
}

/// The most items one group's queue can hold: one holder and `queue: max`'s 100 pending items.
public let maximumQueueLength = 101
