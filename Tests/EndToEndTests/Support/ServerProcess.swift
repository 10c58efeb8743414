import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Drains one pipe on its own thread into memory, so the server never blocks on a full pipe and
/// tests can wait (bounded) for text to appear.
final class StreamCollector: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var reachedEnd = false
    }

    private let state = Mutex(State())
    private let stopRequested = Atomic<Bool>(false)

    /// Reads from a private duplicate of `descriptor`, which it closes when done.
    init(descriptor: Int32) {
        let owned = dup(descriptor)
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while !stopRequested.load(ordering: .relaxed) {
                var poller = pollfd(fd: owned, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, 50)
                if ready < 0 && errno != EINTR { break }
                if ready <= 0 { continue }
                let count = chunk.withUnsafeMutableBytes { read(owned, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                state.withLock { $0.bytes.append(contentsOf: chunk[..<count]) }
            }
            state.withLock { $0.reachedEnd = true }
            Glibc.close(owned)
        }
        thread.start()
    }

    func stop() { stopRequested.store(true, ordering: .relaxed) }

    var bytes: [UInt8] { state.withLock { $0.bytes } }
    var text: String { String(decoding: bytes, as: UTF8.self) }
    var reachedEnd: Bool { state.withLock { $0.reachedEnd } }

    /// Waits until `predicate` holds for the text so far, or the stream ends, or the time is up.
    @discardableResult
    func waitFor(milliseconds: Int, pollMicroseconds: UInt32 = 5_000, until predicate: (String) -> Bool) -> Bool {
        let deadline = monotonicMilliseconds() + milliseconds
        while true {
            let (text, ended) = state.withLock { (String(decoding: $0.bytes, as: UTF8.self), $0.reachedEnd) }
            if predicate(text) { return true }
            if ended || monotonicMilliseconds() >= deadline { return false }
            if pollMicroseconds > 0 { usleep(pollMicroseconds) } else { sched_yield() }
        }
    }

    /// Waits until the writer closes the stream (bounded); answers whether it did.
    @discardableResult
    func waitForEnd(milliseconds: Int) -> Bool {
        let deadline = monotonicMilliseconds() + milliseconds
        while !reachedEnd {
            if monotonicMilliseconds() >= deadline { return false }
            usleep(5_000)
        }
        return true
    }
}

/// How a server process ended.
struct ExitOutcome: Equatable, CustomStringConvertible {
    enum Reason: Equatable { case exited, signalled }
    let reason: Reason
    let code: Int32

    static func exited(_ code: Int32) -> ExitOutcome { ExitOutcome(reason: .exited, code: code) }

    var description: String { reason == .exited ? "exit status \(code)" : "killed by signal \(code)" }
}

/// One `concurrency-mock` process, started from the built binary with stdout and stderr captured.
/// `stop()` (called by `withServer` on every path) always leaves no process behind.
final class ServerProcess {
    let process: Process
    let stdout: StreamCollector
    let stderr: StreamCollector
    private let pipes: (Pipe, Pipe)
    private(set) var port: Int?

