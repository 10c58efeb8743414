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

    /// Whether the name is one of `evhttpReads`, ignoring ASCII case.
    private static func isReadByEvhttp(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        for lowercase in evhttpReads where lowercase.count == name.count {
            var index = 0
            while index < name.count, lowercase[index] == name[index] | (name[index] >= 0x41 && name[index] <= 0x5A ? 0x20 : 0) {
                index += 1
            }
            if index == name.count { return true }
        }
        return false
    }

    /// The answer headers evhttp 2.1 looks up (`evhttp_make_header_response`,
    /// `evhttp_send_reply_start`, `evhttp_is_connection_close`), in lower case.
    static let evhttpReads: [[UInt8]] = ["content-length", "transfer-encoding", "date", "content-type", "connection", "proxy-connection"]
        .map { Array($0.utf8) }

    /// The headers in order, runs of plain lines joined.
    package static func parts(of headers: HTTPHeaders) -> [Part] {
        var parts: [Part] = []
        // Usually one header alone (Content-Type) and one run.
        parts.reserveCapacity(2)
        let fields = headers.fields
        var runStart = fields.startIndex
        for index in fields.indices {
            var name = fields[index].name
            let goesAlone = name.isEmpty || name.withUTF8(isReadByEvhttp)
            guard goesAlone else { continue }
            appendRun(fields[runStart..<index], to: &parts)
            parts.append(.alone(name: fields[index].name, value: fields[index].value))
            runStart = index + 1
        }
        appendRun(fields[runStart...], to: &parts)
        return parts
    }

    /// Appends fields with non-empty names evhttp never looks up: joined when they are all one line
    /// each (checked once over the joined bytes, whose only line breaks must then be the ones
    /// put between the fields), else joined around those that are not.
    private static func appendRun(_ fields: ArraySlice<(name: String, value: String)>, to parts: inout [Part]) {
        guard let first = fields.first else { return }
        let value = joined(fields)
        if isOneLine(first.name), value.withUnsafeBufferPointer(lineBreaksAndNULs) == 2 * (fields.count - 1) {
            parts.append(.joined(name: first.name, value: value))
            return
        }
        var start = fields.startIndex
        for index in fields.indices where !isOneLine(fields[index].name) || !isOneLine(fields[index].value) {
            appendRun(fields[start..<index], to: &parts)
            parts.append(.alone(name: fields[index].name, value: fields[index].value))
            start = index + 1
        }
        appendRun(fields[start...], to: &parts)
    }

    /// The first field's value, then `\r\n`, name, `: ` and value of each other field, written
    /// into one allocation.
    private static func joined(_ fields: ArraySlice<(name: String, value: String)>) -> [UInt8] {
        let capacity = fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var position = 0
            for index in fields.indices {
                if index != fields.startIndex {
                    buffer[position] = UInt8(ascii: "\r")
                    buffer[position + 1] = UInt8(ascii: "\n")
                    position = copy(fields[index].name, into: buffer, at: position + 2)
                    buffer[position] = UInt8(ascii: ":")
                    buffer[position + 1] = UInt8(ascii: " ")
                    position += 2
                }
                position = copy(fields[index].value, into: buffer, at: position)
            }
            count = position
        }
    }

    /// Copies the text's bytes to `buffer` at `position`; answers the position after them.
    private static func copy(_ text: String, into buffer: UnsafeMutableBufferPointer<UInt8>, at position: Int) -> Int {
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes in
            precondition(position + bytes.count <= buffer.count)
            if let start = bytes.baseAddress, let base = buffer.baseAddress { memcpy(base + position, start, bytes.count) }
            return position + bytes.count
        }
        if let copied { return copied }
        var position = position
        for byte in text.utf8 {
            buffer[position] = byte
            position += 1
        }
        return position
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

    private static func isOneLine(_ text: String) -> Bool {
        var text = text
        return text.withUTF8(lineBreaksAndNULs) == 0
    }

    /// How many bytes are CR, LF or NUL (found with `memchr`, which reads many bytes at a time).
    private static func lineBreaksAndNULs(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = text.baseAddress else { return 0 }
        let end = UnsafeRawPointer(base + text.count)
        var count = 0
        for byte: Int32 in [0x0D, 0x0A, 0] {
            var from = UnsafeRawPointer(base)
            while from < end, let found = memchr(from, byte, end - from) {
                count += 1
                from = UnsafeRawPointer(found) + 1
            }
        }
        return count
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
