import Glibc
import Testing

/// The help is the command line's documentation: these are its exact words, so a flag added,
/// renamed or reworded shows up here (and in README's Command line section with it).
@Suite struct HelpTests {
    static let serveHelp = #"""
        OVERVIEW: Serve GitHub's REST endpoints for Actions concurrency groups from a
        simulated queue.

        Prints one line, `listening on http://HOST:PORT`, on stdout once it accepts
        connections, and one access-log line per request on stderr. Stops cleanly on
        SIGINT or SIGTERM. The board, a live page of the queues, is at
        http://HOST:PORT/_mock/ui.

        USAGE: concurrency-mock [--host <host>] [--port <port>] [--fixture <file>] [<more options>]
               concurrency-mock watch [--url <url>] [--repository <owner/name>]

        OPTIONS:
          --host <host>           The address to listen on. (default: 127.0.0.1)
          --port <port>           The port to listen on; 0 picks a free one. (default:
                                  8080)
          --fixture <file>        A fixture (YAML or JSON) describing the initial
                                  state. Default: the embedded documentation example.
          --base-url <url>        The root of every API URL in responses. Default:
                                  http://HOST:PORT as bound.
          --html-base-url <url>   The root of run_html_url and job_html_url. (default:
                                  https://github.com)
          --auth <mode>           How unknown tokens are treated: permissive (they act
                                  as a classic token with the repo scope) or strict
                                  (401, and User-Agent required). Default: the
                                  fixture's, else permissive. (values: permissive,
                                  strict)
          --enforce-rate-limits   Answer 403 when a rate-limit budget is exhausted (the
                                  X-RateLimit-* headers are sent either way).
          --quiet                 Do not write the access log or diagnostics
                                  (libevent's own messages, accept pauses).
          --allow-host <name>     Also accept control requests (/_mock) addressed to
                                  this Host name, besides localhost, 127.0.0.1, [::1]
                                  and --host. Repeatable.
          --control-token <token> Require Authorization: Bearer <token> on every
                                  control request (/_mock); 401 without it.
          --event-journal-size <count>
                                  Events the journal keeps for GET /_mock/events; older
                                  ones are dropped. (default: 100000)
          --request-journal-size <count>
                                  Requests the request journal keeps for GET
                                  /_mock/requests; older ones are dropped. (default:
                                  10000)
          --seed <number>         Seed of the generator that fault probabilities draw
                                  from, so runs are reproducible. (default: 0)
          --log-format <format>   The access log's format: text (method, target,
                                  status, microseconds) or json (one object per line,
                                  the fields of GET /_mock/requests). (values: text,
                                  json; default: text)
          --retain-completed <count>
                                  Completed runs kept per repository; the oldest
                                  completed runs beyond it are dropped with their jobs
                                  (their ids then answer 404), so memory stays flat in
                                  a long session. (default: 10000)
          --max-connections <count>
                                  Open connections at which the server stops accepting
                                  until one closes. Default: the descriptor limit
                                  (ulimit -n) minus 32.
          --header-timeout <seconds>
                                  Seconds from a request's first byte until its headers
                                  must have arrived; the connection is closed then.
                                  (default: 10.0)
          --body-timeout <seconds>
                                  Seconds from a request's first byte until its body
                                  must have arrived; the connection is closed then.
                                  (default: 30.0)
          --send-timeout <seconds>
                                  Seconds an answer may make no progress (a client that
                                  does not read) before the connection is closed.
                                  (default: 30.0)
          --max-answer-memory <MiB>
                                  MiB of answers held for clients that have not read
                                  them, all connections together (an answer sent to
                                  several counted once); an answer that would pass it
                                  first closes the connections stalled longest.
                                  (default: 256)
          --max-body-memory <MiB> MiB of address space for request bodies of 1 MiB or
                                  more being received, all connections together (each
                                  its declared length, read straight into place); a
                                  body beyond it is read in small pieces and copied. 0
                                  reads every body so. (default: 1024)
          -h, --help              Show help information.

        SUBCOMMANDS:
          watch                   Show a running server's concurrency groups and events
                                  in the terminal, live.

          See 'concurrency-mock help <subcommand>' for detailed help.
        """#

    static let watchHelp = #"""
        OVERVIEW: Show a running server's concurrency groups and events in the
        terminal, live.

        Draws every active group as a lane (the holder, then the pending items in queue
        order) and the recent events in words, redrawn on each event of GET
        /_mock/events/stream (or, from a server without the stream, of GET
        /_mock/events polled every 200 ms). When stdout is not a terminal it prints the
        lanes once and then one plain line per event. Reconnects when the server
        restarts. Ctrl-C stops it.

        USAGE: concurrency-mock watch [--url <url>] [--repository <owner/name>] [--control-token <token>]

        OPTIONS:
          --url <url>             The server to watch. (default: http://127.0.0.1:8080)
          --repository <owner/name>
                                  Only this repository's groups and events.
          --control-token <token> The server's --control-token, if it was started with
                                  one. Default: $CONCURRENCY_MOCK_CONTROL_TOKEN.
          -h, --help              Show help information.

        """#

    func help(_ arguments: [String]) throws -> (ExitOutcome?, String) {
        let process = try ServerProcess(arguments: arguments)
        defer { process.stop(signal: SIGKILL) }
        let outcome = process.waitForExit(milliseconds: 10_000)
        process.stdout.waitForEnd(milliseconds: 2_000)
        return (outcome, process.stdout.text)
    }

    @Test func theHelpIsExactlyThis() throws {
        let (outcome, text) = try help(["--help"])
        #expect(outcome == .exited(0))
        #expect(text == Self.serveHelp + "\n")  // a multi-line literal drops its last line break
    }

    @Test func watchsHelpIsExactlyThis() throws {
        let (outcome, text) = try help(["watch", "--help"])
        #expect(outcome == .exited(0))
        #expect(text == Self.watchHelp + "\n")
    }
}
