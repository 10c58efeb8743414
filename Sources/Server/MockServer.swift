import AccessPolicy
import ConcurrencySimulator
import ControlAPI
import GitHubREST
import MockHTTP
import StateDocuments

/// The whole HTTP surface of the mock: GitHub's REST API and the `/_mock` control API over one
/// state, which this object alone owns.
///
/// Confined to the event-loop thread (see `HTTPResponder`): it mutates the state without locks.
/// The wall clock is injected, so the module itself does no I/O.
public final class MockServer: HTTPResponder {
    /// The one owner of the state. Control operations mutate it in place (they validate before
    /// they write, so a refused one changes nothing); GitHub's API reads it, and its Actions
    /// writes (dispatch, cancel, re-run) change it by the same validated operations.
    private var context: ControlPlane.Context
    private var github: GitHubAPI
    private let control = ControlPlane()
    private let controlPlaneGuard: ControlPlaneGuard
    private let wallClock: @Sendable () -> Timestamp
    private var requestCounter: UInt32 = 0
    private let requestIDSeed: UInt32
    private let monotonicMicroseconds: @Sendable () -> Int
    private var faults: FaultInjector
    private let faultSeed: UInt64
    private var eventStream = EventStream()
    /// The transport's side of open streams. The transport owns this responder and outlives it;
    /// `unowned`, as a weak reference would put every reference count of the transport on the
    /// slow path.
    private unowned var outlet: HTTPStreamOutlet?
    /// Called with every request as journaled (the JSON access log).
    public var requestLog: ((RequestJournal.Entry) -> Void)?
    /// Completed runs each repository keeps; a state put in place by the control API gets it too.
    private let retainedCompletedRuns: Int

    /// - Parameter wallClock: real time; by default the time stands at the state's `now`, so an
    ///   unfrozen clock does not move (what tests want).
    /// - Parameter retainedCompletedRuns: completed runs kept per repository (at least 1); older
    ///   ones are dropped with their jobs (`--retain-completed`).
    public init(
        state: MockState, configuration: APIConfiguration, controlPlane: ControlPlaneGuard = ControlPlaneGuard(),
        eventJournalSize: Int = EventJournal.defaultCapacity, requestJournalSize: Int = RequestJournal.defaultCapacity,
        wallClock: (@Sendable () -> Timestamp)? = nil, monotonicMicroseconds: (@Sendable () -> Int)? = nil,
        requestIDSeed: UInt32 = 0xC0DE, faultSeed: UInt64 = 0, retainedCompletedRuns: Int = Simulator.defaultRetainedCompletedRuns
    ) {
        self.controlPlaneGuard = controlPlane
        self.retainedCompletedRuns = retainedCompletedRuns
        let start = state.simulator.now
        let wall = wallClock ?? { start }
        self.wallClock = wall
        let clock = MockClock(now: start, frozen: state.clockFrozen, wall: wall())
        var state = state
        state.simulator.retainCompletedRuns(retainedCompletedRuns)
        _ = state.simulator.takeEvents()
        self.context = ControlPlane.Context(
            state: state, clock: clock, initialState: state, initialClock: clock, wall: wall(),
            journal: EventJournal(capacity: eventJournalSize), requests: RequestJournal(capacity: requestJournalSize))
        self.monotonicMicroseconds = monotonicMicroseconds ?? { 0 }
        self.faults = FaultInjector(seed: faultSeed)
        self.faultSeed = faultSeed
        self.github = GitHubAPI(configuration: configuration)
        self.requestIDSeed = requestIDSeed
    }

    public var state: MockState { context.state }

    public var endpoints: ConcurrencyGroupsEndpoints { github.endpoints }

    /// The simulator, readable and (for tests) writable in place.
    public var simulator: Simulator {
        get { context.state.simulator }
        _modify {
            context.stateGeneration &+= 1
            yield &context.state.simulator
        }
    }

    public func attach(_ outlet: HTTPStreamOutlet) {
        self.outlet = outlet
    }

    public func streamEnded(_ stream: HTTPStreamID) {
        eventStream.end(stream)
    }

    /// Subscribers of the event stream now.
    public var eventStreamSubscribers: Int { eventStream.count }

    /// The request journal (what `GET /_mock/requests` reads).
    public var requestJournal: RequestJournal { context.requests }

