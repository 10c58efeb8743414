import CLibevent
import Glibc
import MockHTTP

/// What the server knows of one client connection beyond evhttp: the bytes it has sent (framed by
/// `RequestFramer` as they arrive, before evhttp reads them), the deadline of the request in
/// progress, a refusal owed to it, and the answer being written (lent to libevent, piece by piece
/// when large, and held in `HeldAnswers` until written).
///
/// Owned by `EventHTTPServer.connections` from accept until evhttp's close callback; libevent's
/// callbacks (input buffer, timer, close, completion, piece written) hold it unretained.
final class Connection {
    let bufferevent: OpaquePointer
    private unowned let server: EventHTTPServer
    /// The server's, held here too: the connection releases its answer while the server is
    /// being destroyed (`abandon`), when `server` can no longer be reached.
    private let heldAnswers: HeldAnswers
    /// The server's too, for the same reason: a connection gives back its body's reservation as
    /// it goes, whenever that is.
    private let assembledBodies: AssembledBodyBudget
    private var evcon: OpaquePointer?
    private var inputCallback: OpaquePointer?
    private var timer: OpaquePointer?
    /// When the connection is to be closed (`arm`), if it is to be.
    private var deadline: Int?
    /// When the pending timer fires; `nil` when it is not pending.
    private var timerExpiry: Int?
    private var framer: RequestFramer
    /// Bytes ever added to the input buffer (so a position in the stream maps to one in the buffer).
    private var bytesAdded = 0
    private var requestStartedAt = 0
    /// Requests whose heads were accepted and that evhttp has not finished answering.
    private var unansweredRequests = 0
    /// A refusal that waits for the answers to the requests before it.
    private var pendingRefusal: [UInt8]?
    private var refusalSent = false
    /// Set while the server itself rearranges the input buffer, whose callback must ignore that.
    private var rearranging = false
    /// Set while `readBodyAhead` adds stand-ins to the input buffer: its callback counts them but
    /// must not copy them.
    private var readingBodyAhead = false
    /// Heads the framer accepted, and requests evhttp handed over (`willAnswer`), so far.
    private var headsSeen = 0
    private var requestsHandled = 0
    /// The large body being received or waiting for its request to be handled; one at a time.
    private var assembled: AssembledBody?
    /// The answer being written, held (`HeldAnswers`) until it is written or the connection closes.
    private var answer: HeldAnswers.Body?
    /// For an answer passed on in pieces: its request and how much of it has been handed over.
    private var outgoing: (request: OpaquePointer, sent: Int)?
    /// When the answer being written last moved (handed over, or a piece of it written): the
    /// connection stalled longest is the first closed when held answers pass their budget.
    private(set) var lastProgressAt = 0
    /// An answer of unknown length in progress (`HTTPReply.stream`).
    private var stream: (id: HTTPStreamID, request: OpaquePointer, maximumBufferedBytes: Int)?
    private var keepAlive: (event: OpaquePointer, bytes: [UInt8])?
    /// Set once the stream is to close; nothing more is written to it.
    private var streamEnding = false

    init(server: EventHTTPServer, bufferevent: OpaquePointer) {
        self.server = server
        self.bufferevent = bufferevent
        self.heldAnswers = server.heldAnswers
        self.assembledBodies = server.assembledBodies
        self.framer = RequestFramer(maximumHeadBytes: server.limits.maximumHeaderBytes)
        inputCallback = evbuffer_add_cb(bufferevent_get_input(bufferevent), { buffer, info, argument in
            guard let buffer, let info, let argument, info.pointee.n_added > 0 else { return }
            Unmanaged<Connection>.fromOpaque(argument).takeUnretainedValue().received(info.pointee.n_added, in: buffer)
        }, me)
    }

    deinit {
        dropAssembledBody()
    }

    private var me: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Binds to evhttp's connection, which now exists.
    func attach(to evcon: OpaquePointer) {
        self.evcon = evcon
        evhttp_connection_set_closecb(evcon, { _, argument in
            guard let argument else { return }
            let connection = Unmanaged<Connection>.fromOpaque(argument).takeUnretainedValue()
            connection.server.closed(connection)
        }, me)
        // evhttp gives reading and writing one timeout; a stalled reader gets its own.
        var idle = EventHTTPServer.timeval(seconds: server.limits.idleTimeoutSeconds)
        var send = EventHTTPServer.timeval(seconds: server.limits.sendTimeoutSeconds)
        bufferevent_set_timeouts(bufferevent, &idle, &send)
    }

