import CLibevent
import Glibc
import MockHTTP
import Synchronization

/// An HTTP/1.1 server on one libevent `event_base` and `evhttp`, serving one `HTTPResponder`.
///
/// Threading: everything happens on the thread that calls `run()`; the responder is called there,
/// one request at a time. Ownership: the server owns the base, the evhttp, its events and one
/// `Connection` per open connection, and frees them in `deinit`; libevent holds unretained pointers
/// to the server (valid because `run()` cannot return while the server is alive) and to each
/// `Connection` (valid until evhttp's close callback for it, which drops it last).
public final class EventHTTPServer {
    /// Limits on what a client may send or leave pending, each named so the README can cite it.
    /// (The largest body of each route is the responder's: `HTTPResponder.maximumBodyBytes`.)
    public struct Limits: Sendable {
        /// Request line plus headers, and a chunked body's trailer; 431 beyond.
        public var maximumHeaderBytes = 64 * 1024
        /// From a request's first byte until its head is complete; then the connection is closed.
        /// Counted from the start, not from the last byte, so a trickle cannot hold a connection.
        public var headerTimeoutSeconds = 10.0
        /// From a request's first byte until its body is complete; then the connection is closed.
        public var bodyTimeoutSeconds = 30.0
        /// Between requests: an idle connection is closed after this long.
        public var idleTimeoutSeconds = 60.0
        /// An answer that makes no progress for this long (a client that stopped reading) closes
        /// its connection.
        public var sendTimeoutSeconds = 30.0
        /// Answer bytes handed to libevent per connection at a time (by reference, not copied); a
        /// larger answer is passed on in pieces of this size as the client reads, so its progress
        /// is seen piece by piece.
        public var maximumBufferedOutputBytes = 1024 * 1024
        /// Bytes moved through a socket in one read or write. libevent 2.1 reads at most 4 KiB and
        /// writes 16 KiB a time, each through a pass of the event loop (about 25,000 passes to
        /// receive a 94 MiB state); a body of known length at least this long is read ahead of it,
        /// in pieces up to this size, straight into the request's bytes (`AssembledBody`), and
        /// answers are written in pieces up to it.
        public var socketTransferBytes = 1024 * 1024
        /// Body bytes read ahead of libevent in one pass of the loop, so that a client sending fast
        /// holds the loop no longer than copying this much takes.
        public var maximumBodyBytesReadPerPass = 8 * 1024 * 1024
        /// Address space taken for large bodies being received (`AssembledBody`, their declared
        /// lengths), all connections together: a body that would pass it is read by libevent
        /// alone, 4 KiB a pass, and copied out whole, so clients announcing large bodies they
        /// never send cannot make the server reserve more than this.
        public var maximumAssembledBodyBytes = 1024 * 1024 * 1024
        /// Answer bytes held for connections that have not taken them, all connections together,
        /// an answer shared by several counted once (`HeldAnswers`). An answer that would pass it
        /// first closes the connections whose answers made no progress for longest until it fits.
        public var maximumHeldAnswerBytes = 256 * 1024 * 1024
        /// After an answer larger than `maximumBufferedOutputBytes` is no longer held, freed heap
        /// pages are handed back to the system this much later (at most once per this interval).
        public var memoryReturnDelaySeconds = 1.0
        /// Open connections; the server stops accepting at this many until one closes.
        public var maximumConnections = Limits.defaultMaximumConnections
        /// After accept(2) ran out of descriptors, the server tries again this much later (or as
        /// soon as a connection closes) instead of retrying in a busy loop.
        public var acceptRetrySeconds = 1.0
        /// A refused request's connection keeps reading and discarding what the client still sends
        /// for this long, so the client reads the refusal instead of a reset.
        public var refusalLingerSeconds = 2.0
        /// Descriptors kept for everything but client connections (listener, pipes, libevent's own).
        public static let reservedDescriptors = 32