    public func reply(to request: HTTPRequest) -> HTTPReply {
        let started = monotonicMicroseconds()
        let arrived = wallClock()
        context.state.simulator.now = context.clock.now(wall: arrived)
        requestCounter &+= 1
        let requestID = Self.requestID(
            seed: requestIDSeed, counter: requestCounter, time: UInt32(truncatingIfNeeded: context.state.simulator.now.secondsSinceEpoch))
        // HEAD is answered as GET everywhere; the transport drops the body.
        var answering = request
        if answering.method == "HEAD" { answering.method = "GET" }
        let isControl = Self.isControlPath(request.target)
        var reply: HTTPReply
        var applied: RequestJournal.FaultRecord?
        var delay = 0
        if isControl {
            var response: HTTPResponse
            if let target = RequestTarget(request.target) {
                response = respondToControl(answering, target: target)
            } else {
                response = GitHubAPI.errorResponse(.notFound(DocumentationURL.restRoot), version: APIVersion.defaultVersion)
            }
            response.headers.add("X-GitHub-Request-Id", requestID)
            reply = .answer(response)
            if let opened = context.openedStream {
                context.openedStream = nil
                let headers = HTTPHeaders([("X-GitHub-Request-Id", requestID)])
                if request.method == "GET" {
                    context.journalSimulatorEvents()
                    eventStream.push(context.journal, to: outlet)
                    reply = .stream(eventStream.open(opened, journal: context.journal, headers: headers))
                } else {
                    reply = .answer(HTTPResponse(status: 200, headers: EventStream.headers(headers)))
                }
            }
        } else {
            let rule = context.state.faults.rules.isEmpty
                ? nil : faults.take(from: &context.state.faults, method: answering.method, path: RequestTarget.rawPath(of: request.target))
            // A rule that applies may have counted down its `times`: the state changed.
            if rule != nil { context.stateGeneration &+= 1 }
            delay = rule?.delayMilliseconds ?? 0
            var response: HTTPResponse
            switch rule?.response {
            case .status(let status)?:
                response = FaultInjector.statusResponse(status)
                applied = RequestJournal.FaultRecord(id: rule!.id, kind: "status", delayMilliseconds: delay)
            case .secondaryRateLimit(let retryAfter)?:
                response = FaultInjector.secondaryRateLimitResponse(retryAfter: retryAfter, requestID: requestID)
                applied = RequestJournal.FaultRecord(id: rule!.id, kind: "secondary_rate_limit", delayMilliseconds: delay)
            case .drop?:
                response = HTTPResponse(status: 0)
                applied = RequestJournal.FaultRecord(id: rule!.id, kind: "drop", delayMilliseconds: delay)
            case .normal?, nil:
                let access = GitHubAPI.AccessSettings(
                    tokens: context.state.tokens, mode: context.state.authenticationMode, rateLimits: context.state.rateLimits)
                response = github.respond(to: answering, state: &context.state, access: access, generation: context.stateGeneration)
                // GitHub's writes (dispatch, cancel, re-run) change the state; reads never do.
                if answering.method != "GET" {
                    context.stateGeneration &+= 1
                    #if DEBUG
                    context.state.simulator.checkInvariants()
                    #endif
                }
                if let rule { applied = RequestJournal.FaultRecord(id: rule.id, kind: "delay", delayMilliseconds: delay) }
            }
            response.headers.add("X-GitHub-Request-Id", requestID)
            if case .drop? = rule?.response {
                reply = .drop(milliseconds: delay)
            } else {
                reply = delay > 0 ? .delayed(response, milliseconds: delay) : .answer(response)
            }
        }
        // Any request may have moved the simulation (GitHub's write routes too): journal, then push.
        context.journalSimulatorEvents()
        let status: Int? = if case .drop = reply { nil } else { reply.response.status }
        let entry = context.requests.record(RequestJournal.Entry(
            request: request, at: arrived, status: status,
            durationMicroseconds: monotonicMicroseconds() - started + delay * 1000, isControl: isControl, fault: applied))
        requestLog?(entry)
        eventStream.push(context.journal, to: outlet)
        return reply
    }

    private func respondToControl(_ request: HTTPRequest, target: RequestTarget) -> HTTPResponse {
        context.wall = wallClock()
        context.resetRateLimits = false
        context.replacedState = false
        do {
            try controlPlaneGuard.admit(request, target: target)
            let answer = try control.respond(
                to: request.method, target.segments.dropFirst(), query: target.query, body: request.body,
                headers: request.headers, context: &context)
            // A state loaded by `PUT /_mock/state` comes with the default retention.
            if context.state.simulator.retainedCompletedRuns != retainedCompletedRuns {
                context.state.simulator.retainCompletedRuns(retainedCompletedRuns)
            }
            context.journalSimulatorEvents()
            // Control reads change nothing GitHub's answers show; every write may.
            if request.method != "GET" {
                context.stateGeneration &+= 1
                #if DEBUG
                context.state.simulator.checkInvariants()
                #endif
            }
            if context.resetRateLimits { github.resetRateLimits() }
            // A reset test run draws the same faults as the first.
            if context.replacedState { faults = FaultInjector(seed: faultSeed) }
            return answer
        } catch {
            return GitHubAPI.errorResponse(error, version: nil)
        }
    }

    /// Whether the target's first path segment is `_mock` (in origin form or absolute form).
    static func isControlPath(_ target: String) -> Bool {
        var path = Substring(target).utf8[...]
        // Every GitHub path of origin form is told apart by its second byte.
        if path.first == UInt8(ascii: "/"), path.dropFirst().first != UInt8(ascii: "_") { return false }
        if path.first != UInt8(ascii: "/"), let schemeEnd = path.firstRange(of: "://".utf8) {
            path = path[schemeEnd.upperBound...].drop { $0 != UInt8(ascii: "/") }
        }
        guard path.starts(with: "/_mock".utf8) else { return false }
        let next = path.dropFirst(6).first
        return next == nil || next == UInt8(ascii: "/") || next == UInt8(ascii: "?") || next == UInt8(ascii: "#")
    }

    /// GitHub's request ids are five colon-separated hex fields (`C0DE:000003:DAA66D13:...`);
    /// ours count requests so logs line up. Written in one pass: this runs for every request.
    static func requestID(seed: UInt32, counter: UInt32, time: UInt32) -> String {
        // Five fields of at most 8 digits and four colons.
        String(unsafeUninitializedCapacity: 44) { text in
            var index = 0
            /// `value` in upper-case hex, zero-padded to `width` digits.
            func write(_ value: UInt32, width: Int) {
                let digits = max(width, (UInt32.bitWidth - value.leadingZeroBitCount + 3) / 4)
                for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                    let nibble = UInt8(truncatingIfNeeded: (value >> UInt32(shift)) & 0xF)
                    text[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
                    index += 1
                }
            }
            func colon() {
                text[index] = UInt8(ascii: ":")
                index += 1
            }
            write(seed, width: 4)
            colon()
            write(counter, width: 6)
            colon()
            write(counter &* 2_654_435_761, width: 8)
            colon()
            write(counter &* 2_246_822_519, width: 8)
            colon()
            write(time, width: 8)
            return index
        }
    }
}
