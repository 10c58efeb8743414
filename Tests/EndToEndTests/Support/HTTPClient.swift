import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a request over `HTTPConnection` failed.
struct HTTPClientError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A response as it came off the wire: nothing normalised but header-name case on lookup.
struct HTTPResponse {
    var status: Int
    var reason: String
    /// Header fields in arrival order, names as sent.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// The first value of the named header (names compare case-insensitively), or `nil`.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of the named header, in order.
    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A tiny HTTP/1.1 client over one POSIX TCP connection to a loopback port.
///
/// Requests go one after another on the same socket (keep-alive); the connection is never
/// silently reopened, so a server that closes or corrupts it makes the next request fail.
/// Every read and write is bounded by `timeout`. Supports `Content-Length` and chunked bodies,
/// bodies read to the end of the stream, and HEAD (whose headers announce a body that never comes).
final class HTTPConnection {
    let host: String
    let port: Int
    let timeoutMilliseconds: Int32
    private var descriptor: Int32
    /// Bytes received but not yet consumed by a response.
    private var buffer: [UInt8] = []
    private(set) var peerClosed = false
    /// How many requests this connection has carried.
    private(set) var requestCount = 0

    init(port: Int, host: String = "127.0.0.1", timeoutSeconds: Int = 10) throws {
        self.host = host
        self.port = port
        self.timeoutMilliseconds = Int32(timeoutSeconds * 1000)
        let socketType = Int32(SOCK_STREAM.rawValue)
        descriptor = socket(AF_INET, socketType, 0)
        guard descriptor >= 0 else { throw HTTPClientError("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            Glibc.close(descriptor)
            throw HTTPClientError("not an IPv4 address: \(host)")
        }
        // Bound the connect and every later read/write at the socket level as well.
        var limit = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = errno
            Glibc.close(descriptor)
            throw HTTPClientError("connect to \(host):\(port) failed: errno \(error)")
        }
    }

    deinit { close() }

    func close() {
        if descriptor >= 0 {
            _ = Glibc.close(descriptor)
            descriptor = -1
        }
    }

    /// Resets the connection (RST, not FIN), as a client that crashes or gives up mid-answer does.
    func abort() {
        guard descriptor >= 0 else { return }
        var reset = linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
        close()
    }

    /// The local port of this connection: the same value across requests proves reuse.
    var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return result == 0 ? Int(UInt16(bigEndian: address.sin_port)) : -1
    }

