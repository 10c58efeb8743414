import ArgumentParser
import Foundation
import Glibc

/// Set by SIGINT and SIGTERM; the loop notices within a quarter of a second.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0
/// Set by SIGWINCH: the terminal changed size.
nonisolated(unsafe) private var resized: sig_atomic_t = 0

/// `concurrency-mock watch`: the board's lanes and feed in a terminal.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a running server's concurrency groups and events in the terminal, live.",
        discussion: """
            Draws every active group as a lane (the holder, then the pending items in queue order) \
            and the recent events in words, redrawn on each event of GET /_mock/events/stream (or, \
            from a server without the stream, of GET /_mock/events polled every 200 ms). When \
            stdout is not a terminal it prints the lanes once and then one plain line per event. \
            Reconnects when the server restarts. Ctrl-C stops it.
            """)

    @Option(help: ArgumentHelp("The server to watch.", valueName: "url"))
    var url = "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("Only this repository's groups and events.", valueName: "owner/name"))
    var repository: String?

    @Option(help: ArgumentHelp("The server's --control-token, if it was started with one. Default: $CONCURRENCY_MOCK_CONTROL_TOKEN.", valueName: "token"))
    var controlToken: String?

    func validate() throws {
        if let repository {
            let parts = repository.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--repository must be OWNER/NAME, not '\(repository)'")
            }
        }
        _ = try client()
    }

    private func client() throws -> WatchClient {
        do {
            return try WatchClient(url: url, token: controlToken ?? ProcessInfo.processInfo.environment["CONCURRENCY_MOCK_CONTROL_TOKEN"])
        } catch let failure as WatchClient.Failure {
            throw ValidationError(failure.description)
        }
    }

    func run() throws {
        let client = try client()
        let terminal = isatty(STDOUT_FILENO) == 1
        var watcher = Watcher(client: client, repository: repository, terminal: terminal)
        for signal in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in stopRequested = 1 }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0  // no SA_RESTART: a blocked read returns EINTR
            sigaction(signal, &action, nil)
        }
        var winch = sigaction()
        winch.__sigaction_handler.sa_handler = { _ in resized = 1 }
        sigaction(SIGWINCH, &winch, nil)
        signal(SIGPIPE, SIG_IGN)
        if terminal { Screen.enter() }
        defer { if terminal { Screen.leave() } }
        watcher.run()
    }
}

/// What `watch` knows of the server, read from GET /_mock/state and the events.
private struct Watcher {
    struct Item {
        let run: Int
        let job: Int?
        let kind: String
        let waitingSince: String
        let acquiredAt: String?
    }

    struct Group {
        let name: String
        let items: [Item]
    }

    struct Repository {
        let full: String
        var groups: [Group] = []
        var idle: [String] = []
        var runNames: [Int: String] = [:]
        var runStatuses: [Int: String] = [:]
        var jobNames: [Int: String] = [:]
        var jobStatuses: [Int: String] = [:]
    }

    let client: WatchClient
    let repository: String?
    let terminal: Bool
    var repositories: [Repository] = []
    var now = ""
    var frozen = true
    /// When `now` was read, on the monotonic clock.
    var nowReadAt = 0.0
    var feed: [String] = []
    var connection = "connecting…"
    /// The newest event applied: its number and what identifies it.
    var last: (seq: Int, at: String, type: String, run: Int?)?
    var printedSnapshot = false

    init(client: WatchClient, repository: String?, terminal: Bool) {
        self.client = client
        self.repository = repository
        self.terminal = terminal
    }

    static func monotonic() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    var eventFilter: String {
        repository.map { "&repository=" + Self.percentEncoded($0) } ?? ""
    }

    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    // MARK: - The loop