    /// Lets go of libevent while the server shuts down (and so without calling back into it:
    /// evhttp_free frees a stream's request with its connection).
    func abandon() {
        if let evcon { evhttp_connection_set_closecb(evcon, nil, nil) }
        stream = nil
        detach()
    }

    /// Lets go of libevent before evhttp frees the connection.
    func detach() {
        if let timer {
            event_free(timer)
            self.timer = nil
            timerExpiry = nil
        }
        if let inputCallback {
            evbuffer_remove_cb_entry(bufferevent_get_input(bufferevent), inputCallback)
            self.inputCallback = nil
        }
        // evhttp hands a half-sent request back to its owner when the client goes away.
        if let outgoing, evhttp_request_get_connection(outgoing.request) == nil {
            evhttp_send_reply_end(outgoing.request)
        }
        outgoing = nil
        releaseAnswer()
        if let keepAlive {
            event_free(keepAlive.event)
            self.keepAlive = nil
        }
        if let stream {
            self.stream = nil
            if evhttp_request_get_connection(stream.request) == nil { evhttp_send_reply_end(stream.request) }
            server.streamClosed(stream.id)
        }
    }

    // MARK: - Incoming bytes

    private func received(_ count: Int, in buffer: OpaquePointer) {
        guard !rearranging else { return }
        bytesAdded += count
        let length = evbuffer_get_length(buffer)
        if refusalSent {
            rearrange { evbuffer_drain(buffer, length) }
            return
        }
        if pendingRefusal != nil {
            truncate(buffer, keeping: length - count)
            return
        }
        var position = length - count
        while position < length {
            // Body bytes are passed over without being looked at (finding them in the buffer
            // walks its chain of blocks from the start, which a large body makes long).
            let (skipped, event) = framer.skipBody(upTo: length - position)
            if skipped > 0 {
                if !readingBodyAhead { assemble(skipped, at: position, of: buffer) }
                position += skipped
                if let event, !handle(event, in: buffer) { return }
                continue
            }
            // The rest is read where libevent holds it, one contiguous extent at a time.
            var extent = iovec()
            var start = evbuffer_ptr()
            evbuffer_ptr_set(buffer, &start, position, EVBUFFER_PTR_SET)
            guard evbuffer_peek(buffer, length - position, &start, &extent, 1) > 0, let base = extent.iov_base else { return }
            let bytes = UnsafeRawBufferPointer(start: base, count: min(extent.iov_len, length - position))
            var index = 0
            while index < bytes.count, framer.skippable == 0 {
                if framer.isIdle { requestStarted() }
                let (consumed, event) = framer.read(UnsafeRawBufferPointer(rebasing: bytes[index...])) { [server] method, target in
                    server.responder?.maximumBodyBytes(method: method, target: target) ?? 0
                }
                index += consumed
                if let event, !handle(event, in: buffer) { return }
            }
            position += index
        }
        readBodyAhead(into: buffer)
    }

    /// Copies `count` body bytes at `position` of the input buffer (libevent read them itself)
    /// into the body being assembled, if it is this request's.
    private func assemble(_ count: Int, at position: Int, of buffer: OpaquePointer) {
        // Scalars only: a copy of the body held here would make writing into it copy its bytes.
        guard assembled?.request == headsSeen, let filled = assembled?.filled, let length = assembled?.length, filled + count <= length else { return }
        var start = evbuffer_ptr()
        evbuffer_ptr_set(buffer, &start, position, EVBUFFER_PTR_SET)
        let copied = assembled!.bytes.withUnsafeMutableBytes { bytes in
            evbuffer_copyout_from(buffer, &start, bytes.baseAddress! + filled, count)
        }
        assembled!.filled += max(copied, 0)
    }