    /// Sends one request and reads its whole response.
    func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) throws -> HTTPResponse {
        try sendRequest(method, target, headers: headers, body: body)
        return try readResponse(isHead: method == "HEAD")
    }

    func get(_ target: String, headers: [(String, String)] = []) throws -> HTTPResponse {
        try request("GET", target, headers: headers)
    }

    func head(_ target: String, headers: [(String, String)] = []) throws -> HTTPResponse {
        try request("HEAD", target, headers: headers)
    }

    /// Writes a request without reading the answer.
    func sendRequest(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws {
        guard descriptor >= 0 else { throw HTTPClientError("connection is closed") }
        // A test may address the server by another name; by default it is the connected address.
        let hostHeader = headers.first { $0.0.lowercased() == "host" }?.1 ?? "\(host):\(port)"
        var text = "\(method) \(target) HTTP/1.1\r\nHost: \(hostHeader)\r\n"
        for (name, value) in headers where name.lowercased() != "host" { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" {
            text += "Content-Length: \(body.count)\r\n"
        }
        text += "\r\n"
        try writeAll(Array(text.utf8) + body)
        requestCount += 1
    }

    /// Writes bytes as they are, for requests `sendRequest` cannot express.
    func sendRaw(_ bytes: [UInt8]) throws {
        guard descriptor >= 0 else { throw HTTPClientError("connection is closed") }
        try writeAll(bytes)
    }

    func sendRaw(_ text: String) throws {
        try sendRaw(Array(text.utf8))
    }

    /// Bytes that arrived beyond the last response, waiting up to `milliseconds` for any.
    /// After a HEAD this must be 0: a server that sends a HEAD body corrupts the connection.
    func strayBytes(waitingMilliseconds milliseconds: Int32) throws -> [UInt8] {
        if buffer.isEmpty, !peerClosed {
            _ = try receive(deadline: monotonicMilliseconds() + Int(milliseconds), allowTimeout: true)
        }
        let stray = buffer
        buffer.removeAll()
        return stray
    }

    /// Waits (bounded) until the server closes the connection; `true` when it did.
    func waitForClose(milliseconds: Int) throws -> Bool {
        let deadline = monotonicMilliseconds() + milliseconds
        while !peerClosed {
            guard try receive(deadline: deadline, allowTimeout: true) else { return peerClosed }
        }
        return true
    }

    // MARK: - Reading

    /// Reads the next response; `isHead` says whether it answers a HEAD (no body follows).
    func receiveResponse(isHead: Bool) throws -> HTTPResponse {
        try readResponse(isHead: isHead)
    }

    private func readResponse(isHead: Bool) throws -> HTTPResponse {
        let deadline = monotonicMilliseconds() + Int(timeoutMilliseconds)
        let headerEnd = try readUntilHeaderEnd(deadline: deadline)
        let headText = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let statusParts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw HTTPClientError("malformed status line: \(statusLine.debugDescription)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw HTTPClientError("malformed header line: \(line.debugDescription)") }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...]).trimmingSpaces()
            headers.append((name, value))
        }
        var response = HTTPResponse(
            status: status, reason: statusParts.count > 2 ? String(statusParts[2]) : "", headers: headers, body: [])
        if isHead || (100..<200).contains(status) || status == 204 || status == 304 {
            // No body, whatever Content-Length says.
        } else if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            response.body = try readChunkedBody(deadline: deadline)
        } else if let lengthText = response.header("Content-Length") {
            guard let length = Int(lengthText), length >= 0 else { throw HTTPClientError("bad Content-Length \(lengthText)") }
            try fill(count: length, deadline: deadline)
            response.body = Array(buffer[..<length])
            buffer.removeFirst(length)
        } else {
            while !peerClosed { _ = try receive(deadline: deadline, allowTimeout: false) }
            response.body = buffer
            buffer.removeAll()
        }
        return response
    }

    private func readUntilHeaderEnd(deadline: Int) throws -> Int {
        var searchFrom = 0
        while true {
            if buffer.count >= 4 {
                var index = searchFrom
                while index + 3 < buffer.count {
                    if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                        return index
                    }
                    index += 1
                }
                searchFrom = max(0, buffer.count - 3)
            }
            if peerClosed {
                throw HTTPClientError("connection closed before a complete response head (\(buffer.count) bytes buffered)")
            }
            _ = try receive(deadline: deadline, allowTimeout: false)
        }
    }

    private func fill(count: Int, deadline: Int) throws {
        while buffer.count < count {
            if peerClosed { throw HTTPClientError("connection closed after \(buffer.count) of \(count) body bytes") }
            _ = try receive(deadline: deadline, allowTimeout: false)
        }
    }

    private func readLine(deadline: Int) throws -> String {
        while true {
            if let index = buffer.indices.dropLast().first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) {
                let line = String(decoding: buffer[..<index], as: UTF8.self)
                buffer.removeFirst(index + 2)
                return line
            }
            if peerClosed { throw HTTPClientError("connection closed inside a chunked body") }
            _ = try receive(deadline: deadline, allowTimeout: false)
        }
    }

    private func readChunkedBody(deadline: Int) throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try readLine(deadline: deadline)
            let sizeText = sizeLine.split(separator: ";").first.map(String.init)?.trimmingSpaces() ?? ""
            guard let size = Int(sizeText, radix: 16) else { throw HTTPClientError("bad chunk size \(sizeLine.debugDescription)") }
            if size == 0 {
                while try !readLine(deadline: deadline).isEmpty {}  // trailers
                return body
            }
            try fill(count: size + 2, deadline: deadline)
            body.append(contentsOf: buffer[..<size])
            buffer.removeFirst(size + 2)
        }
    }

    /// Reads what is available, waiting until `deadline`. Answers `false` on timeout when
    /// `allowTimeout`, else throws.
    @discardableResult
    private func receive(deadline: Int, allowTimeout: Bool) throws -> Bool {
        guard descriptor >= 0 else { throw HTTPClientError("connection is closed") }
        let remaining = deadline - monotonicMilliseconds()
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = remaining > 0 ? poll(&poller, 1, Int32(remaining)) : 0
        if ready < 0, errno == EINTR { return true }
        guard ready > 0 else {
            if allowTimeout { return false }
            throw HTTPClientError("timed out waiting for the server (\(buffer.count) bytes buffered)")
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { Glibc.recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == EINTR || errno == EAGAIN { return true }
            if errno == ECONNRESET { peerClosed = true; return true }
            throw HTTPClientError("recv failed: errno \(errno)")
        }
        if count == 0 { peerClosed = true } else { buffer.append(contentsOf: chunk[..<count]) }
        return true
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw HTTPClientError("send failed: errno \(errno)")
            }
            offset += written
        }
    }
}

func monotonicMilliseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