    mutating func run() {
        var stream: WatchClient.Stream?
        var polling = false
        var lastDraw = 0.0
        var connected = false
        while stopRequested == 0 {
            if !connected {
                do {
                    try loadRecentEvents()
                    try loadState()
                    connected = true
                    connection = "live"
                    draw()
                } catch {
                    connection = "reconnecting… (\(error))"
                    draw()
                    pause(milliseconds: 1000)
                    continue
                }
            }
            do {
                if !polling, stream == nil {
                    let (opened, status) = try client.openStream("/_mock/events/stream?since=\(last?.seq ?? 0)\(eventFilter)")
                    if let opened {
                        stream = opened
                        connection = "live"
                    } else if status == 404 {
                        // FALLBACK for servers without the stream: poll the journal (see pollOnce).
                        polling = true
                        connection = "live (polling)"
                    } else {
                        throw WatchClient.Failure(description: "the stream answered \(status)")
                    }
                    draw()
                }
                var events: [[String: Any]] = []
                if let open = stream {
                    for message in try open.events(waiting: 250) {
                        if let object = try? JSONSerialization.jsonObject(with: Data(message.data.utf8)) as? [String: Any] {
                            events.append(object)
                        }
                    }
                } else {
                    pause(milliseconds: 200)
                    guard stopRequested == 0 else { break }
                    guard let fresh = try pollOnce() else {
                        // The journal is not the one we followed: the server restarted.
                        connected = false
                        continue
                    }
                    events = fresh
                }
                if !events.isEmpty {
                    for event in events { note(event) }
                    try loadState()
                    draw()
                    lastDraw = Self.monotonic()
                }
            } catch {
                stream = nil
                polling = false
                connected = false
                connection = "reconnecting…"
                draw()
                pause(milliseconds: 500)
                continue
            }
            if terminal, resized != 0 || Self.monotonic() - lastDraw >= 1 {
                resized = 0
                draw()
                lastDraw = Self.monotonic()
            }
        }
    }

    /// Sleeps, waking early on a signal.
    func pause(milliseconds: Int32) {
        _ = poll(nil, 0, milliseconds)
    }

    /// One poll of the journal from the last event seen, which must come back unchanged (else
    /// `nil`: the server restarted and numbers from 1 again). FALLBACK until the stream is served.
    mutating func pollOnce() throws -> [[String: Any]]? {
        let check = last.map { !$0.at.isEmpty && $0.seq > 0 } ?? false
        let since = check ? last!.seq - 1 : (last?.seq ?? 0)
        let answer = try client.request("GET", "/_mock/events?since=\(since)&limit=1000")
        guard answer.status == 200, let object = answer.json as? [String: Any], let events = object["events"] as? [[String: Any]] else {
            throw WatchClient.Failure(description: "GET /_mock/events answered \(answer.status)")
        }
        if check {
            guard let first = events.first, Self.identity(first) == last.map({ "\($0.seq)|\($0.at)|\($0.type)|\($0.run.map(String.init) ?? "")" }) else { return nil }
            return Array(events.dropFirst()).filter(matchesRepository)
        }
        return events.filter(matchesRepository)
    }

    func matchesRepository(_ event: [String: Any]) -> Bool {
        guard let repository else { return true }
        return (event["repository"] as? String)?.lowercased() == repository.lowercased()
    }

    static func identity(_ event: [String: Any]) -> String {
        "\(event["seq"] as? Int ?? -1)|\(event["at"] as? String ?? "")|\(event["type"] as? String ?? "")|\((event["run_id"] as? Int).map(String.init) ?? "")"
    }

    mutating func note(_ event: [String: Any]) {
        guard let seq = event["seq"] as? Int else { return }
        if let last, seq <= last.seq { return }
        last = (seq, event["at"] as? String ?? "", event["type"] as? String ?? "", event["run_id"] as? Int)
        let line = "\(Self.time(event["at"] as? String)) \(describe(event))"
        followHolders(event)
        if terminal {
            feed.insert(line, at: 0)
            if feed.count > 200 { feed.removeLast() }
        } else {
            print(line)
            fflush(nil)
        }
    }

    // MARK: - Reading