    /// Reads what the socket already holds of the body being assembled straight into it, in
    /// pieces of up to `socketTransferBytes`, while libevent is in the middle of its own read;
    /// evhttp, called after it, is handed as many stand-in bytes (`bodyStandIn`, by reference),
    /// which is all it needs to see the body complete. libevent 2.1 reads 4 KiB a time, each
    /// through the event loop: a 94 MiB state took 25,000 passes of `epoll_wait`, `ioctl` and
    /// `readv`, and was then copied out of libevent's blocks. Never waits: only bytes the socket
    /// holds are read (`FIONREAD`), at most `maximumBodyBytesReadPerPass` of them; the end of the
    /// stream and errors are left for libevent's next read to find. The framer counts the
    /// stand-ins as it counts libevent's bytes (the buffer's callback sees them).
    private func readBodyAhead(into buffer: OpaquePointer) {
        guard !readingBodyAhead, let standIn = server.bodyStandIn, assembled?.request == headsSeen,
              var filled = assembled?.filled, let length = assembled?.length else { return }
        readingBodyAhead = true
        defer { readingBodyAhead = false }
        let socket = bufferevent_getfd(bufferevent)
        var budget = server.limits.maximumBodyBytesReadPerPass
        while case let wanted = min(length - filled, budget, server.limits.socketTransferBytes), wanted > 0 {
            var available: Int32 = 0
            guard ioctl(socket, UInt(FIONREAD), &available) == 0, available > 0 else { return }
            let read = assembled!.bytes.withUnsafeMutableBytes { bytes in
                Glibc.read(socket, bytes.baseAddress! + filled, min(wanted, Int(available)))
            }
            guard read > 0 else { return }
            filled += read
            assembled!.filled = filled
            budget -= read
            guard evbuffer_add_reference(buffer, standIn, read, nil, nil) == 0 else { return }
        }
    }

    private func dropAssembledBody() {
        guard let body = assembled else { return }
        assembledBodies.release(body.length)
        assembled = nil
    }

    /// The body of the request evhttp hands over now, if it was assembled here.
    func takeAssembledBody() -> [UInt8]? {
        guard let body = assembled, body.request == requestsHandled else { return nil }
        dropAssembledBody()
        // Every body byte passed the framer: a body evhttp found complete is complete here.
        assert(body.filled == body.length, "an assembled body misses \(body.length - body.filled) bytes")
        return body.bytes
    }

    /// Answers whether to go on reading the bytes that arrived.
    private func handle(_ event: RequestFramer.Event, in buffer: OpaquePointer) -> Bool {
        switch event {
        case .head(let bodyFollows):
            unansweredRequests += 1
            headsSeen += 1
            let length = framer.fixedBodyBytesToCome
            if assembled == nil, server.bodyStandIn != nil, length >= server.limits.socketTransferBytes, assembledBodies.reserve(length) {
                assembled = AssembledBody(request: headsSeen, length: length)
            }
            if bodyFollows {
                arm(at: requestStartedAt + Self.microseconds(server.limits.bodyTimeoutSeconds))
            } else {
                disarm()
            }
        case .complete:
            disarm()
        case .refused(let refusal):
            refuse(refusal, in: buffer)
            return false
        }
        return true
    }

    private func requestStarted() {
        requestStartedAt = EventHTTPServer.monotonicMicroseconds()
        arm(at: requestStartedAt + Self.microseconds(server.limits.headerTimeoutSeconds))
    }

    /// Answers a request evhttp has not parsed (or has not finished parsing) and never will: its
    /// bytes are taken out of evhttp's sight, and everything the client sends after them is
    /// discarded until it closes or `refusalLingerSeconds` pass.
    private func refuse(_ refusal: RequestFramer.Refusal, in buffer: OpaquePointer) {
        let bytes = server.refusalBytes(refusal)
        let length = evbuffer_get_length(buffer)
        // A request refused in its body was counted at its head; evhttp will not answer it now.
        if refusal.inBody {
            unansweredRequests -= 1
            if assembled?.request == headsSeen { dropAssembledBody() }
        }
        if unansweredRequests == 0 {
            rearrange { evbuffer_drain(buffer, length) }
            transmit(bytes)
        } else {
            truncate(buffer, keeping: framer.requestStart - (bytesAdded - length))
            pendingRefusal = bytes
            // The answers before it run on their own timeouts; the refused request's deadline
            // must not cut them short.
            disarm()
        }
    }

    /// Writes the refusal straight to the socket (nothing of evhttp's is pending there: it
    /// answers one request at a time and this one is not its), ends the sending side, and gives
    /// the client `refusalLingerSeconds` to stop sending before the connection is closed.
    private func transmit(_ bytes: [UInt8]) {
        let output = bufferevent_get_output(bufferevent)
        evbuffer_drain(output, evbuffer_get_length(output))
        let descriptor = bufferevent_getfd(bufferevent)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
        shutdown(descriptor, Int32(SHUT_WR))
        refusalSent = true
        arm(at: EventHTTPServer.monotonicMicroseconds() + Self.microseconds(server.limits.refusalLingerSeconds))
    }

