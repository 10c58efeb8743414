import FuzzDriver
import LibeventAdapter

/// libFuzzer entry point: any bytes as what a client sends on one connection.
///
/// Beyond not crashing: the framer finds the same events at the same offsets whether the bytes
/// arrive at once or split into reads (the first input byte picks the read size, 1 to 16), so
/// how the kernel happens to split a request can never change where one ends.
@main
enum RequestFramerFuzzing {
    static func main() {
        runLibFuzzer { data, size in fuzzRequestFramer(inputBytes(data, size)) }
    }
}

func fuzzRequestFramer(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
    guard let first = input.first else { return 0 }
    let bytes = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input.dropFirst()))
    let readSize = Int(first % 16) + 1
    let whole = events(in: bytes, readSize: bytes.count)
    let split = events(in: bytes, readSize: readSize)
    guard whole.map({ $0.event }) == split.map({ $0.event }), whole.map({ $0.offset }) == split.map({ $0.offset }) else {
        fatalError("reads of \(readSize) bytes give \(split), not \(whole)")
    }
    return 0
}

/// The events and the offset after each, until a refusal (after which nothing is read).
private func events(in bytes: UnsafeRawBufferPointer, readSize: Int) -> [(event: RequestFramer.Event, offset: Int)] {
    var framer = RequestFramer(maximumHeadBytes: 256)
    var found: [(event: RequestFramer.Event, offset: Int)] = []
    var position = 0
    while position < bytes.count {
        let end = min(bytes.count, position + max(1, readSize))
        var index = position
        while index < end {
            let (consumed, event) = framer.read(UnsafeRawBufferPointer(rebasing: bytes[index..<end])) { method, _ in
                method == "PUT" ? 64 : 16
            }
            index += consumed
            guard let event else { continue }
            if case .refused = event {
                found.append((event, -1))
                return found
            }
            found.append((event, framer.offset))
        }
        position = end
    }
    return found
}