    mutating func loadRecentEvents() throws {
        let head = try client.request("GET", "/_mock/events?since=0&limit=1")
        guard head.status == 200, let object = head.json as? [String: Any], let oldest = object["oldest_seq"] as? Int, let total = object["total_count"] as? Int else {
            throw WatchClient.Failure(description: head.status == 401 ? "the server needs its control token (--control-token)" : "GET /_mock/events answered \(head.status)")
        }
        let latest = oldest + total - 1
        last = (latest, "", "", nil)
        feed = []
        let recent = try client.request("GET", "/_mock/events?since=\(max(0, latest - 40))")
        if let events = (recent.json as? [String: Any])?["events"] as? [[String: Any]] {
            last = nil
            // Terminal: the feed shows them; plain lines: only what happens from now on.
            if terminal { for event in events where matchesRepository(event) { note(event) } }
            if let newest = events.last {
                last = (newest["seq"] as? Int ?? latest, newest["at"] as? String ?? "", newest["type"] as? String ?? "", newest["run_id"] as? Int)
            } else {
                last = (latest, "", "", nil)
            }
        }
    }

    mutating func loadState() throws {
        let answer = try client.request("GET", "/_mock/state")
        guard answer.status == 200, let state = answer.json as? [String: Any] else {
            throw WatchClient.Failure(description: "GET /_mock/state answered \(answer.status)")
        }
        now = state["now"] as? String ?? ""
        frozen = state["frozen"] as? Bool ?? true
        nowReadAt = Self.monotonic()
        repositories = []
        holders = [:]
        for entry in state["repositories"] as? [[String: Any]] ?? [] {
            let full = "\(entry["owner"] as? String ?? "")/\(entry["name"] as? String ?? "")"
            if let repository, repository.lowercased() != full.lowercased() { continue }
            var model = Repository(full: full)
            var configured: [String] = entry["group_names"] as? [String] ?? []
            for run in entry["runs"] as? [[String: Any]] ?? [] {
                guard let id = run["id"] as? Int else { continue }
                model.runNames[id] = run["name"] as? String
                model.runStatuses[id] = run["status"] as? String
                configured += run["concurrency_groups"] as? [String] ?? []
                func walk(_ jobs: [[String: Any]]) {
                    for job in jobs {
                        guard let jobID = job["id"] as? Int else { continue }
                        model.jobNames[jobID] = job["name"] as? String
                        model.jobStatuses[jobID] = job["status"] as? String
                        walk(job["jobs"] as? [[String: Any]] ?? [])
                    }
                }
                walk(run["jobs"] as? [[String: Any]] ?? [])
            }
            for group in entry["concurrency_groups"] as? [[String: Any]] ?? [] {
                let items = (group["queue"] as? [[String: Any]] ?? []).map { item in
                    Item(run: item["run"] as? Int ?? 0, job: item["job"] as? Int, kind: item["kind"] as? String ?? "",
                         waitingSince: item["waiting_since"] as? String ?? "", acquiredAt: item["acquired_at"] as? String)
                }
                model.groups.append(Group(name: group["name"] as? String ?? "", items: items))
                if let holder = items.first {
                    holders[Self.holderKey(full, group["name"] as? String)] = "\(holder.run)|\(holder.job.map(String.init) ?? "")"
                }
            }
            let active = Set(model.groups.map { $0.name.lowercased() })
            var seen = Set<String>()
            model.idle = configured.filter { !active.contains($0.lowercased()) && seen.insert($0.lowercased()).inserted }
                .sorted { $0.lowercased() < $1.lowercased() }
            repositories.append(model)
        }
    }

    // MARK: - Words

    /// Who holds each group, followed through the events as they are told (the lanes are read
    /// only after a batch), so that a release is told apart from leaving the line.
    var holders: [String: String] = [:]

    static func holderKey(_ repository: String?, _ group: String?) -> String {
        "\(repository?.lowercased() ?? "")|\(group?.lowercased() ?? "")"
    }

    static func itemName(_ event: [String: Any]) -> String {
        "\(event["run_id"] as? Int ?? 0)|\((event["job_id"] as? Int).map(String.init) ?? "")"
    }

    func heldLease(_ event: [String: Any]) -> Bool {
        let holder = holders[Self.holderKey(event["repository"] as? String, event["group"] as? String)]
        return holder == nil || holder == Self.itemName(event)
    }

    mutating func followHolders(_ event: [String: Any]) {
        let key = Self.holderKey(event["repository"] as? String, event["group"] as? String)
        switch event["type"] as? String {
        case "group.acquired": holders[key] = Self.itemName(event)
        case "group.released" where heldLease(event): holders[key] = nil
        default: break
        }
    }