    private func truncate(_ buffer: OpaquePointer, keeping kept: Int) {
        let length = evbuffer_get_length(buffer)
        guard kept < length, let front = evbuffer_new() else { return }
        rearrange {
            evbuffer_remove_buffer(buffer, front, max(0, kept))
            evbuffer_drain(buffer, evbuffer_get_length(buffer))
            evbuffer_add_buffer(buffer, front)
        }
        evbuffer_free(front)
    }

    private func rearrange(_ change: () -> Void) {
        rearranging = true
        change()
        rearranging = false
    }

    // MARK: - Deadlines

    /// Sets when the connection is closed unless something moves the deadline first. The timer
    /// is only rescheduled when the deadline comes before it would fire: a connection serving
    /// request after request keeps one pending timer instead of adding and removing one each time.
    private func arm(at deadline: Int) {
        self.deadline = deadline
        if let timerExpiry, timerExpiry <= deadline { return }
        if timer == nil {
            timer = event_new(server.base, -1, 0, { _, _, argument in
                guard let argument else { return }
                Unmanaged<Connection>.fromOpaque(argument).takeUnretainedValue().timerFired()
            }, me)
        }
        guard let timer else { return }
        timerExpiry = deadline
        var delay = EventHTTPServer.timeval(
            seconds: Double(max(0, deadline - EventHTTPServer.monotonicMicroseconds())) / 1_000_000)
        event_add(timer, &delay)
    }

    /// Drops the deadline; a pending timer then finds none when it fires.
    private func disarm() {
        deadline = nil
    }

    private func timerFired() {
        timerExpiry = nil
        guard let deadline else { return }
        if EventHTTPServer.monotonicMicroseconds() >= deadline {
            close()
        } else {
            arm(at: deadline)
        }
    }

    /// Frees the connection; evhttp's close callback then drops this object (and its answer).
    func close() {
        if let evcon { evhttp_connection_free(evcon) }
    }

    private static func microseconds(_ seconds: Double) -> Int {
        Int((seconds * 1_000_000).rounded())
    }

    // MARK: - Answers

    /// Called as evhttp hands over a request: its completion is counted, and a refusal waiting
    /// behind it goes out once the last answer before it is written.
    func willAnswer(_ request: OpaquePointer) {
        requestsHandled += 1
        evhttp_request_set_on_complete_cb(request, { _, argument in
            guard let argument else { return }
            Unmanaged<Connection>.fromOpaque(argument).takeUnretainedValue().answered()
        }, me)
    }

    private func answered() {
        releaseAnswer()
        unansweredRequests -= 1
        guard unansweredRequests == 0, let refusal = pendingRefusal else { return }
        pendingRefusal = nil
        let input = bufferevent_get_input(bufferevent)
        rearrange { evbuffer_drain(input, evbuffer_get_length(input)) }
        transmit(refusal)
    }

    var isWritingAnswer: Bool { answer != nil }

    /// Sends the reply to `request` with `body`, which libevent takes by reference: whole when it
    /// is at most `maximumBufferedOutputBytes`, else in pieces of that size, the next once the last
    /// has been written to the socket (so progress is seen piece by piece).
    func writeAnswer(_ body: [UInt8], status: Int, reason: String, for request: OpaquePointer) {
        let held = heldAnswers.hold(body)
        releaseAnswer()
        answer = held
        lastProgressAt = EventHTTPServer.monotonicMicroseconds()
        if held.bytes.count > server.limits.maximumBufferedOutputBytes {
            evhttp_add_header(evhttp_request_get_output_headers(request), "Content-Length", String(held.bytes.count))
            reason.withCString { evhttp_send_reply_start(request, Int32(status), $0) }
            outgoing = (request, 0)
            sendNextPiece()
            return
        }
        if let output = evhttp_request_get_output_buffer(request) { held.add(0..<held.bytes.count, to: output) }
        reason.withCString { evhttp_send_reply(request, Int32(status), $0, nil) }
    }

