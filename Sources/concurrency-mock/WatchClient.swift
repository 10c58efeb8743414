import Foundation
import Glibc

/// A small blocking HTTP/1.1 client over plain sockets, enough for `watch`: one request per
/// connection (`Connection: close`), answers framed by `Content-Length`, chunks or the end of
/// the connection, and a long-lived Server-Sent Events stream read as it arrives.
struct WatchClient {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Answer {
        let status: Int
        let body: [UInt8]

        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body)) }
    }

    let host: String
    let port: Int
    /// `Host` header value.
    let authority: String
    let token: String?

    /// `http://HOST[:PORT]` with an optional trailing slash; IPv6 literals in brackets.
    init(url: String, token: String?) throws {
        guard url.hasPrefix("http://") else { throw Failure(description: "--url must start with http://, not '\(url)'") }
        var rest = Substring(url.dropFirst(7))
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var host: Substring
        var port = 80
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { guard let value = Int(after.dropFirst()) else { throw Failure(description: "bad port in '\(url)'") }; port = value }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let value = Int(rest[rest.index(after: colon)...]) else { throw Failure(description: "bad port in '\(url)'") }
            port = value
        } else {
            host = rest
        }
        guard !host.isEmpty, (1...65_535).contains(port) else { throw Failure(description: "--url needs a host and port, not '\(url)'") }
        self.host = String(host)
        self.port = port
        self.authority = String(rest)
        self.token = token
    }

    /// Connects, or throws when the server cannot be reached.
    private func connect() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            let socket = Glibc.socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            if socket >= 0 {
                if Glibc.connect(socket, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 {
                    var timeout = timeval(tv_sec: 10, tv_usec: 0)
                    setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                    return socket
                }
                close(socket)
            }
            entry = current.pointee.ai_next
        }
        throw Failure(description: "cannot connect to \(authority)")
    }

    private func send(_ socket: Int32, method: String, path: String, accept: String, body: [UInt8]?) throws {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(authority)\r\nUser-Agent: concurrency-mock-watch\r\nAccept: \(accept)\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        var bytes = Array((head + "\r\n").utf8) + (body ?? [])
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.send(socket, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw Failure(description: "the connection to \(authority) broke while sending") }
            sent += count
        }
    }

    /// A whole answer.
    func request(_ method: String, _ path: String, body: [UInt8]? = nil, timeoutSeconds: Int = 10) throws -> Answer {
        let socket = try connect()
        defer { close(socket) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try send(socket, method: method, path: path, accept: "application/json", body: body)
        var reader = Reader(socket: socket)
        let (status, headers) = try reader.head()
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            while let chunk = try reader.chunk() { body += chunk }
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            body = try reader.bytes(length)
        } else {
            body = try reader.rest()
        }
        return Answer(status: status, body: body)
    }

    /// An open `text/event-stream` answer, read as it arrives.
    final class Stream {
        let socket: Int32
        private var reader: Reader
        private let chunked: Bool
        private var parser = ServerSentEvents()

        fileprivate init(socket: Int32, reader: Reader, chunked: Bool) {
            self.socket = socket
            self.reader = reader
            self.chunked = chunked
        }

        deinit { close(socket) }

        /// The server sends a heartbeat every 15 s: a stream silent for this long is broken.
        static let silenceSeconds: time_t = 45
        private var lastData = Stream.now()

        private static func now() -> time_t {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return time.tv_sec
        }

        /// Waits up to `milliseconds` for data; answers the events completed by it. Throws when
        /// the stream ended, broke or fell silent.
        func events(waiting milliseconds: Int32) throws -> [ServerSentEvents.Event] {
            if !reader.hasBuffered {
                var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, milliseconds)
                if ready <= 0 {
                    if Self.now() - lastData > Self.silenceSeconds { throw Failure(description: "the stream fell silent") }
                    return []
                }
            }
            lastData = Self.now()
            let bytes: [UInt8]
            if chunked {
                guard let chunk = try reader.chunk() else { throw Failure(description: "the stream ended") }
                bytes = chunk
            } else {
                bytes = try reader.some()
            }
            return parser.feed(bytes)
        }
    }

    /// Opens the stream; answers `nil` with the status when the server answered something else.
    func openStream(_ path: String) throws -> (Stream?, Int) {
        let socket = try connect()
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        do {
            try send(socket, method: "GET", path: path, accept: "text/event-stream", body: nil)
            var reader = Reader(socket: socket)
            let (status, headers) = try reader.head()
            guard status == 200, headers["content-type"]?.hasPrefix("text/event-stream") == true else {
                close(socket)
                return (nil, status)
            }
            // Heartbeats come every 15 s; a stream silent for a minute is taken as broken.
            var idle = timeval(tv_sec: 60, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &idle, socklen_t(MemoryLayout<timeval>.size))
            return (Stream(socket: socket, reader: reader, chunked: headers["transfer-encoding"]?.lowercased() == "chunked"), status)
        } catch {
            close(socket)
            throw error
        }
    }
}