    func describe(_ event: [String: Any]) -> String {
        let run = (event["run_id"] as? Int).map { "run \($0)" } ?? "a run"
        let group = event["group"] as? String
        let cause = event["cause"] as? [String: Any]
        let causeGroup = cause?["group"] as? String ?? "?"
        let by = (cause?["by_run_id"] as? Int).map { "run \($0)" } ?? "a newer run"
        let jobID = event["job_id"] as? Int
        let jobName = jobID.flatMap { id in repositories.lazy.compactMap { $0.jobNames[id] }.first } ?? jobID.map { "job \($0)" } ?? "a job"
        let forJob = jobID != nil && group != nil ? " for job “\(jobName)”" : ""
        let kinds = ["workflow": "workflow lease", "job": "job lease", "reusable_workflow": "reusable-workflow lease"]
        let prefix = repository == nil ? "[\(event["repository"] as? String ?? "")] " : ""
        let text: String
        switch event["type"] as? String ?? "" {
        case "run.created": text = "triggered \(run)"
        case "run.completed": text = "\(run) completed: \(event["conclusion"] as? String ?? "?")"
        case "run.cancelled":
            switch cause?["reason"] as? String {
            case "superseded": text = "\(by) replaced \(run) in \(causeGroup) (queue: single)"
            case "cancel_in_progress": text = "\(by) cancelled the in-progress \(run) in \(causeGroup) (cancel-in-progress)"
            case "queue_full": text = "\(run) was refused: \(causeGroup) already holds 100 pending (queue: max)"
            case "deadlock": text = "deadlock: \(run) asked for \(causeGroup) inside its own lease on it, and was cancelled"
            case "requested": text = "\(run) was cancelled on request"
            default: text = "\(run) was cancelled"
            }
        case "job.started": text = "job “\(jobName)” of \(run) started"
        case "job.completed":
            text = (cause?["reason"] as? String) == "needs_failed"
                ? "job “\(jobName)” of \(run) was skipped: a job it needs did not succeed"
                : "job “\(jobName)” of \(run): \(event["conclusion"] as? String ?? "?")"
        case "job.cancelled": text = "job “\(jobName)” of \(run) was cancelled"
        case "group.requested": text = "\(run) asks for \(group ?? "?")\(forJob) (\(kinds[event["kind"] as? String ?? ""] ?? "lease"))"
        case "group.acquired": text = "\(run) acquired \(group ?? "?")\(forJob)"
        case "group.released":
            // Said before the lanes are read again: they still show whether it held the lease.
            text = "\(run) \(heldLease(event) ? "released" : "left the line of") \(group ?? "?")\(forJob)"
        case "clock.changed": text = "the clock was set to \(Self.time(event["at"] as? String))"
        case "state.replaced": text = "the whole state was replaced"
        case "state.reset": text = "the state was reset to how the server started"
        case let other: text = other
        }
        return prefix + text
    }

    static func time(_ iso: String?) -> String {
        guard let iso, iso.count >= 19 else { return "--:--:--" }
        return String(iso.dropFirst(11).prefix(8))
    }

