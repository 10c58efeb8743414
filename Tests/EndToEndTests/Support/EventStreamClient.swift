import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Server-Sent-Events reader over one socket: sends the request, then collects what arrives
/// (the head, then the chunked body decoded) and parses `id:`/`event:`/`data:` records.
final class EventStreamClient {
    struct Event: Equatable {
        var id: Int?
        var type: String?
        var data: String
    }

    private var descriptor: Int32
    private var raw: [UInt8] = []
    private var headEnd: Int?
    /// The decoded body so far.
    private(set) var body: [UInt8] = []
    private var undecoded = 0
    private(set) var closed = false

    /// Connects and sends `GET target`. `receiveBuffer` shrinks the socket's receive buffer (set
    /// before connecting), for tests of a client that does not read.
    init(port: Int, target: String, headers: [(String, String)] = [], receiveBuffer: Int32? = nil) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HTTPClientError("socket() failed") }
        if var size = receiveBuffer {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw HTTPClientError("connect failed: errno \(errno)")
        }
        var text = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    deinit { close() }

    func close() {
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
    }

    /// The head's text once it has arrived.
    var head: String? { headEnd.map { String(decoding: raw[..<$0], as: UTF8.self) } }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// Every complete event record in the body so far (comments left out).
    var events: [Event] {
        var result: [Event] = []
        for record in text.components(separatedBy: "\n\n").dropLast() {
            var event = Event(id: nil, type: nil, data: "")
            var isEvent = false
            for line in record.split(separator: "\n") {
                if line.hasPrefix("id: ") { event.id = Int(line.dropFirst(4)); isEvent = true }
                if line.hasPrefix("event: ") { event.type = String(line.dropFirst(7)); isEvent = true }
                if line.hasPrefix("data: ") { event.data = String(line.dropFirst(6)); isEvent = true }
            }
            if isEvent { result.append(event) }
        }
        return result
    }

    /// Reads what arrives until `predicate` holds or `milliseconds` pass; answers whether it held.
    @discardableResult
    func waitFor(milliseconds: Int, until predicate: (EventStreamClient) -> Bool) -> Bool {
        let deadline = monotonicMilliseconds() + milliseconds
        while true {
            if predicate(self) { return true }
            let remaining = deadline - monotonicMilliseconds()
            if remaining <= 0 || closed { return predicate(self) }
            receive(waitingMilliseconds: Int32(remaining))
        }
    }

    // Waits without a closure at the call site: under Swift 6.3.1 some trailing-closure
    // predicates written inside `withServer` bodies came out true at once (a miscompile, it seems;
    // a variant crashed the compiler), so tests use these.

    /// Waits (bounded) until the head has arrived; answers whether it did.
    @discardableResult
    func waitForHead(milliseconds: Int = 5_000) -> Bool {
        waitFor(milliseconds: milliseconds, until: Self.hasHead)
    }

    /// Waits (bounded) until at least `count` events have arrived; answers whether they did.
    @discardableResult
    func waitForEvents(_ count: Int, milliseconds: Int = 2_000) -> Bool {
        let deadline = monotonicMilliseconds() + milliseconds
        while events.count < count, !closed, monotonicMilliseconds() < deadline {
            receive(waitingMilliseconds: Int32(max(1, deadline - monotonicMilliseconds())))
        }
        return events.count >= count
    }

    /// Waits (bounded) until the body holds `text`; answers whether it does.
    @discardableResult
    func waitForText(_ text: String, milliseconds: Int) -> Bool {
        let deadline = monotonicMilliseconds() + milliseconds
        while !self.text.contains(text), !closed, monotonicMilliseconds() < deadline {
            receive(waitingMilliseconds: Int32(max(1, deadline - monotonicMilliseconds())))
        }
        return self.text.contains(text)
    }

    /// Reads until the server closes the stream (bounded); answers whether it did.
    @discardableResult
    func waitForClose(milliseconds: Int) -> Bool {
        let deadline = monotonicMilliseconds() + milliseconds
        while !closed, monotonicMilliseconds() < deadline {
            receive(waitingMilliseconds: Int32(max(1, deadline - monotonicMilliseconds())))
        }
        return closed
    }

    private static func hasHead(_ client: EventStreamClient) -> Bool { client.head != nil }

    /// Reads once, waiting up to `waitingMilliseconds` for bytes.
    func receive(waitingMilliseconds: Int32) {
        guard descriptor >= 0, !closed else { return }
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, waitingMilliseconds) > 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count <= 0 {
            if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
            closed = true
            return
        }
        raw.append(contentsOf: chunk[..<count])
        decode()
    }

    /// Turns the chunked body after the head into `body`.
    private func decode() {
        if headEnd == nil {
            guard let end = raw.indices.dropLast(3).first(where: { raw[$0] == 13 && raw[$0 + 1] == 10 && raw[$0 + 2] == 13 && raw[$0 + 3] == 10 }) else { return }
            headEnd = end
            undecoded = end + 4
        }
        while true {
            guard let lineEnd = raw[undecoded...].indices.dropLast().first(where: { raw[$0] == 13 && raw[$0 + 1] == 10 }),
                  let size = Int(String(decoding: raw[undecoded..<lineEnd], as: UTF8.self), radix: 16)
            else { return }
            guard raw.count >= lineEnd + 2 + size + 2 else { return }
            body.append(contentsOf: raw[(lineEnd + 2)..<(lineEnd + 2 + size)])
            undecoded = lineEnd + 2 + size + 2
        }
    }
}