/// Buffered reads from a socket.
private struct Reader {
    let socket: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(socket: Int32) { self.socket = socket }

    var hasBuffered: Bool { start < buffer.count }

    /// Reads more; false at the end of the connection.
    private mutating func fill() throws -> Bool {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(socket, &chunk, chunk.count, 0)
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw WatchClient.Failure(description: "the connection broke (\(String(cString: strerror(errno))))") }
            if count == 0 { return false }
            buffer += chunk[..<count]
            return true
        }
    }

    mutating func line() throws -> String {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let text = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                return text
            }
            guard try fill() else { throw WatchClient.Failure(description: "the connection closed early") }
        }
    }

    mutating func head() throws -> (Int, [String: String]) {
        let statusLine = try line()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw WatchClient.Failure(description: "not an HTTP answer: \(statusLine)")
        }
        var headers: [String: String] = [:]
        while true {
            let header = try line()
            if header.isEmpty { break }
            if let colon = header.firstIndex(of: ":") {
                headers[header[..<colon].lowercased()] = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return (status, headers)
    }

    mutating func bytes(_ count: Int) throws -> [UInt8] {
        while buffer.count - start < count {
            guard try fill() else { throw WatchClient.Failure(description: "the connection closed early") }
        }
        defer { start += count }
        return Array(buffer[start..<(start + count)])
    }

    mutating func rest() throws -> [UInt8] {
        while try fill() {}
        defer { start = buffer.count }
        return Array(buffer[start...])
    }

    /// What is buffered, or one read's worth.
    mutating func some() throws -> [UInt8] {
        if !hasBuffered { guard try fill() else { throw WatchClient.Failure(description: "the stream ended") } }
        defer { start = buffer.count }
        return Array(buffer[start...])
    }

    /// The next chunk of a chunked body; `nil` after the last.
    mutating func chunk() throws -> [UInt8]? {
        let sizeLine = try line()
        guard let size = Int(sizeLine.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "", radix: 16) else {
            throw WatchClient.Failure(description: "bad chunk size '\(sizeLine)'")
        }
        if size == 0 { return nil }
        let data = try bytes(size)
        _ = try line()
        return data
    }
}

/// The Server-Sent Events format: `field: value` lines, an event per blank line, `:` comments.
struct ServerSentEvents {
    struct Event {
        var id: String?
        var type = "message"
        var data = ""
    }

    private var pending: [UInt8] = []
    private var current = Event()
    private var hasData = false

    mutating func feed(_ bytes: [UInt8]) -> [Event] {
        pending += bytes
        var events: [Event] = []
        while let newline = pending.firstIndex(of: 0x0A) {
            var line = String(decoding: pending[..<newline], as: UTF8.self)
            pending.removeSubrange(...newline)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty {
                if hasData { events.append(current) }
                current = Event()
                hasData = false
                continue
            }
            if line.hasPrefix(":") { continue }
            let field: Substring
            var value: Substring
            if let colon = line.firstIndex(of: ":") {
                field = line[..<colon]
                value = line[line.index(after: colon)...]
                if value.hasPrefix(" ") { value = value.dropFirst() }
            } else {
                field = line[...]
                value = ""
            }
            switch field {
            case "id": current.id = String(value)
            case "event": current.type = String(value)
            case "data":
                current.data += hasData ? "\n" + value : String(value)
                hasData = true
            default: break
            }
        }
        return events
    }
}
