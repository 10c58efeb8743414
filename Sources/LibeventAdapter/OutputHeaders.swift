import CLibevent
import Glibc
import MockHTTP

/// An answer's headers as they are handed to evhttp.
///
/// evhttp writes each output header with a `printf` of `"%s: %s\r\n"`, after copying its name and
/// value into three allocations of their own: for a small answer, 40 % of the server's user-space
/// instructions. So runs of headers evhttp never reads back are handed over as one header, whose
/// value carries the run's other lines (`value\r\nName: value\r\nName: value`); evhttp writes it
/// out as it is, the same bytes the headers one by one would have given.
///
/// Invariants:
/// - a joined header holds no CR, LF or NUL: it is one line evhttp would have accepted and
///   written whole;
/// - the fields evhttp looks up in an answer's headers (`evhttpReads`) are always handed over on
///   their own, so it still finds them;
/// - anything else that is not a plain line (a folded value, which evhttp checks and may drop; a
///   NUL, which ends a C string) goes on its own through `evhttp_add_header`, as it always did;
/// - the order of the headers is kept.
package enum OutputHeaders {
    package enum Part: Equatable {
        /// A header handed to `evhttp_add_header`, which checks it.
        case alone(name: String, value: String)
        /// Headers joined: the first one's name, then its value and the others' lines.
        case joined(name: String, value: [UInt8])
    }

    /// The answer headers evhttp 2.1 looks up (`evhttp_make_header_response`,
    /// `evhttp_send_reply_start`, `evhttp_is_connection_close`), in lower case.
    static let evhttpReads: [[UInt8]] = ["content-length", "transfer-encoding", "date", "content-type", "connection", "proxy-connection"]
        .map { Array($0.utf8) }

    /// The headers in order, runs of plain lines joined.
    package static func parts(of headers: HTTPHeaders) -> [Part] {
        var parts: [Part] = []
        var runName: String?
        var runValue: [UInt8] = []
        for (name, value) in headers {
            var name = name
            var value = value
            let joinable = name.withUTF8 { name in value.withUTF8 { value in isJoinable(name: name, value: value) } }
            if !joinable {
                if let runName { parts.append(.joined(name: runName, value: runValue)) }
                runName = nil
                parts.append(.alone(name: name, value: value))
            } else if runName == nil {
                runName = name
                runValue = []
                runValue.reserveCapacity(headers.fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 })
                value.withUTF8 { runValue.append(contentsOf: $0) }
            } else {
                runValue.append(contentsOf: "\r\n".utf8)
                name.withUTF8 { runValue.append(contentsOf: $0) }
                runValue.append(contentsOf: ": ".utf8)
                value.withUTF8 { runValue.append(contentsOf: $0) }
            }
        }
        if let runName { parts.append(.joined(name: runName, value: runValue)) }
        return parts
    }

    /// Appends the headers to an answer's output headers (`evhttp_request_get_output_headers`).
    static func add(_ headers: HTTPHeaders, to list: UnsafeMutablePointer<evkeyvalq>) {
        for part in parts(of: headers) {
            switch part {
            case .alone(let name, let value):
                // C strings made on the stack: a Swift string passed straight to C is copied to
                // the heap unless it is a long one.
                name.withCString { name in value.withCString { value in _ = evhttp_add_header(list, name, value) } }
            case .joined(let name, let value):
                append(name: name, value: value, to: list)
            }
        }
    }

    /// Whether a header may be joined: one line (no CR, LF or NUL) that evhttp never looks up.
    private static func isJoinable(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !name.isEmpty, isOneLine(name), isOneLine(value) else { return false }
        return !evhttpReads.contains { lowercase in
            lowercase.count == name.count && zip(lowercase, name).allSatisfy { $0 == $1 | (($1 >= 0x41 && $1 <= 0x5A) ? 0x20 : 0) }
        }
    }

    /// No CR, LF or NUL (each looked for with `memchr`, which reads many bytes at a time).
    private static func isOneLine(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = text.baseAddress else { return true }
        return memchr(base, 0x0D, text.count) == nil && memchr(base, 0x0A, text.count) == nil && memchr(base, 0, text.count) == nil
    }

    /// `TAILQ_INSERT_TAIL` of a header that evhttp frees as one of its own (`evhttp_clear_headers`
    /// frees with `free`: the server never replaces libevent's allocator).
    private static func append(name: String, value: [UInt8], to list: UnsafeMutablePointer<evkeyvalq>) {
        guard let entry = calloc(1, MemoryLayout<evkeyval>.size)?.assumingMemoryBound(to: evkeyval.self) else { return }
        entry.pointee.key = name.withCString { strdup($0) }
        entry.pointee.value = malloc(value.count + 1)?.assumingMemoryBound(to: CChar.self)
        guard entry.pointee.key != nil, let text = entry.pointee.value else {
            free(entry.pointee.key)
            free(entry.pointee.value)
            free(entry)
            return
        }
        value.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { memcpy(text, base, bytes.count) }
        }
        text[value.count] = 0
        entry.pointee.next.tqe_next = nil
        entry.pointee.next.tqe_prev = list.pointee.tqh_last
        list.pointee.tqh_last.pointee = entry
        list.pointee.tqh_last = UnsafeMutableRawPointer(entry)
            .advanced(by: MemoryLayout<evkeyval>.offset(of: \evkeyval.next.tqe_next)!)
            .assumingMemoryBound(to: UnsafeMutablePointer<evkeyval>?.self)
    }
}
