import FuzzDriver
import MockHTTP

/// libFuzzer entry point: any bytes as a request target (path and query, as sent).
///
/// Beyond not crashing: every decoded path segment, percent-encoded again and parsed back,
/// gives the same segment, so a segment always survives the round trip through a URL the mock
/// writes (group names in `group_url`, Link headers).
@main
enum RequestTargetFuzzing {
    static func main() {
        runLibFuzzer { data, size in fuzzRequestTarget(inputBytes(data, size)) }
    }
}

func fuzzRequestTarget(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
    let text = String(decoding: input, as: UTF8.self)
    guard let target = RequestTarget(text) else { return 0 }
    _ = target.query["per_page"]
    _ = target.query.rawPieces(excluding: ["after", "before"])
    for segment in target.segments {
        let reparsed = RequestTarget("/" + URLEncoding.percentEncodeSegment(segment))
        guard reparsed?.segments == [segment] else {
            fatalError("segment \(segment.debugDescription) does not survive encoding: \(String(describing: reparsed?.segments))")
        }
    }
    return 0
}
