import Foundation
import MockHTTP
import Server
import Testing

/// `GET /_mock/events/stream` without a transport: what the responder opens and pushes.
@Suite struct EventStreamTests {
    /// Collects what the server writes to each stream; refuses writes to `refusing`.
    final class Outlet: HTTPStreamOutlet {
        var written: [HTTPStreamID: String] = [:]
        var refusing: Set<HTTPStreamID> = []

        func write(_ bytes: [UInt8], to stream: HTTPStreamID) -> Bool {
            guard !refusing.contains(stream) else { return false }
            written[stream, default: ""] += String(decoding: bytes, as: UTF8.self)
            return true
        }
    }

    func open(_ driver: Driver, _ target: String, headers: [(String, String)] = []) -> HTTPStreamOpening? {
        guard case .stream(let opening) = driver.server.reply(to: HTTPRequest(method: "GET", target: target, headers: HTTPHeaders(headers))) else {
            return nil
        }
        return opening
    }

    /// The `id:` lines of an SSE text.
    func ids(_ text: String) -> [Int] {
        text.split(separator: "\n").compactMap { $0.hasPrefix("id: ") ? Int($0.dropFirst(4)) : nil }
    }

    @Test func subscribersGetTheNewEventsTheirFiltersMatchAsTheyHappen() throws {
        let driver = try Driver()
        let outlet = Outlet()
        driver.server.attach(outlet)
        driver.workflow("deploy.yml", ScenarioTests.deploy)
        let all = try #require(open(driver, "/_mock/events/stream"))
        let runs = try #require(open(driver, "/_mock/events/stream?type=run.created"))
        #expect(all.response.status == 200)
        #expect(all.response.headers["Content-Type"] == "text/event-stream; charset=utf-8")
        #expect(all.response.headers["Cache-Control"] == "no-cache")
        #expect(ids(String(decoding: all.response.body, as: UTF8.self)) == [], "without a cursor it starts with the next event")
        #expect(all.keepAlive?.seconds == 15)
        #expect(String(decoding: all.keepAlive?.bytes ?? [], as: UTF8.self) == ": heartbeat\n\n")
        driver.trigger("deploy.yml")
        let journal = driver.send("GET", "/_mock/events").json["events"] as? [[String: Any]] ?? []
        #expect(ids(outlet.written[all.id] ?? "") == journal.compactMap { $0["seq"] as? Int })
        #expect(ids(outlet.written[runs.id] ?? "") == [1])
        // Each event is the same JSON object as GET /_mock/events writes.
        let first = try #require((outlet.written[runs.id] ?? "").split(separator: "\n").first { $0.hasPrefix("data: ") })
        let object = try JSONSerialization.jsonObject(with: Data(first.dropFirst(6).utf8)) as? [String: Any]
        #expect(object?["type"] as? String == "run.created")
        #expect((outlet.written[runs.id] ?? "").contains("id: 1\nevent: run.created\ndata: {\"seq\":1,"))
        #expect(driver.server.eventStreamSubscribers == 2)
        driver.server.streamEnded(runs.id)
        #expect(driver.server.eventStreamSubscribers == 1)
    }

    @Test func aStreamResumesAfterLastEventIDOrSinceWithoutGapsOrRepeats() throws {
        let driver = try Driver()
        let outlet = Outlet()
        driver.server.attach(outlet)
        driver.workflow("deploy.yml", ScenarioTests.deploy)
        driver.trigger("deploy.yml")
        driver.trigger("deploy.yml")
        let total = (driver.send("GET", "/_mock/events").json["events"] as? [Any])?.count ?? 0
        #expect(total > 4)
        let resumed = try #require(open(driver, "/_mock/events/stream?since=1", headers: [("Last-Event-ID", "3")]))
        #expect(ids(String(decoding: resumed.response.body, as: UTF8.self)) == Array(4...total))
        let since = try #require(open(driver, "/_mock/events/stream?since=\(total - 1)"))
        #expect(ids(String(decoding: since.response.body, as: UTF8.self)) == [total])
        driver.trigger("deploy.yml")
        let after = (driver.send("GET", "/_mock/events").json["events"] as? [Any])?.count ?? 0
        #expect(ids(String(decoding: resumed.response.body, as: UTF8.self) + (outlet.written[resumed.id] ?? "")) == Array(4...after))
    }

    @Test(arguments: [
        ("/_mock/events/stream?type=run.nope", [(String, String)](), "type"),
        ("/_mock/events/stream?since=-1", [], "since"),
        ("/_mock/events/stream?limit=3", [], "limit"),
        ("/_mock/events/stream?repository=acme", [], "repository"),
        ("/_mock/events/stream", [("Last-Event-ID", "abc")], "Last-Event-ID"),
    ])
    func badStreamRequestsAreRefusedAndOpenNothing(target: String, headers: [(String, String)], field: String) throws {
        let driver = try Driver()
        let response = driver.server.respond(to: HTTPRequest(method: "GET", target: target, headers: HTTPHeaders(headers)))
        #expect(response.status == 422)
        let body = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect((body?["errors"] as? [[String: Any]])?.first?["field"] as? String == field)
        #expect(driver.server.eventStreamSubscribers == 0)
        #expect(driver.send("POST", "/_mock/events/stream").status == 405)
    }

    @Test func headAnswersTheStreamsHeadersWithoutSubscribing() throws {
        let driver = try Driver()
        guard case .answer(let response) = driver.server.reply(to: HTTPRequest(method: "HEAD", target: "/_mock/events/stream")) else {
            Issue.record("HEAD opened a stream")
            return
        }
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "text/event-stream; charset=utf-8")
        #expect(driver.server.eventStreamSubscribers == 0)
    }
}