    private func sendNextPiece() {
        guard let (request, sent) = outgoing, let answer else { return }
        lastProgressAt = EventHTTPServer.monotonicMicroseconds()
        guard sent < answer.bytes.count else {
            outgoing = nil
            // May finish the connection (and drop this object): nothing may follow.
            evhttp_send_reply_end(request)
            return
        }
        guard let piece = evbuffer_new() else { return }
        let end = min(answer.bytes.count, sent + server.limits.maximumBufferedOutputBytes)
        answer.add(sent..<end, to: piece)
        outgoing = (request, end)
        evhttp_send_reply_chunk_with_cb(request, piece, { _, argument in
            guard let argument else { return }
            Unmanaged<Connection>.fromOpaque(argument).takeUnretainedValue().sendNextPiece()
        }, me)
        evbuffer_free(piece)
    }

    private func releaseAnswer() {
        guard let answer else { return }
        self.answer = nil
        heldAnswers.release(answer)
    }

    // MARK: - Streams

    /// Begins an answer of unknown length (the reply has been started without a length): the
    /// opening's bytes now, its keep-alive bytes on a timer, the rest as `writeStream` brings it.
    func startStream(_ opening: HTTPStreamOpening, for request: OpaquePointer) {
        stream = (opening.id, request, opening.maximumBufferedBytes)
        // The client sends nothing while it listens: no idle timeout on reading, only the send timeout.
        var send = EventHTTPServer.timeval(seconds: server.limits.sendTimeoutSeconds)
        bufferevent_set_timeouts(bufferevent, nil, &send)
        if let (bytes, seconds) = opening.keepAlive, let event = event_new(server.base, -1, Int16(EV_PERSIST), { _, _, argument in
            guard let argument else { return }
            let connection = Unmanaged<Connection>.fromOpaque(argument).takeUnretainedValue()
            if let bytes = connection.keepAlive?.bytes { connection.writeStream(bytes) }
        }, me) {
            keepAlive = (event, bytes)
            var interval = EventHTTPServer.timeval(seconds: seconds)
            event_add(event, &interval)
        }
        if !opening.response.body.isEmpty { writeStream(opening.response.body) }
    }

    /// Appends to the stream; past its buffer limit the stream ends instead (its connection closes
    /// on the next turn of the loop, so no caller of this sees the connection vanish).
    @discardableResult
    func writeStream(_ bytes: [UInt8]) -> Bool {
        guard let stream, !streamEnding else { return false }
        let buffered = evbuffer_get_length(bufferevent_get_output(bufferevent))
        guard buffered + bytes.count <= stream.maximumBufferedBytes else {
            streamEnding = true
            arm(at: EventHTTPServer.monotonicMicroseconds())
            return false
        }
        guard let piece = evbuffer_new() else { return false }
        bytes.withUnsafeBytes { _ = evbuffer_add(piece, $0.baseAddress, $0.count) }
        evhttp_send_reply_chunk(stream.request, piece)
        evbuffer_free(piece)
        return true
    }
}

/// A body of known length of at least `socketTransferBytes`, written into its final bytes as it
/// arrives instead of being gathered in libevent's blocks and copied out whole when evhttp hands
/// the request over: the bytes libevent read itself are copied in as they come (a few KiB a pass),
/// the rest are read from the socket into it (`Connection.readBodyAhead`). Its length of address
/// space is taken when the head arrives; its pages are used as bytes arrive.
private struct AssembledBody {
    /// Which request of the connection it belongs to (1 for the first head seen).
    let request: Int
    var bytes: [UInt8]
    var filled = 0
    var length: Int { bytes.count }

    init(request: Int, length: Int) {
        self.request = request
        // Written before it is read: every byte comes from the socket.
        bytes = [UInt8](unsafeUninitializedCapacity: length) { _, initializedCount in initializedCount = length }
    }
}

/// The address space taken by the bodies being assembled, all connections together, against
/// `EventHTTPServer.Limits.maximumAssembledBodyBytes`. Only the event loop's thread uses it.
final class AssembledBodyBudget {
    private let limit: Int
    private var reserved = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes `bytes` if they fit; a body that does not is read by libevent alone.
    func reserve(_ bytes: Int) -> Bool {
        guard bytes <= limit - reserved else { return false }
        reserved += bytes
        return true
    }

    func release(_ bytes: Int) {
        reserved -= bytes
    }
}
