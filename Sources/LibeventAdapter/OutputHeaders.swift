import CLibevent
import Glibc
import MockHTTP

/// An answer's headers as they are handed to evhttp.
///
/// evhttp writes each output header with a `printf` of `"%s: %s\r\n"`, after copying its name and
/// value into three allocations of their own: for a small answer, 40 % of the server's user-space
/// instructions. So each run of plain header lines is handed over as one header, whose value
/// carries the run's other lines (`value\r\nName: value\r\nName: value`); evhttp writes it out as
/// it is, the same bytes the headers one by one would have given. evhttp formats a `Date` for
/// every answer too; the server hands over one it makes once a second.
///
/// Invariants:
/// - a joined header holds no CR, LF or NUL: it is one line evhttp would have accepted and
///   written whole;
/// - evhttp finds a header only by an entry's name: the fields whose presence it checks
///   (`evhttpLooksFor`) always begin an entry, so it still finds them; the fields whose value it
///   reads (`evhttpReadsTheValue`) always go alone;
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

    /// The answer headers evhttp 2.1 looks for, in lower case. It adds `Date` and `Content-Length`
    /// when they are missing, adds `Transfer-Encoding` when neither it nor `Content-Length` is
    /// there (`evhttp_send_reply_start`), and looks for `Content-Type` only to add a default type,
    /// which this server turns off. Their values are never read.
    static let evhttpLooksFor: [[UInt8]] = ["content-length", "transfer-encoding", "date", "content-type"].map { Array($0.utf8) }
    private static let dateName = [Array("date".utf8)]
    /// The answer headers whose value evhttp 2.1 reads (`evhttp_is_connection_close`), in lower case.
    static let evhttpReadsTheValue: [[UInt8]] = ["connection", "proxy-connection"].map { Array($0.utf8) }

    /// Appends the headers to an answer's output headers (`evhttp_request_get_output_headers`),
    /// and a `Date` when they have none (evhttp would format one for every answer).
    static func add(_ headers: HTTPHeaders, date: String, to list: UnsafeMutablePointer<evkeyvalq>) {
        handOver(headers.fields, date: date) { name, value in
            // C strings made on the stack: a Swift string passed straight to C is copied to the
            // heap unless it is a long one.
            name.withCString { name in value.withCString { value in _ = evhttp_add_header(list, name, value) } }
        } joined: { name, value in
            append(name: name, value: value, to: list)
        }
    }

    /// What `add` hands over, in order.
    package static func parts(of headers: HTTPHeaders, date: String) -> [Part] {
        var parts: [Part] = []
        handOver(headers.fields, date: date) { name, value in
            parts.append(.alone(name: name, value: value))
        } joined: { name, value in
            parts.append(.joined(name: name, value: Array(UnsafeBufferPointer(start: value, count: strlen(value)).map { UInt8(bitPattern: $0) })))
            free(value)
        }
        return parts
    }

    /// Hands each header over alone or joined with its neighbours, then `date` as `Date` unless a
    /// field is one; a joined value comes as a NUL-terminated string from `malloc`, which `joined`
    /// takes ownership of.
    private static func handOver(
        _ fields: [(name: String, value: String)], date: String, alone: (String, String) -> Void,
        joined: (String, UnsafeMutablePointer<CChar>) -> Void
    ) {
        var runStart = fields.startIndex
        var hasDate = false
        for index in fields.indices {
            var name = fields[index].name
            let (looksFor, readsTheValue) = name.withUTF8 { name in
                (isOne(of: evhttpLooksFor, name), isOne(of: evhttpReadsTheValue, name))
            }
            if looksFor {
                hasDate = hasDate || name.withUTF8 { isOne(of: dateName, $0) }
                handOver(run: fields[runStart..<index], alone: alone, joined: joined)
                runStart = index
            } else if readsTheValue || name.isEmpty {
                handOver(run: fields[runStart..<index], alone: alone, joined: joined)
                alone(fields[index].name, fields[index].value)
                runStart = index + 1
            }
        }
        handOver(run: fields[runStart...], alone: alone, joined: joined)
        if !hasDate { alone("Date", date) }
    }

    /// Hands over fields with non-empty names, of which only the first may be one evhttp looks
    /// for: joined when they are all one line each (checked once over the joined bytes, whose only
    /// line breaks must then be the ones put between the fields), else joined around those that
    /// are not, which go alone.
    private static func handOver(
        run fields: ArraySlice<(name: String, value: String)>, alone: (String, String) -> Void,
        joined: (String, UnsafeMutablePointer<CChar>) -> Void
    ) {
        guard let first = fields.first else { return }
        let capacity = fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
        guard let value = malloc(capacity + 1)?.assumingMemoryBound(to: UInt8.self) else { return }
        let length = join(fields, into: UnsafeMutableBufferPointer(start: value, count: capacity))
        value[length] = 0
        if isOneLine(first.name), lineBreaksAndNULs(UnsafeBufferPointer(start: value, count: length)) == 2 * (fields.count - 1) {
            joined(first.name, UnsafeMutableRawPointer(value).assumingMemoryBound(to: CChar.self))
            return
        }
        free(value)
        var start = fields.startIndex
        for index in fields.indices where !isOneLine(fields[index].name) || !isOneLine(fields[index].value) {
            handOver(run: fields[start..<index], alone: alone, joined: joined)
            alone(fields[index].name, fields[index].value)
            start = index + 1
        }
        handOver(run: fields[start...], alone: alone, joined: joined)
    }

    /// Writes the first field's value, then `\r\n`, name, `: ` and value of each other field;
    /// answers how many bytes it wrote.
    private static func join(_ fields: ArraySlice<(name: String, value: String)>, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
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
        return position
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

    /// Whether the name is one of `names`, ignoring ASCII case.
    private static func isOne(of names: [[UInt8]], _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        names.contains { HTTPHeaders.namesMatch($0, name) }
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
    /// frees with `free`: the server never replaces libevent's allocator). Takes ownership of
    /// `value`.
    private static func append(name: String, value: UnsafeMutablePointer<CChar>, to list: UnsafeMutablePointer<evkeyvalq>) {
        guard let key = name.withCString({ strdup($0) }) else {
            free(value)
            return
        }
        guard let entry = calloc(1, MemoryLayout<evkeyval>.size)?.assumingMemoryBound(to: evkeyval.self) else {
            free(key)
            free(value)
            return
        }
        entry.pointee.key = key
        entry.pointee.value = value
        entry.pointee.next.tqe_next = nil
        entry.pointee.next.tqe_prev = list.pointee.tqh_last
        list.pointee.tqh_last.pointee = entry
        list.pointee.tqh_last = UnsafeMutableRawPointer(entry)
            .advanced(by: MemoryLayout<evkeyval>.offset(of: \evkeyval.next.tqe_next)!)
            .assumingMemoryBound(to: UnsafeMutablePointer<evkeyval>?.self)
    }
}
