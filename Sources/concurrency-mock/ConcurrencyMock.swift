import AccessPolicy
import ArgumentParser
import ConcurrencySimulator
import ControlAPI
import GitHubREST
import Glibc
import JSONOutput
import LibeventAdapter
import Server
import SourceDocuments
import StateDocuments

extension AuthenticationMode: ExpressibleByArgument {}

/// How the access log writes a request.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    /// `GET /path 200 156us`.
    case text
    /// One JSON object per line, the fields of `GET /_mock/requests`.
    case json
}

@main
struct ConcurrencyMock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concurrency-mock",
        abstract: "Serve GitHub's REST endpoints for Actions concurrency groups from a simulated queue.",
        usage: """
            concurrency-mock [--host <host>] [--port <port>] [--fixture <file>] [<more options>]
            concurrency-mock watch [--url <url>] [--repository <owner/name>]
            """,
        discussion: """
            Prints one line, `listening on http://HOST:PORT`, on stdout once it accepts connections, \
            and one access-log line per request on stderr. Stops cleanly on SIGINT or SIGTERM. \
            The board, a live page of the queues, is at http://HOST:PORT/_mock/ui.
            """,
        // Without a subcommand it serves, with the options below.
        subcommands: [Watch.self])

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port = 8080

    @Option(help: ArgumentHelp("A fixture (YAML or JSON) describing the initial state. Default: the embedded documentation example.", valueName: "file"))
    var fixture: String?

    @Option(help: ArgumentHelp("The root of every API URL in responses. Default: http://HOST:PORT as bound.", valueName: "url"))
    var baseURL: String?

    @Option(help: ArgumentHelp("The root of run_html_url and job_html_url.", valueName: "url"))
    var htmlBaseURL = APIConfiguration.defaultHTMLBaseURL

    @Option(help: ArgumentHelp("How unknown tokens are treated: permissive (they act as a classic token with the repo scope) or strict (401, and User-Agent required). Default: the fixture's, else permissive.", valueName: "mode"))
    var auth: AuthenticationMode?

    @Flag(help: "Answer 403 when a rate-limit budget is exhausted (the X-RateLimit-* headers are sent either way).")
    var enforceRateLimits = false

    @Flag(help: "Do not write the access log or diagnostics (libevent's own messages, accept pauses).")
    var quiet = false

    @Option(help: ArgumentHelp("Also accept control requests (/_mock) addressed to this Host name, besides localhost, 127.0.0.1, [::1] and --host. Repeatable.", valueName: "name"))
    var allowHost: [String] = []

    @Option(help: ArgumentHelp("Require Authorization: Bearer <token> on every control request (/_mock); 401 without it.", valueName: "token"))
    var controlToken: String?

    @Option(help: ArgumentHelp("Events the journal keeps for GET /_mock/events; older ones are dropped.", valueName: "count"))
    var eventJournalSize = EventJournal.defaultCapacity

    @Option(help: ArgumentHelp("Requests the request journal keeps for GET /_mock/requests; older ones are dropped.", valueName: "count"))
    var requestJournalSize = RequestJournal.defaultCapacity

    @Option(help: ArgumentHelp("Seed of the generator that fault probabilities draw from, so runs are reproducible.", valueName: "number"))
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("The access log's format: text (method, target, status, microseconds) or json (one object per line, the fields of GET /_mock/requests).", valueName: "format"))
    var logFormat: LogFormat = .text

    @Option(help: ArgumentHelp("Completed runs kept per repository; the oldest completed runs beyond it are dropped with their jobs (their ids then answer 404), so memory stays flat in a long session.", valueName: "count"))
    var retainCompleted = Simulator.defaultRetainedCompletedRuns

    @Option(help: ArgumentHelp("Open connections at which the server stops accepting until one closes. Default: the descriptor limit (ulimit -n) minus \(EventHTTPServer.Limits.reservedDescriptors).", valueName: "count"))
    var maxConnections: Int?

    @Option(help: ArgumentHelp("Seconds from a request's first byte until its headers must have arrived; the connection is closed then.", valueName: "seconds"))
    var headerTimeout = EventHTTPServer.Limits().headerTimeoutSeconds

    @Option(help: ArgumentHelp("Seconds from a request's first byte until its body must have arrived; the connection is closed then.", valueName: "seconds"))
    var bodyTimeout = EventHTTPServer.Limits().bodyTimeoutSeconds

    @Option(help: ArgumentHelp("Seconds an answer may make no progress (a client that does not read) before the connection is closed.", valueName: "seconds"))
    var sendTimeout = EventHTTPServer.Limits().sendTimeoutSeconds

    @Option(help: ArgumentHelp("MiB of answers held for clients that have not read them, all connections together (an answer sent to several counted once); an answer that would pass it first closes the connections stalled longest.", valueName: "MiB"))
    var maxAnswerMemory = EventHTTPServer.Limits().maximumHeldAnswerBytes / (1024 * 1024)

    @Option(help: ArgumentHelp("MiB of address space for request bodies of 1 MiB or more being received, all connections together (each its declared length, read straight into place); a body beyond it is read in small pieces and copied. 0 reads every body so.", valueName: "MiB"))
    var maxBodyMemory = EventHTTPServer.Limits().maximumAssembledBodyBytes / (1024 * 1024)

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, not \(port)") }
        if let controlToken, controlToken.isEmpty || !controlToken.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) {
            throw ValidationError("--control-token must be printable ASCII without spaces, as an Authorization header carries it")
        }
        for name in allowHost {
            // One colon is a port (two or more, an IPv6 address); the port of a Host is not checked.
            let hasPort = name.filter { $0 == ":" }.count == 1 || name.hasPrefix("[") && !name.hasSuffix("]")
            guard !name.isEmpty, !hasPort, !name.contains(where: { $0.isWhitespace || $0 == "/" }) else {
                throw ValidationError("--allow-host takes a host name or address without a port, not '\(name)'")
            }
        }
        guard (1...10_000_000).contains(eventJournalSize) else {
            throw ValidationError("--event-journal-size must be from 1 to 10000000, not \(eventJournalSize)")
        }
        guard (1...1_000_000).contains(requestJournalSize) else {
            throw ValidationError("--request-journal-size must be from 1 to 1000000, not \(requestJournalSize)")
        }
        guard retainCompleted >= 1 else { throw ValidationError("--retain-completed must be at least 1, not \(retainCompleted)") }
        if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1, not \(maxConnections)") }
        for (flag, seconds) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--send-timeout", sendTimeout)] {
            guard seconds > 0, seconds <= 86_400 else { throw ValidationError("\(flag) must be more than 0 and at most 86400 seconds, not \(seconds)") }
        }
        guard (1...1_048_576).contains(maxAnswerMemory) else {
            throw ValidationError("--max-answer-memory must be from 1 to 1048576 MiB, not \(maxAnswerMemory)")
        }
        guard (0...1_048_576).contains(maxBodyMemory) else {
            throw ValidationError("--max-body-memory must be from 0 to 1048576 MiB, not \(maxBodyMemory)")
        }
        for (flag, url) in [("--base-url", baseURL), ("--html-base-url", htmlBaseURL)] {
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                throw ValidationError("\(flag) must start with http:// or https://, not '\(url)'")
            }
        }
    }

    func run() throws {
        ProcessMemory.keepLargeAllocationsMapped()
        var state = try loadState()
        // Parsing a large fixture leaves hundreds of MiB of freed memory that glibc keeps.
        ProcessMemory.returnFreedPages()
        if let auth { state.authenticationMode = auth }
        if enforceRateLimits { state.rateLimits.enforced = true }
        var limits = EventHTTPServer.Limits()
        if let maxConnections { limits.maximumConnections = maxConnections }
        limits.headerTimeoutSeconds = headerTimeout
        limits.bodyTimeoutSeconds = bodyTimeout
        limits.sendTimeoutSeconds = sendTimeout
        limits.maximumHeldAnswerBytes = maxAnswerMemory * 1024 * 1024
        limits.maximumAssembledBodyBytes = maxBodyMemory * 1024 * 1024
        let server = try EventHTTPServer(limits: limits, log: quiet ? nil : Self.writeDiagnostic)
        let boundPort = try server.bind(host: host, port: port)
        let hostInURL = host.contains(":") ? "[\(host)]" : host
        let address = "http://\(hostInURL):\(boundPort)"
        let configuration = APIConfiguration(baseURL: baseURL ?? address, htmlBaseURL: htmlBaseURL)
        let controlPlane = ControlPlaneGuard(allowedHosts: [host] + allowHost, token: controlToken)
        let mock = MockServer(
            state: state, configuration: configuration, controlPlane: controlPlane, eventJournalSize: eventJournalSize,
            requestJournalSize: requestJournalSize, wallClock: { Timestamp(secondsSinceEpoch: Int64(time(nil))) },
            monotonicMicroseconds: { Self.monotonicMicroseconds() }, faultSeed: seed, retainedCompletedRuns: retainCompleted)
        switch (quiet, logFormat) {
        case (true, _):
            server.serve(mock, accessLog: nil)
        case (false, .text):
            let token = controlToken
            server.serve(mock, accessLog: { [unowned server] entry in
                let status = entry.status == 0 ? "dropped" : String(entry.status)
                // The board sends the control token as ?token= where it cannot set a header; keep it out of the log.
                let target = token.map { entry.target.replacing($0, with: "REDACTED") } ?? entry.target
                server.writeLog(Array("\(entry.method) \(target) \(status) \(entry.microseconds)us\n".utf8))
            })
        case (false, .json):
            // The server logs what it answered with every field; the transport only what it refused itself.
            mock.requestLog = { [unowned server] entry in
                var json = JSONWriter(reservingCapacity: 512)
                ControlPlane.writeRequest(entry, to: &json)
                server.writeLog(json.bytes + [0x0A])
            }
            server.serve(mock, accessLog: { [unowned server] entry in
                guard entry.refused else { return }
                var json = JSONWriter(reservingCapacity: 256)
                json.beginObject()
                json.field("seq", nil as String?)
                json.field("at", Timestamp(secondsSinceEpoch: Int64(time(nil))).description)
                json.field("method", entry.method)
                json.field("path", entry.target)
                json.field("status", entry.status)
                json.field("duration_us", entry.microseconds)
                json.field("refused", true)
                json.endObject()
                server.writeLog(json.bytes + [0x0A])
            })
        }
        server.run {
            print("listening on \(address)")
            fflush(nil)
        }
    }

    private func loadState() throws -> MockState {
        guard let fixture else {
            return try FixtureLoader.load(EmbeddedFixtures.docsExample, file: EmbeddedFixtures.docsExampleName)
        }
        guard let text = Self.readFile(fixture) else {
            throw Self.fail("cannot read fixture file '\(fixture)' (missing, unreadable or not UTF-8)")
        }
        do {
            return try onThreadOfItsOwn { () throws(SourceError) in try FixtureLoader.load(text, file: fixture) }
        } catch {
            throw Self.fail(error.description)
        }
    }

    @Sendable private static func monotonicMicroseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec * 1_000_000 + now.tv_nsec / 1000
    }

    @Sendable private static func writeDiagnostic(_ message: String) {
        var line = Array("concurrency-mock: \(message)\n".utf8)
        _ = write(STDERR_FILENO, &line, line.count)
    }

    /// Writes `message` alone on stderr (no usage text: the command line was fine) and exits 1.
    private static func fail(_ message: String) -> ExitCode {
        var line = Array("concurrency-mock: \(message)\n".utf8)
        _ = write(STDERR_FILENO, &line, line.count)
        return ExitCode.failure
    }

    private static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        // Read at once at the size the file reports (a 23 MiB fixture grown chunk by chunk was
        // copied twice over); the rest of a file longer than that (a pipe, a growing file) in chunks.
        var status = stat()
        let reported = fstat(fileno(file), &status) == 0 ? max(Int(status.st_size), 0) : 0
        var bytes = [UInt8](unsafeUninitializedCapacity: reported + 1) { buffer, count in
            count = fread(buffer.baseAddress!, 1, buffer.count, file)
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var more = bytes.count == reported + 1
        while more {
            let count = fread(&chunk, 1, chunk.count, file)
            bytes.append(contentsOf: chunk[..<count])
            more = count == chunk.count
        }
        guard ferror(file) == 0 else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
