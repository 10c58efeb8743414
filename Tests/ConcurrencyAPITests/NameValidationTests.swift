import ControlAPI
import GitHubREST
import Server
import StateDocuments
import ConcurrencySimulator
import Foundation
import MockHTTP
import Testing

/// Names the mock stores never hold control characters: each is refused with 422 naming its field.
@Suite struct NameValidationTests {
    static let rule = "names cannot hold control characters, line or paragraph separators, or bytes that are not UTF-8"

    static func refusal(_ resource: String, _ field: String, _ message: String, place: (Int, Int)? = nil) -> String {
        let json = CursorTamperingTests.json(message)
        let placePart = place.map { #","line":\#($0.0),"column":\#($0.1)"# } ?? ""
        return #"{"message":"Validation Failed","errors":[{"resource":"\#(resource)","field":"\#(field)","code":"invalid","message":\#(json)\#(placePart)}],"documentation_url":"README.md#control-api","status":"422"}"#
    }

    @Test func aWorkflowFileNameWithANulIsRefused() throws {
        let driver = try Driver()
        let before = driver.send("GET", "/_mock/state").text
        let answer = driver.send("PUT", "/_mock/repos/acme/app/workflows/a%00.yml", "on: push\njobs:\n  x: {}\n")
        #expect(answer.status == 422)
        #expect(answer.text == Self.refusal("Workflow", "file", #""a\0.yml": the workflow file name contains U+0000; "# + Self.rule, place: (0, 0)))
        #expect(driver.send("GET", "/_mock/repos/acme/app/workflows/a%00.yml").status == 404)
        #expect(driver.send("GET", "/_mock/state").text == before)
    }

    @Test func aRepositoryOwnerOrNameWithAControlCharacterIsRefused() throws {
        let driver = try Driver()
        let before = driver.send("GET", "/_mock/state").text
        let owner = driver.send("PUT", "/_mock/repos/ev%01il/app", #"{"visibility":"public"}"#)
        #expect(owner.status == 422)
        #expect(owner.text == Self.refusal("Repository", "owner", "the repository owner contains U+0001; " + Self.rule))
        let name = driver.send("PUT", "/_mock/repos/acme/ap%0Ap", #"{"visibility":"public"}"#)
        #expect(name.status == 422)
        #expect(name.text == Self.refusal("Repository", "name", "the repository name contains U+000A; " + Self.rule))
        #expect(driver.send("GET", "/_mock/state").text == before)
    }

    @Test func aTokenWithAControlCharacterIsRefused() throws {
        let driver = try Driver()
        let answer = driver.send("PUT", "/_mock/tokens/ghp_abc%7F", #"{"type":"classic","scopes":["repo"]}"#)
        #expect(answer.status == 422)
        #expect(answer.text == Self.refusal("Token", "token", "the token contains U+007F; " + Self.rule))
        #expect(driver.send("GET", "/_mock/tokens").text == "[]")
    }

    @Test func namesFromAStateDocumentAreChecked() throws {
        let driver = try Driver()
        let before = driver.send("GET", "/_mock/state").text
        let group = driver.send("PUT", "/_mock/state", #"{"now":"2026-01-15T16:00:00Z","repositories":[{"owner":"o","name":"r","runs":[{"id":1,"name":"CI"}],"concurrency_groups":[{"name":"deploy\u0000prod","queue":[{"run":1,"waiting_since":"2026-01-15T16:00:00Z"}]}]}]}"#)
        #expect(group.status == 422)
        #expect(group.text == Self.refusal(
            "State", "body", "request body:1:123: the concurrency group name contains U+0000; " + Self.rule, place: (1, 123)))
        let run = driver.send("PUT", "/_mock/state", #"{"now":"2026-01-15T16:00:00Z","repositories":[{"owner":"o","name":"r","runs":[{"id":1,"name":"C\u001bI"}]}]}"#)
        #expect(run.status == 422)
        #expect(run.text == Self.refusal("State", "body", "request body:1:79: the name of run 1 contains U+001B; " + Self.rule, place: (1, 79)))
        let job = driver.send("PUT", "/_mock/state", #"{"now":"2026-01-15T16:00:00Z","repositories":[{"owner":"o","name":"r","runs":[{"id":1,"name":"CI","jobs":[{"id":2,"name":"build\u2028"}]}]}]}"#)
        #expect(job.status == 422)
        #expect(job.text == Self.refusal("State", "body", "request body:1:107: the name of job 2 contains U+2028; " + Self.rule, place: (1, 107)))
        #expect(driver.send("GET", "/_mock/state").text == before)
    }

    @Test func namesATriggerEvaluatesAreChecked() throws {
        let driver = try Driver()
        driver.workflow("named.yml", """
            run-name: Deploy ${{ inputs.target }}
            on:
              workflow_dispatch:
                inputs:
                  target: { type: string }
                  group: { type: string, default: ok }
            concurrency: deploy-${{ inputs.group }}
            jobs:
              go: {}
            """)
        let before = driver.send("GET", "/_mock/state").text
        let runName = driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"named.yml","event":"workflow_dispatch","inputs":{"target":"prod\u0007"}}"#)
        #expect(runName.status == 422)
        #expect(runName.text == Self.refusal("Run", "run", "named.yml: the name of run 100 contains U+0007; " + Self.rule, place: (0, 0)))
        let group = driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"named.yml","event":"workflow_dispatch","inputs":{"target":"prod","group":"a\nb"}}"#)
        #expect(group.status == 422)
        #expect(group.text == Self.refusal("Run", "concurrency_group", "named.yml: the concurrency group of run 100 contains U+000A; " + Self.rule, place: (0, 0)))
        #expect(driver.send("GET", "/_mock/state").text == before)
    }

    @Test func bytesThatAreNotUTF8InAJobNameAreRefusedAtTrigger() throws {
        let driver = try Driver()
        let source = Array("on: push\njobs:\n  go:\n    name: bad".utf8) + [0xFF] + Array("\n".utf8)
        let put = driver.server.respond(to: HTTPRequest(method: "PUT", target: "/_mock/repos/acme/app/workflows/bytes.yml", body: source))
        #expect(put.status == 201)
        let answer = driver.send("POST", "/_mock/repos/acme/app/runs", #"{"workflow":"bytes.yml"}"#)
        #expect(answer.status == 422)
        #expect(answer.text == Self.refusal("Run", "job", "bytes.yml: the name of job 1000 contains U+FFFD; " + Self.rule, place: (0, 0)))
    }
}
