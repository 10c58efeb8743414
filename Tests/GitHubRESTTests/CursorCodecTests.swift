import ConcurrencySimulator
import GitHubREST
import Testing

/// The cursor codec on its own: opaque, stable, scoped, and refusing anything it did not write.
@Suite struct CursorCodecTests {
    let scope = "repository octocat/hello-world"

    @Test(arguments: ["ci-build", "deploy-prod", "été / 日本", String(repeating: "x", count: 300)])
    func aCursorDecodesToTheCutItEncodes(name: String) throws {
        for side in [PageCut.Side.justBefore, .justAfter] {
            let cut = PageCut(key: GroupKey(name), side: side)
            let cursor = CursorCodec.encode(cut, scope: scope)
            #expect(CursorCodec.decode(cursor, scope: scope) == cut)
            #expect(cursor.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "=") })
        }
    }

    @Test func theSameCutAlwaysGivesTheSameCursor() {
        let cut = PageCut(key: GroupKey("Deploy-Prod"), side: .justAfter)
        #expect(CursorCodec.encode(cut, scope: scope) == CursorCodec.encode(PageCut(key: GroupKey("deploy-prod"), side: .justAfter), scope: scope))
    }

    @Test func aCursorOfAnotherListIsRefused() {
        let cursor = CursorCodec.encode(PageCut(key: GroupKey("ci-build"), side: .justAfter), scope: scope)
        #expect(CursorCodec.decode(cursor, scope: "run 30433642 of octocat/hello-world") == nil)
    }

    @Test(arguments: ["", "abc", "AgGB6Dey3Oo1tWNpLWJ1aWxkmk_5mQ=", "!!!!", String(repeating: "A", count: 4000)])
    func textTheCodecDidNotWriteIsRefused(text: String) {
        #expect(CursorCodec.decode(text, scope: scope) == nil)
    }
}
