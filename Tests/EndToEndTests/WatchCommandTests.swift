import Foundation
import Glibc
import Testing

/// `concurrency-mock watch` and the help that introduces it; the default command serves as
/// before. (Its screen in a terminal is tested through tmux in Tests/board/test_watch.py.)
@Suite struct WatchCommandTests {
    func run(_ arguments: [String]) throws -> (ExitOutcome?, String, String) {
        let process = try ServerProcess(arguments: arguments)
        defer { process.stop(signal: SIGKILL) }
        let outcome = process.waitForExit(milliseconds: 10_000)
        process.stdout.waitForEnd(milliseconds: 2_000)
        process.stderr.waitForEnd(milliseconds: 2_000)
        return (outcome, process.stdout.text, process.stderr.text)
    }

    @Test func theHelpNamesTheServingOptionsTheBoardAndWatch() throws {
        let (outcome, help, _) = try run(["--help"])
        #expect(outcome == .exited(0))
        #expect(help.contains("USAGE: concurrency-mock [--host <host>] [--port <port>] [--fixture <file>] [<more options>]"))
        #expect(help.contains("concurrency-mock watch [--url <url>] [--repository <owner/name>]"))
        for option in ["--host <host>", "--port <port>", "--fixture <file>", "--control-token <token>", "--event-journal-size <count>"] {
            #expect(help.contains(option), "\(option)")
        }
        #expect(help.contains("http://HOST:PORT/_mock/ui"))
        #expect(help.contains("SUBCOMMANDS:\n  watch "))
    }

    @Test func watchHasItsOwnHelp() throws {
        let (outcome, help, _) = try run(["watch", "--help"])
        #expect(outcome == .exited(0))
        #expect(help.contains("USAGE: concurrency-mock watch [--url <url>] [--repository <owner/name>] [--control-token <token>]"))
        #expect(help.contains("(default: http://127.0.0.1:8080)"))
        #expect(help.contains("When\nstdout is not a terminal") || help.contains("stdout is not a terminal"))
    }

    @Test(arguments: [
        (["watch", "--url", "ftp://example.com"], "--url must start with http://"),
        (["watch", "--repository", "just-a-name"], "--repository must be OWNER/NAME"),
    ])
    func badWatchOptionsAreRefused(arguments: [String], mentioned: String) throws {
        let (outcome, _, stderr) = try run(arguments)
        #expect(outcome?.reason == .exited && outcome?.code != 0)
        #expect(stderr.contains(mentioned), "\(stderr)")
    }

    @Test func watchWaitsForAServerThatIsNotThereAndStopsOnSIGINT() throws {
        let watch = try ServerProcess(arguments: ["watch", "--url", "http://127.0.0.1:9"])
        defer { watch.stop(signal: SIGKILL) }
        usleep(300_000)
        #expect(watch.waitForExit(milliseconds: 10) == nil)
        #expect(watch.stop(signal: SIGINT) == .exited(0))
    }
}
