import ConcurrencySimulator

/// A cut in a sorted list of group keys: just before or just after one key.
///
/// Cursors name cuts by key, never by offset, so a group added or removed elsewhere in the list
/// between two requests shifts nothing: every group that existed throughout is seen exactly once.
/// `after(cut)` and `before(cut)` are complements, which is why `before=<next cursor of page k>`
/// gives page k back.
public struct PageCut: Hashable, Sendable {
    public enum Side: UInt8, Sendable {
        case justBefore = 0
        case justAfter = 1
    }

    public let key: GroupKey
    public let side: Side

    public init(key: GroupKey, side: Side) {
        self.key = key
        self.side = side
    }

    /// The index in `keys` (sorted ascending) where the cut falls.
    public func index(in keys: [GroupKey]) -> Int {
        let lowerBound = Repository.insertionPoint(of: key, in: keys)
        switch side {
        case .justBefore:
            return lowerBound
        case .justAfter:
            return lowerBound < keys.count && keys[lowerBound] == key ? lowerBound + 1 : lowerBound
        }
    }
}

/// Turns cuts into opaque cursor strings and back.
///
/// Layout before base64url: version byte, side byte, 8-byte scope hash, the key's UTF-8 bytes,
/// then a CRC-32C of a salt and all that. The scope ties a cursor to one list (a repository's
/// groups, or one run's), so a cursor from another list is refused like a tampered one. A CRC
/// detects every change confined to 32 consecutive bits, so any flipped bit or altered base64
/// character is refused; a truncated general-purpose hash (the checksum of version 1) let some
/// flips through to a forged position.
public enum CursorCodec {
    static let version: UInt8 = 2
    static let checksumSalt = Array("concurrency-mock cursor v2".utf8)

    public static func encode(_ cut: PageCut, scope: String) -> String {
        var bytes: [UInt8] = [version, cut.side.rawValue]
        appendBigEndian(FastHash.hash(Array(scope.utf8)), to: &bytes)
        bytes.append(contentsOf: cut.key.folded.utf8)
        let checksum = checksum(of: bytes)
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
        return Base64URL.encode(bytes)
    }

    /// The cut, or `nil` when the text is not a cursor this server made for this scope.
    public static func decode(_ text: String, scope: String) -> PageCut? {
        guard let bytes = Base64URL.decode(text), bytes.count >= 14 else { return nil }
        let payload = Array(bytes[..<(bytes.count - 4)])
        let stored = bytes[(bytes.count - 4)...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard stored == checksum(of: payload), payload[0] == version, let side = PageCut.Side(rawValue: payload[1]) else { return nil }
        let scopeHash = payload[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard scopeHash == FastHash.hash(Array(scope.utf8)),
              let folded = String(validating: payload[10...], as: UTF8.self),
              !folded.isEmpty
        else { return nil }
        let key = GroupKey(folded)
        guard key.folded == folded else { return nil }
        return PageCut(key: key, side: side)
    }

    private static func checksum(of payload: [UInt8]) -> UInt32 {
        CRC32C.checksum(checksumSalt + payload)
    }

    private static func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}

/// CRC-32C (Castagnoli, reflected), as iSCSI and ext4 use it.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

/// A 64-bit FNV-1a-style hash taken eight bytes at a time: fast enough to run over every answer
/// body, good enough for checksums and entity tags (not for secrets).
enum FastHash {
    static func hash(_ bytes: [UInt8]) -> UInt64 {
        let prime: UInt64 = 0x0000_0100_0000_01B3
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            for index in 0..<words {
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) &* prime
                hash ^= hash >> 29
            }
            for byte in raw[(words * 8)...] {
                hash = (hash ^ UInt64(byte)) &* prime
            }
        }
        return hash
    }
}

/// RFC 4648 base64url without padding: safe in a query string as is.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << UInt32(16 - offset * 8) }
            for position in 0...chunk.count {
                output.append(alphabet[Int(value >> UInt32(18 - position * 6) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        var index = 0
        while index < input.count {
            let chunk = input[index..<min(index + 4, input.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() {
                let sextet = reverse[Int(byte)]
                guard sextet != 0xFF else { return nil }
                value |= UInt32(sextet) << UInt32(18 - offset * 6)
            }
            let byteCount = chunk.count - 1
            for position in 0..<byteCount {
                output.append(UInt8(truncatingIfNeeded: value >> UInt32(16 - position * 8)))
            }
            // Canonical form only: unused low bits must be zero, so one cursor has one spelling.
            let unusedBits = UInt32(24 - byteCount * 8)
            guard unusedBits == 0 || value & ((1 << unusedBits) - 1) == 0 else { return nil }
            index += 4
        }
        return output
    }
}