        /// The soft descriptor limit minus `reservedDescriptors`, so accepting pauses before
        /// accept(2) fails.
        public static var defaultMaximumConnections: Int {
            var limit = rlimit()
            guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return 1024 }
            return max(1, Int(clamping: limit.rlim_cur) - reservedDescriptors)
        }

        public init() {}
    }

    /// What the access log records for each request.
    public struct AccessLogEntry: Sendable {
        public let method: String
        public let target: String
        /// 0 for a connection closed without an answer (`HTTPReply.drop`).
        public let status: Int
        /// From the request's arrival until its answer was handed to libevent (a delay included).
        public let microseconds: Int
        /// Refused by the transport itself (`RequestFramer`): the responder never saw it.
        public let refused: Bool
    }

    public enum StartError: Error, CustomStringConvertible {
        case libeventUnavailable(String)
        case cannotBind(host: String, port: Int)

        public var description: String {
            switch self {
            case .libeventUnavailable(let what): return "libevent could not create \(what)"
            case .cannotBind(let host, let port): return "cannot listen on \(host):\(port) (in use, or not an address of this machine)"
            }
        }
    }

    /// Where libevent's own messages go. Its log hook takes no context, so this is process-wide.
    private static let libeventLog = Mutex<(@Sendable (String) -> Void)?>(nil)
    /// The server owning each evhttp (by address): the listener's error callback is handed the
    /// evhttp, not the server.
    private static let owners = Mutex<[Int: Int]>([:])

    let limits: Limits
    let base: OpaquePointer
    private let http: OpaquePointer
    private var listener: OpaquePointer?
    private var signalEvents: [OpaquePointer] = []
    var responder: HTTPResponder?
    var accessLog: ((AccessLogEntry) -> Void)?
    let log: (@Sendable (String) -> Void)?
    /// The answer bodies libevent is writing to connections, against `maximumHeldAnswerBytes`.
    let heldAnswers = HeldAnswers()
    /// Every open connection, by the address of its bufferevent.
    var connections: [Int: Connection] = [:]
    /// Open streams (`HTTPReply.stream`) by id, each on its connection.
    var streams: [HTTPStreamID: Connection] = [:]
    /// Answers and drops waiting for their timer (`HTTPReply.delayed`, `.drop`).
    private var scheduled: [ObjectIdentifier: ScheduledReply] = [:]
    /// Accepted in this pass of the loop; their evhttp connections get a close callback next.
    private var unregistered: [Connection] = []
    private var registration: OpaquePointer?
    private var acceptRetry: OpaquePointer?
    /// Access-log lines for stderr, written in batches (`writeLog`).
    private let logBuffer = LogBuffer(descriptor: STDERR_FILENO)
    private var logFlush: OpaquePointer?
    /// Hands the pages of released answers back to the system (`releasedAnswer`).
    private var memoryReturn: OpaquePointer?
    private var accepting = true
    /// The `Date` of answers this second (`httpDate`).
    private var date: (second: time_t, text: String) = (-1, "")
    private var pausedAtLimit = false
    private var waitingForDescriptors = false
    private var descriptorsExhausted = false
    /// Zeros evhttp is handed by reference in place of body bytes read straight into a
    /// connection's `AssembledBody` (it only counts them); `socketTransferBytes` long, never
    /// written. `nil` when it could not be had: bodies are then read by libevent alone.
    let bodyStandIn: UnsafeMutableRawPointer?
    /// The address space of the bodies being assembled, against `maximumAssembledBodyBytes`.
    let assembledBodies: AssembledBodyBudget

    /// - Parameter log: diagnostics (libevent's own messages, accept pauses); `nil` drops them.
    public init(limits: Limits = Limits(), log: (@Sendable (String) -> Void)? = nil) throws(StartError) {
        Self.libeventLog.withLock { $0 = log }
        event_set_log_callback { severity, message in
            guard let message, let log = EventHTTPServer.libeventLog.withLock({ $0 }) else { return }
            let level = severity >= EVENT_LOG_ERR ? "error" : severity == EVENT_LOG_WARN ? "warning" : "note"
            log("libevent \(level): \(String(cString: message))")
        }
        guard let base = Self.makeEventBase() else { throw .libeventUnavailable("an event base") }
        guard let http = evhttp_new(base) else {
            event_base_free(base)
            throw .libeventUnavailable("an HTTP server")
        }
        self.limits = limits
        self.log = log
        self.base = base
        self.http = http
        bodyStandIn = calloc(limits.socketTransferBytes, 1)
        assembledBodies = AssembledBodyBudget(limit: limits.maximumAssembledBodyBytes)
        // A backstop: RequestFramer refuses a longer head first, with a JSON body.
        evhttp_set_max_headers_size(http, limits.maximumHeaderBytes)
        var idle = Self.timeval(seconds: limits.idleTimeoutSeconds)
        evhttp_set_timeout_tv(http, &idle)
        // Every method libevent 2.1 parses is let through, so the responder answers (GitHub's 404
        // for a method a route lacks); methods it cannot parse get evhttp's bare 501.
        let methods = EVHTTP_REQ_GET.rawValue | EVHTTP_REQ_HEAD.rawValue | EVHTTP_REQ_POST.rawValue
            | EVHTTP_REQ_PUT.rawValue | EVHTTP_REQ_DELETE.rawValue | EVHTTP_REQ_PATCH.rawValue
            | EVHTTP_REQ_OPTIONS.rawValue | EVHTTP_REQ_TRACE.rawValue | EVHTTP_REQ_CONNECT.rawValue
        evhttp_set_allowed_methods(http, UInt16(methods))
        // Without this evhttp labels bodies text/html; every answer of ours sets its own type.
        evhttp_set_default_content_type(http, nil)
        let me = Unmanaged.passUnretained(self).toOpaque()
        evhttp_set_gencb(http, { request, argument in
            guard let request, let argument else { return }
            Unmanaged<EventHTTPServer>.fromOpaque(argument).takeUnretainedValue().handle(request)
        }, me)
        evhttp_set_bevcb(http, { base, argument in
            guard let base, let argument else { return nil }
            return Unmanaged<EventHTTPServer>.fromOpaque(argument).takeUnretainedValue().accepted(on: base)
        }, me)
        registration = event_new(base, -1, 0, { _, _, argument in
            guard let argument else { return }
            Unmanaged<EventHTTPServer>.fromOpaque(argument).takeUnretainedValue().registerAccepted()
        }, me)
        acceptRetry = event_new(base, -1, 0, { _, _, argument in
            guard let argument else { return }
            let server = Unmanaged<EventHTTPServer>.fromOpaque(argument).takeUnretainedValue()
            server.waitingForDescriptors = false
            server.updateAccepting()
        }, me)
        logFlush = event_new(base, -1, Int16(EV_PERSIST), { _, _, argument in
            guard let argument else { return }
            Unmanaged<EventHTTPServer>.fromOpaque(argument).takeUnretainedValue().logBuffer.flush()
        }, me)
        memoryReturn = event_new(base, -1, 0, { _, _, _ in ProcessMemory.returnFreedPages() }, nil)
        // `deinit` lets go of this before the connections release their answers.
        heldAnswers.released = { [unowned self] bytes in releasedAnswer(bytes) }
        Self.owners.withLock { $0[Int(bitPattern: http)] = Int(bitPattern: me) }
    }

    /// glibc keeps the pages of large freed blocks for reuse, so clients that were sent (or gave
    /// up on) large answers would leave the server's memory at its peak. Once a large answer is no
    /// longer held, the pages go back a moment later: the delay lets libevent finish freeing the
    /// connections that held it, and gathers the releases of a crowd into one trim.
    private func releasedAnswer(_ bytes: Int) {
        guard bytes > limits.maximumBufferedOutputBytes, let memoryReturn, event_pending(memoryReturn, Int16(EV_TIMEOUT), nil) == 0 else { return }
        var delay = Self.timeval(seconds: limits.memoryReturnDelaySeconds)
        event_add(memoryReturn, &delay)
    }

    /// Queues an access-log line for stderr; lines go out in batches, at the latest
    /// `LogBuffer.flushIntervalMilliseconds` later, and all of them before `run` returns.
    public func writeLog(_ line: [UInt8]) {
        logBuffer.append(line)
    }

    deinit {
        Self.owners.withLock { _ = $0.removeValue(forKey: Int(bitPattern: http)) }
        heldAnswers.released = nil
        // evhttp_free closes the connections, whose close callbacks would reach this server
        // while it is being destroyed: the connections let go of libevent first.
        for connection in connections.values { connection.abandon() }
        for connection in unregistered { bufferevent_decref(connection.bufferevent) }
        // A waiting answer's request goes down with its connection in evhttp_free.
        for reply in scheduled.values { event_free(reply.event) }
        scheduled.removeAll()
        for event in signalEvents { event_free(event) }
        evhttp_free(http)
        if let registration { event_free(registration) }
        if let acceptRetry { event_free(acceptRetry) }
        if let logFlush { event_free(logFlush) }
        if let memoryReturn { event_free(memoryReturn) }
        logBuffer.flush()
        event_base_free(base)
        // After every buffer that could refer to it.
        free(bodyStandIn)
    }

    /// Starts listening and answers the port actually bound (the ephemeral one for port 0).
    public func bind(host: String, port: Int) throws(StartError) -> Int {
        guard (0...65_535).contains(port), let handle = evhttp_bind_socket_with_handle(http, host, UInt16(port)) else {
            throw .cannotBind(host: host, port: port)
        }
        listener = evhttp_bound_socket_get_listener(handle)
        // Without an error callback libevent logs every failed accept(2) and tries again at once:
        // out of descriptors, that is a busy loop writing a line per attempt.
        evconnlistener_set_error_cb(listener) { _, argument in
            guard let argument, let owner = EventHTTPServer.owners.withLock({ $0[Int(bitPattern: argument)] }),
                  let server = UnsafeMutableRawPointer(bitPattern: owner)
            else { return }
            Unmanaged<EventHTTPServer>.fromOpaque(server).takeUnretainedValue().acceptFailed(errno)
        }
        let descriptor = evhttp_bound_socket_get_fd(handle)
        // evhttp writes at most 16 KiB per write(2); with Nagle's algorithm on, the rest of a
        // larger answer waits for the client's delayed ACK (~40 ms). Accepted sockets inherit this.
        var noDelay: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let found = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard found == 0 else { return port }
        return withUnsafePointer(to: &storage) { pointer -> Int in
            switch Int32(pointer.pointee.ss_family) {
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            default:
                return port
            }
        }
    }

    /// An event base whose epoll backend applies the changes of one pass of the loop together
    /// (`EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST`): evhttp turns reading off and writing on for
    /// each answer and back once it is written, four `epoll_ctl` calls a request where two do.
    /// libevent's one caveat, descriptors cloned by `dup()`, does not arise: the only descriptors
    /// the server gives libevent are the listener's and accepted sockets.
    private static func makeEventBase() -> OpaquePointer? {
        guard let configuration = event_config_new() else { return nil }
        defer { event_config_free(configuration) }
        event_config_set_flag(configuration, Int32(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST.rawValue))
        return event_base_new_with_config(configuration)
    }

    /// Sets who answers requests and where each request is logged. Call before `run()`.
    public func serve(_ responder: HTTPResponder, accessLog: ((AccessLogEntry) -> Void)?) {
        self.responder = responder
        self.accessLog = accessLog
        responder.attach(self)
    }

    /// Runs the event loop until SIGINT or SIGTERM. SIGPIPE is ignored so a client that hangs
    /// up mid-answer costs only its connection.
    ///
    /// `ready` runs once the signal handlers are in place and just before the loop starts, so a
    /// signal sent as soon as a readiness line appears is always a clean stop.
    public func run(whenReady ready: () -> Void) {
        signal(SIGPIPE, SIG_IGN)
        // A child inherits its parent's blocked signals (test runners often block these).
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for number in [SIGINT, SIGTERM] { sigaddset(&stopSignals, number) }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        for number in [SIGINT, SIGTERM] {
            let event = clibevent_signal_new(base, number, { _, _, argument in
                guard let argument else { return }
                event_base_loopexit(OpaquePointer(argument), nil)
            }, UnsafeMutableRawPointer(base))
            if let event {
                event_add(event, nil)
                signalEvents.append(event)
            }
        }
        if let logFlush {
            var interval = Glibc.timeval(tv_sec: 0, tv_usec: LogBuffer.flushIntervalMilliseconds * 1000)
            event_add(logFlush, &interval)
        }
        ready()
        event_base_dispatch(base)
        logBuffer.flush()
    }

    // MARK: - Accepting

    /// evhttp's hook at accept(2): the connection's bufferevent is made here so that the server
    /// sees its bytes (`Connection`) and counts it. evhttp attaches its connection afterwards;
    /// `registerAccepted` picks that up once this pass of the loop is over.
    private func accepted(on base: OpaquePointer) -> OpaquePointer? {
        // Without BEV_OPT_CLOSE_ON_FREE, as evhttp makes its own: evhttp then closes the socket
        // as it frees the connection, instead of libevent closing it later in the loop, so a
        // closed connection gives its descriptor back before the next accept.
        guard let bufferevent = bufferevent_socket_new(base, -1, 0) else { return nil }
        bufferevent_set_max_single_write(bufferevent, limits.socketTransferBytes)
        // Keeps the bufferevent valid for `registerAccepted` even if evhttp drops it first.
        bufferevent_incref(bufferevent)
        let connection = Connection(server: self, bufferevent: bufferevent)
        connections[Int(bitPattern: bufferevent)] = connection
        unregistered.append(connection)
        if let registration { event_active(registration, Int32(EV_TIMEOUT), 0) }
        if descriptorsExhausted {
            descriptorsExhausted = false
            log?("accepting connections again (\(connections.count) open)")
        }
        updateAccepting()
        return bufferevent
    }

    private func registerAccepted() {
        for connection in unregistered {
            var argument: UnsafeMutableRawPointer?
            bufferevent_getcb(connection.bufferevent, nil, nil, nil, &argument)
            if let evcon = argument.map(OpaquePointer.init) {
                connection.attach(to: evcon)
            } else {
                // evhttp gave up on it during accept and freed it (which clears its callbacks).
                closed(connection)
            }
            bufferevent_decref(connection.bufferevent)
        }
        unregistered.removeAll()
    }

    /// Called when evhttp frees a connection (or when it was dropped before registration).
    func closed(_ connection: Connection) {
        connection.detach()
        connections.removeValue(forKey: Int(bitPattern: connection.bufferevent))
        if waitingForDescriptors {
            // A descriptor was just freed: no need to wait for the retry timer.
            waitingForDescriptors = false
            if let acceptRetry { event_del(acceptRetry) }
        }
        updateAccepting()
    }

    private func acceptFailed(_ error: Int32) {
        switch error {
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
            if !descriptorsExhausted {
                descriptorsExhausted = true
                let shortage = error == EMFILE || error == ENFILE ? "file descriptors" : "memory"
                log?("out of \(shortage) with \(connections.count) connections open (accept: \(String(cString: strerror(error)))); not accepting until one closes, trying again every \(Self.format(limits.acceptRetrySeconds)) s")
            }
            waitingForDescriptors = true
            var delay = Self.timeval(seconds: limits.acceptRetrySeconds)
            if let acceptRetry { event_add(acceptRetry, &delay) }
            updateAccepting()
        default:
            log?("accept failed: \(String(cString: strerror(error)))")
        }
    }

    /// Pauses or resumes the listener (disabled, so a full backlog waits in the kernel rather than
    /// waking the loop), with one log line per pause at the connection limit and per resumption.
    private func updateAccepting() {
        guard let listener else { return }
        let atLimit = connections.count >= limits.maximumConnections
        if atLimit != pausedAtLimit {
            pausedAtLimit = atLimit
            log?(atLimit
                ? "not accepting connections: \(connections.count) open, the limit (--max-connections)"
                : "accepting connections again (\(connections.count) open)")
        }
        let shouldAccept = !atLimit && !waitingForDescriptors
        guard shouldAccept != accepting else { return }
        accepting = shouldAccept
        if shouldAccept { evconnlistener_enable(listener) } else { evconnlistener_disable(listener) }
    }

    // MARK: - Requests

    private func handle(_ request: OpaquePointer) {
        let started = Self.monotonicMicroseconds()
        let method = Self.methodName(evhttp_request_get_command(request))
        let target = evhttp_request_get_uri(request).map { String(cString: $0) } ?? "/"
        let connection = self.connection(of: request)
        connection?.willAnswer(request)
        let incoming = HTTPRequest(
            method: method, target: target, headers: Self.headers(of: request),
            body: connection?.takeAssembledBody() ?? Self.body(of: request), remoteAddress: Self.peerAddress(of: request))
        let reply = responder?.reply(to: incoming)
            ?? .answer(HTTPResponse(status: 503, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: Array("not ready\n".utf8)))
        let isHead = method == "HEAD"
        switch reply {
        case .answer(let response):
            send(response, to: request, isHead: isHead, on: connection)
            logAccess(method: method, target: target, status: response.status, started: started)
        case .delayed(let response, let milliseconds):
            // Scheduled replies go down with the server (`deinit`), so it outlives them.
            schedule(after: milliseconds) { [unowned self] in
                // The connection may have closed meanwhile: evhttp then left the request to us, and
                // sending it frees it.
                send(response, to: request, isHead: isHead, on: self.connection(of: request))
                logAccess(method: method, target: target, status: response.status, started: started)
            }
        case .drop(let milliseconds):
            schedule(after: milliseconds) { [unowned self] in
                if let evcon = evhttp_request_get_connection(request) {
                    // Frees the request with the connection (and drops its Connection through the close callback).
                    evhttp_connection_free(evcon)
                } else {
                    evhttp_request_free(request)
                }
                logAccess(method: method, target: target, status: 0, started: started)
            }
        case .stream(let opening):
            guard !isHead, let connection else {
                send(opening.response, to: request, isHead: isHead, on: connection)
                responder?.streamEnded(opening.id)
                logAccess(method: method, target: target, status: opening.response.status, started: started)
                return
            }
            addHeaders(opening.response.headers, to: request)
            // Without a Content-Length an HTTP/1.1 answer is chunked; an HTTP/1.0 one ends with the connection.
            opening.response.reasonPhrase.withCString { evhttp_send_reply_start(request, Int32(opening.response.status), $0) }
            streams[opening.id] = connection
            connection.startStream(opening, for: request)
            logAccess(method: method, target: target, status: opening.response.status, started: started)
        }
    }

    private func logAccess(method: String, target: String, status: Int, started: Int) {
        accessLog?(AccessLogEntry(
            method: method, target: target, status: status,
            microseconds: Self.monotonicMicroseconds() - started, refused: false))
    }

    /// Runs `action` on the loop once `milliseconds` have passed; the loop serves others meanwhile.
    private func schedule(after milliseconds: Int, _ action: @escaping () -> Void) {
        let reply = ScheduledReply(server: self, action: action)
        guard let event = event_new(base, -1, 0, { _, _, argument in
            guard let argument else { return }
            let reply = Unmanaged<ScheduledReply>.fromOpaque(argument).takeUnretainedValue()
            reply.server.fire(reply)
        }, Unmanaged.passUnretained(reply).toOpaque()) else {
            action()
            return
        }
        reply.event = event
        scheduled[ObjectIdentifier(reply)] = reply
        var delay = Self.timeval(seconds: Double(max(0, milliseconds)) / 1000)
        event_add(event, &delay)
    }

    private func fire(_ reply: ScheduledReply) {
        scheduled.removeValue(forKey: ObjectIdentifier(reply))
        event_free(reply.event)
        reply.action()
    }

    /// Called by a stream's connection as it closes (or as the server stops).
    func streamClosed(_ id: HTTPStreamID) {
        guard streams.removeValue(forKey: id) != nil else { return }
        responder?.streamEnded(id)
    }

    private func send(_ response: HTTPResponse, to request: OpaquePointer, isHead: Bool, on connection: Connection?) {
        addHeaders(response.headers, to: request)
        let outputHeaders = evhttp_request_get_output_headers(request)
        guard !isHead, !response.body.isEmpty, let connection else {
            // evhttp would send a HEAD body anyway and break keep-alive: say the length a GET
            // would carry and send no bytes. (Without a connection evhttp only frees the request.)
            if isHead { evhttp_add_header(outputHeaders, "Content-Length", String(response.body.count)) }
            response.reasonPhrase.withCString { evhttp_send_reply(request, Int32(response.status), $0, nil) }
            return
        }
        makeRoom(for: response.body, besides: connection)
        connection.writeAnswer(response.body, status: response.status, reason: response.reasonPhrase, for: request)
    }

    /// Closes the connections whose answers made no progress for longest until `body` fits
    /// `maximumHeldAnswerBytes`. The answer itself always goes out: it is built, and may be the
    /// answer to a write that has changed the state, which a refusal would misreport.
    private func makeRoom(for body: [UInt8], besides connection: Connection) {
        let budget = limits.maximumHeldAnswerBytes
        guard heldAnswers.bytes(afterHolding: body) > budget else { return }
        let stalled = connections.values
            .filter { $0 !== connection && $0.isWritingAnswer }
            .sorted { $0.lastProgressAt < $1.lastProgressAt }
        var closed = 0
        for other in stalled where heldAnswers.bytes(afterHolding: body) > budget {
            other.close()
            closed += 1
        }
        if closed > 0 {
            log?("closed \(closed) connection(s) not reading their answers: answers held for clients would pass \(limits.maximumHeldAnswerBytes / (1024 * 1024)) MiB (--max-answer-memory)")
        }
    }

    private func addHeaders(_ headers: HTTPHeaders, to request: OpaquePointer) {
        guard let list = evhttp_request_get_output_headers(request) else { return }
        OutputHeaders.add(headers, date: httpDate(), to: list)
    }

    private func connection(of request: OpaquePointer) -> Connection? {
        guard let evcon = evhttp_request_get_connection(request),
              let bufferevent = evhttp_connection_get_bufferevent(evcon)
        else { return nil }
        return connections[Int(bitPattern: bufferevent)]
    }

    /// The bytes of an answer the server gives on its own, before evhttp has seen the request:
    /// the responder's body and headers, and `Connection: close` (the request's own bytes are
    /// not read to their end, so the connection cannot carry another).
    func refusalBytes(_ refusal: RequestFramer.Refusal) -> [UInt8] {
        let started = Self.monotonicMicroseconds()
        let response = responder?.refusal(status: refusal.status, message: refusal.message)
            ?? HTTPResponse(status: refusal.status, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: Array("\(refusal.message)\n".utf8))
        var head = "HTTP/1.1 \(response.status) \(response.reasonPhrase)\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += "Date: \(httpDate())\r\nContent-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        accessLog?(AccessLogEntry(
            method: refusal.method ?? "-", target: refusal.target ?? "-", status: response.status,
            microseconds: Self.monotonicMicroseconds() - started, refused: true))
        return Array(head.utf8) + response.body
    }

    private static func headers(of request: OpaquePointer) -> HTTPHeaders {
        var headers = HTTPHeaders()
        guard let list = evhttp_request_get_input_headers(request) else { return headers }
        var count = 0
        var entry = list.pointee.tqh_first
        while let current = entry {
            count += 1
            entry = current.pointee.next.tqe_next
        }
        headers.reserve(count)
        entry = list.pointee.tqh_first
        while let current = entry {
            if let key = current.pointee.key, let value = current.pointee.value {
                headers.add(String(cString: key), String(cString: value))
            }
            entry = current.pointee.next.tqe_next
        }
        return headers
    }

    private static func body(of request: OpaquePointer) -> [UInt8] {
        guard let buffer = evhttp_request_get_input_buffer(request) else { return [] }
        let length = evbuffer_get_length(buffer)
        guard length > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: length) { bytes, count in
            count = max(evbuffer_copyout(buffer, bytes.baseAddress, length), 0)
        }
    }

    private static func peerAddress(of request: OpaquePointer) -> String? {
        guard let connection = evhttp_request_get_connection(request) else { return nil }
        var address: UnsafeMutablePointer<CChar>?
        var port: UInt16 = 0
        evhttp_connection_get_peer(connection, &address, &port)
        return address.map { String(cString: $0) }
    }

    private static func methodName(_ command: evhttp_cmd_type) -> String {
        switch command {
        case EVHTTP_REQ_GET: return "GET"
        case EVHTTP_REQ_HEAD: return "HEAD"
        case EVHTTP_REQ_POST: return "POST"
        case EVHTTP_REQ_PUT: return "PUT"
        case EVHTTP_REQ_DELETE: return "DELETE"
        case EVHTTP_REQ_PATCH: return "PATCH"
        case EVHTTP_REQ_OPTIONS: return "OPTIONS"
        case EVHTTP_REQ_TRACE: return "TRACE"
        case EVHTTP_REQ_CONNECT: return "CONNECT"
        default: return "OTHER"
        }
    }

    static func monotonicMicroseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec * 1_000_000 + now.tv_nsec / 1000
    }

    static func timeval(seconds: Double) -> Glibc.timeval {
        let microseconds = max(0, Int((seconds * 1_000_000).rounded()))
        return Glibc.timeval(tv_sec: microseconds / 1_000_000, tv_usec: microseconds % 1_000_000)
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    /// RFC 9110's IMF-fixdate of now, as evhttp writes it, made once a second: evhttp would
    /// format it for every answer.
    private func httpDate() -> String {
        let now = time(nil)
        if now != date.second {
            var seconds = now
            var parts = tm()
            gmtime_r(&seconds, &parts)
            var text = [CChar](repeating: 0, count: 64)
            let count = strftime(&text, text.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
            date = (now, String(decoding: text[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return date.text
    }
}

extension EventHTTPServer: HTTPStreamOutlet {
    @discardableResult
    public func write(_ bytes: [UInt8], to stream: HTTPStreamID) -> Bool {
        guard let connection = streams[stream] else { return false }
        return connection.writeStream(bytes)
    }
}

/// An answer or a drop waiting for its timer; owned by `EventHTTPServer.scheduled` until it fires.
private final class ScheduledReply {
    let action: () -> Void
    var event: OpaquePointer!
    /// The server frees its scheduled replies as it goes, so it outlives them (and holding it
    /// weakly would put every reference count of the server on the slow path).
    unowned let server: EventHTTPServer

    init(server: EventHTTPServer, action: @escaping () -> Void) {
        self.server = server
        self.action = action
    }
}
