import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Diagnostics on stderr: libevent's own messages go through the server's log.
@Suite struct DiagnosticLogTests {
    /// libevent's own messages (here getaddrinfo's, for a host that is not an address) go through
    /// the server's log, which `--quiet` silences.
    @Test(arguments: [true, false])
    func libeventMessagesGoThroughTheLog(quiet: Bool) throws {
        let server = try ServerProcess(arguments: ["--host", "999.1.1.1", "--port", "0"] + (quiet ? ["--quiet"] : []))
        #expect(server.waitForExit(milliseconds: 10_000) == .exited(1))
        server.stderr.waitForEnd(milliseconds: 2_000)
        let lines = server.stderr.text.split(separator: "\n").map(String.init)
        let failure = "Error: cannot listen on 999.1.1.1:0 (in use, or not an address of this machine)"
        if quiet {
            #expect(lines == [failure])
        } else {
            #expect(lines.count == 2)
            #expect(lines.first?.hasPrefix("concurrency-mock: libevent warning: getaddrinfo: ") == true, "\(lines)")
            #expect(lines.last == failure)
        }
    }
}
