import Glibc

/// Access-log lines gathered on the event loop and written to their descriptor in batches: a
/// `write(2)` per request would block the loop on every answer (and on a slow terminal or pipe,
/// for as long as it is slow). Flushed when `maximumBufferedBytes` are waiting, by the server's
/// timer every `flushIntervalMilliseconds`, and when the loop ends.
final class LogBuffer {
    static let flushIntervalMilliseconds = 100
    static let maximumBufferedBytes = 64 * 1024

    private let descriptor: Int32
    private var pending: [UInt8] = []

    init(descriptor: Int32) {
        self.descriptor = descriptor
        pending.reserveCapacity(Self.maximumBufferedBytes)
    }

    func append(_ line: [UInt8]) {
        pending += line
        if pending.count >= Self.maximumBufferedBytes { flush() }
    }

    /// Writes everything waiting; a descriptor that refuses (closed, full disk) loses the lines
    /// rather than stopping the server.
    func flush() {
        var written = 0
        while written < pending.count {
            let result = pending.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result > 0 {
                written += result
            } else if result < 0, errno == EINTR {
                continue
            } else {
                break
            }
        }
        pending.removeAll(keepingCapacity: true)
    }
}