    /// The built `concurrency-mock`: `$CONCURRENCY_MOCK_BINARY`, else the one beside the running
    /// test bundle (SwiftPM's products directory).
    static func binaryPath() throws -> String {
        if let path = ProcessInfo.processInfo.environment["CONCURRENCY_MOCK_BINARY"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw ServerError("CONCURRENCY_MOCK_BINARY=\(path) is not an executable file")
            }
            return path
        }
        let bundle = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("concurrency-mock").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ServerError("no concurrency-mock beside the test bundle (\(path)); build it or set CONCURRENCY_MOCK_BINARY")
        }
        return path
    }

    /// Starts the binary with exactly `arguments`; does not wait for it to listen.
    ///
    /// `posix_spawn` (under `Process.run()`) hands the child the calling thread's signal mask,
    /// and the threads Swift Testing runs tests on block SIGINT and SIGTERM. So the process is
    /// started from a fresh thread whose mask is exactly `blockedSignals` (empty by default, as
    /// in a shell).
    ///
    /// With `descriptorLimit` the binary runs under `ulimit -n` of that many (through /bin/sh,
    /// which execs it, so `pid` is the server's).
    init(arguments: [String], blockedSignals: [Int32] = [], descriptorLimit: Int? = nil) throws {
        let process = Process()
        if let descriptorLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", try Self.binaryPath()] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: try Self.binaryPath())
            process.arguments = arguments
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try Self.run(process, blockedSignals: blockedSignals)
        self.process = process
        self.pipes = (out, err)
        self.stdout = StreamCollector(descriptor: out.fileHandleForReading.fileDescriptor)
        self.stderr = StreamCollector(descriptor: err.fileHandleForReading.fileDescriptor)
        // The child has its copies; drop ours so end-of-stream follows the child's exit.
        try? out.fileHandleForWriting.close()
        try? err.fileHandleForWriting.close()
    }

    deinit { _ = stop() }

    private final class LaunchState: @unchecked Sendable {
        let process: Process
        var error: Error?
        init(_ process: Process) { self.process = process }
    }

    private static func run(_ process: Process, blockedSignals: [Int32]) throws {
        let state = LaunchState(process)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var mask = sigset_t()
            sigemptyset(&mask)
            for signal in blockedSignals { sigaddset(&mask, signal) }
            pthread_sigmask(SIG_SETMASK, &mask, nil)
            do { try state.process.run() } catch { state.error = error }
            done.signal()
        }
        thread.start()
        guard done.wait(timeout: .now() + 15) == .success else { throw ServerError("launching the server timed out") }
        if let error = state.error { throw error }
    }

    var pid: Int32 { process.processIdentifier }

    /// The server's resident memory (VmRSS), in KiB.
    func residentKilobytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let value = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) })
        else { throw ServerError("no VmRSS in /proc/\(pid)/status") }
        return value
    }

    /// CPU time the server has used (user plus system), in clock ticks (1/100 s).
    func cpuTicks() throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
        guard let close = stat.lastIndex(of: ")") else { throw ServerError("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else {
            throw ServerError("unreadable /proc/\(pid)/stat")
        }
        return user + system
    }

    var baseURL: String { "http://127.0.0.1:\(port ?? -1)" }

    /// Waits (bounded) for `listening on http://HOST:PORT` and answers the port.
    @discardableResult
    func waitUntilListening(milliseconds: Int = 15_000) throws -> Int {
        let complete = stdout.waitFor(milliseconds: milliseconds) { $0.contains("\n") }
        let text = stdout.text
        guard complete, let line = text.split(separator: "\n", omittingEmptySubsequences: false).first else {
            throw ServerError("no listening line within \(milliseconds) ms; stdout: \(text.debugDescription), stderr: \(stderr.text.debugDescription)")
        }
        let prefix = "listening on http://127.0.0.1:"
        guard line.hasPrefix(prefix), let port = Int(line.dropFirst(prefix.count)), (1...65_535).contains(port) else {
            throw ServerError("unexpected first stdout line: \(String(line).debugDescription)")
        }
        self.port = port
        return port
    }

    /// A new keep-alive connection to the server.
    func connect(timeoutSeconds: Int = 10) throws -> HTTPConnection {
        guard let port else { throw ServerError("the server is not listening") }
        return try HTTPConnection(port: port, timeoutSeconds: timeoutSeconds)
    }

    /// Waits (bounded) for the process to end on its own.
    func waitForExit(milliseconds: Int) -> ExitOutcome? {
        let deadline = monotonicMilliseconds() + milliseconds
        while process.isRunning {
            if monotonicMilliseconds() >= deadline { return nil }
            usleep(5_000)
        }
        return outcome
    }

    private var outcome: ExitOutcome {
        ExitOutcome(reason: process.terminationReason == .exit ? .exited : .signalled, code: process.terminationStatus)
    }

    /// Sends `signal` and waits (bounded) for the exit; SIGKILL if it does not come. Answers
    /// how the process ended. Safe to call more than once.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, milliseconds: Int = 10_000) -> ExitOutcome {
        defer {
            stdout.waitForEnd(milliseconds: 1_000)
            stderr.waitForEnd(milliseconds: 1_000)
            stdout.stop()
            stderr.stop()
        }
        if !process.isRunning { return outcome }
        kill(process.processIdentifier, signal)
        if let outcome = waitForExit(milliseconds: milliseconds) { return outcome }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return outcome
    }
}

/// Starts a server on an ephemeral loopback port, waits until it listens, runs `body`, and stops
/// the server whatever happens. `--quiet` unless `quiet` is false. `startupMilliseconds` bounds
/// the wait for it to listen (loading a large fixture in a debug build takes seconds).
func withServer<T>(
    fixture: String? = nil, arguments: [String] = [], quiet: Bool = true, descriptorLimit: Int? = nil,
    startupMilliseconds: Int = 15_000, _ body: (ServerProcess) throws -> T
) throws -> T {
    var all = ["--host", "127.0.0.1", "--port", "0"]
    if let fixture { all += ["--fixture", fixture] }
    if quiet { all.append("--quiet") }
    all += arguments
    let server = try ServerProcess(arguments: all, descriptorLimit: descriptorLimit)
    defer {
        let outcome = server.stop()
        if outcome != .exited(0) {
            Issue.record("the server did not stop cleanly on SIGTERM: \(outcome); stderr: \(server.stderr.text.debugDescription)")
        }
    }
    try server.waitUntilListening(milliseconds: startupMilliseconds)
    return try body(server)
}

/// Writes `contents` to a new file in a private temporary directory, runs `body` with its path,
/// and removes the directory afterwards.
func withTemporaryFile<T>(named name: String = "fixture.yml", contents: String, _ body: (String) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("concurrency-mock-e2e-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent(name)
    try Data(contents.utf8).write(to: file)
    return try body(file.path)
}

/// Starts a server on a fixture written from `yaml`.
func withServer<T>(
    yaml: String, arguments: [String] = [], quiet: Bool = true, startupMilliseconds: Int = 15_000,
    _ body: (ServerProcess) throws -> T
) throws -> T {
    try withTemporaryFile(contents: yaml) { path in
        try withServer(fixture: path, arguments: arguments, quiet: quiet, startupMilliseconds: startupMilliseconds, body)
    }
}
