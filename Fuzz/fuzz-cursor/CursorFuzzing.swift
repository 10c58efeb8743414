import ConcurrencySimulator
import FuzzDriver
import GitHubREST

/// libFuzzer entry point: a cursor string and the scope it is decoded for.
///
/// The first byte's value is the length of the scope taken from the front of the input; the
/// rest is the cursor. Beyond not crashing: a cursor that decodes is exactly the one the server
/// would have written for that cut (no second spelling passes the checksum), and every cut
/// encodes to a cursor that decodes back to it.
@main
enum CursorFuzzing {
    static func main() {
        runLibFuzzer { data, size in fuzzCursor(inputBytes(data, size)) }
    }
}

func fuzzCursor(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
    guard let scopeLength = input.first.map(Int.init) else { return 0 }
    let scopeEnd = min(input.count, 1 + scopeLength)
    let scope = String(decoding: input[1..<scopeEnd], as: UTF8.self)
    let text = String(decoding: input[scopeEnd...], as: UTF8.self)
    if let cut = CursorCodec.decode(text, scope: scope) {
        let canonical = CursorCodec.encode(cut, scope: scope)
        guard canonical == text else { fatalError("cursor \(text.debugDescription) decodes but the server writes \(canonical)") }
    }
    guard !text.isEmpty else { return 0 }
    for side in [PageCut.Side.justBefore, .justAfter] {
        let cut = PageCut(key: GroupKey(text), side: side)
        guard CursorCodec.decode(CursorCodec.encode(cut, scope: scope), scope: scope) == cut else {
            fatalError("the cut at \(text.debugDescription) does not survive its cursor")
        }
    }
    return 0
}