    static func seconds(_ iso: String) -> Double? {
        // RFC 3339 as the server writes it: 2026-01-15T16:14:23Z.
        let digits = Array(iso.utf8)
        guard digits.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int32? { Int32(String(decoding: digits[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Double(timegm(&parts))
    }

    var simulatorSeconds: Double {
        let base = Self.seconds(now) ?? 0
        return frozen ? base : base + (Self.monotonic() - nowReadAt)
    }

    static func duration(_ seconds: Double) -> String {
        let total = max(0, Int(seconds.rounded()))
        if total >= 3600 { return "\(total / 3600)h \(total % 3600 / 60)m" }
        if total >= 60 { return "\(total / 60)m \(String(format: "%02d", total % 60))s" }
        return "\(total)s"
    }

    // MARK: - Drawing

    /// The lanes as lines, with ANSI colours when `colour`.
    func laneLines(colour: Bool) -> [String] {
        func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        let nowSeconds = simulatorSeconds
        var lines: [String] = []
        for repository in repositories {
            lines.append(paint(repository.full, "1;4"))
            if repository.groups.isEmpty { lines.append(paint("  no active groups", "2")) }
            for group in repository.groups {
                let pending = group.items.count - 1
                lines.append("  " + paint(group.name, "1") + paint(pending == 0 ? "  holder only" : "  holder + \(pending) pending", "2"))
                for (position, item) in group.items.enumerated() {
                    let status = item.job.flatMap { repository.jobStatuses[$0] } ?? repository.runStatuses[item.run] ?? (position == 0 ? "in_progress" : "pending")
                    let label = position == 0 ? "▶ holder" : "◔ #\(position)"
                    let marker = paint(label + String(repeating: " ", count: max(0, 8 - label.count)), position == 0 ? "1;34" : "33")
                    var text = "\(repository.runNames[item.run] ?? "run") #\(item.run)"
                    if let job = item.job, let name = repository.jobNames[job] { text += " · job \(name)" }
                    text += " · " + (["workflow": "workflow lease", "job": "job lease", "reusable_workflow": "reusable-workflow lease"][item.kind] ?? item.kind)
                    if position == 0 {
                        if let acquired = item.acquiredAt {
                            text += " · acquired \(Self.time(acquired))"
                            if let at = Self.seconds(acquired) { text += " (held \(Self.duration(nowSeconds - at)))" }
                        }
                    } else if let since = Self.seconds(item.waitingSince) {
                        text += " · waiting \(Self.duration(nowSeconds - since))"
                    }
                    lines.append("    \(marker) \(text)  \(paint(status, "2"))")
                }
            }
            if !repository.idle.isEmpty { lines.append(paint("  idle: " + repository.idle.joined(separator: ", "), "2")) }
        }
        if repositories.isEmpty { lines.append(repository.map { "no repository \($0)" } ?? "no repositories") }
        return lines
    }

    mutating func draw() {
        guard terminal else {
            // Plain lines: the lanes once, when first read; then one line per event (note).
            if !printedSnapshot, !repositories.isEmpty || connection.hasPrefix("live") {
                printedSnapshot = true
                for line in laneLines(colour: false) { print(line) }
                print("-- events --")
                fflush(nil)
            }
            return
        }
        let (rows, columns) = Screen.size()
        let clock = now.isEmpty ? "" : "clock \(Self.formatClock(simulatorSeconds))\(frozen ? " (frozen)" : "")"
        let state = connection.hasPrefix("live") ? "\u{1B}[32m● \(connection)\u{1B}[0m" : "\u{1B}[33m↻ \(connection)\u{1B}[0m"
        var lines = ["\u{1B}[1mconcurrency-mock watch\u{1B}[0m  \(client.authority)  \(clock)  \(state)", ""]
        lines += laneLines(colour: true)
        lines.append("")
        lines.append("\u{1B}[1mWhat happened\u{1B}[0m")
        let room = max(3, rows - lines.count - 1)
        lines += feed.prefix(room).map { "  " + $0 }
        var output = "\u{1B}[H"
        for line in lines.prefix(rows) { output += Screen.clip(line, to: columns) + "\u{1B}[K\r\n" }
        output += "\u{1B}[J"
        Screen.write(output)
    }

    static func formatClock(_ seconds: Double) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}

/// The terminal: the alternate screen while watching, its size, lines clipped to its width.
private enum Screen {
    static func enter() { write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J") }
    static func leave() { write("\u{1B}[?25h\u{1B}[?1049l") }

    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return }
            written += count
        }
    }

    static func size() -> (rows: Int, columns: Int) {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0, size.ws_col > 0 else { return (24, 80) }
        return (Int(size.ws_row), Int(size.ws_col))
    }

    /// At most `columns` visible characters; escape sequences do not count.
    static func clip(_ line: String, to columns: Int) -> String {
        var visible = 0
        var result = ""
        var inEscape = false
        for character in line {
            if inEscape {
                result.append(character)
                if character.isLetter { inEscape = false }
                continue
            }
            if character == "\u{1B}" {
                inEscape = true
                result.append(character)
                continue
            }
            guard visible < columns else { continue }
            result.append(character)
            visible += 1
        }
        return result + (inEscape || line.contains("\u{1B}") ? "\u{1B}[0m" : "")
    }
}
