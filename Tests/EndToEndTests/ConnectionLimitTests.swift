import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The diagnostic lines on stderr (access-log lines have no prefix).
private func diagnostics(_ server: ServerProcess) -> [String] {
    server.stderr.text.split(separator: "\n").filter { $0.hasPrefix("concurrency-mock: ") }.map(String.init)
}

/// Accepting pauses (listener disabled) at `--max-connections` and when descriptors run out,
/// with one log line per pause and per resumption.
@Suite(.serialized) struct ConnectionLimitTests {
    @Test func acceptingPausesAtMaxConnections() throws {
        try withServer(arguments: ["--max-connections", "3"], quiet: false) { server in
            let held = try (0..<3).map { _ in try server.connect() }
            for connection in held { #expect(try connection.get("/_mock/health").status == 200) }
            // Connected in the kernel's backlog, but not accepted: no answer.
            let waiting = try server.connect()
            try waiting.sendRequest("GET", "/_mock/health")
            #expect(try waiting.strayBytes(waitingMilliseconds: 500).isEmpty)
            held[0].close()
            #expect(try waiting.receiveResponse(isHead: false).status == 200)
            server.stderr.waitFor(milliseconds: 2_000) { _ in diagnostics(server).count >= 3 }
            #expect(diagnostics(server) == [
                "concurrency-mock: not accepting connections: 3 open, the limit (--max-connections)",
                "concurrency-mock: accepting connections again (2 open)",
                "concurrency-mock: not accepting connections: 3 open, the limit (--max-connections)",
            ])
        }
    }

    /// Under `ulimit -n 64` the default limit is 64 minus the 32 reserved descriptors, so accept(2)
    /// never runs out.
    @Test func defaultLimitFollowsTheDescriptorLimit() throws {
        try withServer(quiet: false, descriptorLimit: 64) { server in
            let clients = try (0..<40).map { _ in try server.connect() }
            server.stderr.waitFor(milliseconds: 3_000) { _ in !diagnostics(server).isEmpty }
            usleep(300_000)
            #expect(diagnostics(server) == ["concurrency-mock: not accepting connections: 32 open, the limit (--max-connections)"])
            _ = clients
        }
    }

    /// With the limit above what the descriptors allow, accept(2) fails with EMFILE: the server
    /// pauses instead of retrying in a loop (libevent's default, a warning per attempt), and
    /// answers again once connections close.
    @Test func runningOutOfDescriptorsPausesAcceptingWithoutSpinning() throws {
        try withServer(arguments: ["--max-connections", "1000"], quiet: false, descriptorLimit: 64) { server in
            var clients = try (0..<80).map { _ in try server.connect() }
            #expect(server.stderr.waitFor(milliseconds: 3_000) { $0.contains("out of file descriptors") })
            let ticks = try server.cpuTicks()
            usleep(1_500_000)
            let spent = try server.cpuTicks() - ticks
            #expect(spent <= 15, "the server used \(spent) ticks of CPU in 1.5 s while out of descriptors")
            let lines = diagnostics(server)
            #expect(lines.count == 1, "\(lines)")
            #expect(lines.first?.hasPrefix("concurrency-mock: out of file descriptors with ") == true)
            #expect(lines.first?.hasSuffix(" connections open (accept: Too many open files); not accepting until one closes, trying again every 1 s") == true)
            #expect(server.stderr.bytes.count < 300)
            clients.removeAll()
            let connection = try server.connect()
            #expect(try connection.get("/_mock/health").status == 200)
            // While the closed connections are being freed the server may run out again, at most
            // once for each connection closed (how often depends on how many closes one pass of
            // the loop sees, so on the machine's load): each time is one line, and so is each
            // resumption, the last one included.
            let resumed = "concurrency-mock: accepting connections again ("
            server.stderr.waitFor(milliseconds: 2_000) { _ in diagnostics(server).last?.hasPrefix(resumed) == true }
            let after = diagnostics(server)
            #expect(after.count % 2 == 0 && after.count <= 2 * 80, "\(after)")
            for (index, line) in after.enumerated() {
                #expect(line.hasPrefix(index % 2 == 0 ? "concurrency-mock: out of file descriptors with " : resumed), "\(after)")
            }
        }
    }
}
