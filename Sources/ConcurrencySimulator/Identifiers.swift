/// The identifier of a workflow run. Unique across the whole mock, as on GitHub.
public struct RunID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// The identifier of a job (a plain job, a matrix leg or a `uses:` job). Unique across the whole mock.
public struct JobID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: JobID, rhs: JobID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// A case-insensitive name, compared and ordered byte-wise on its folded form.
///
/// Folding is Swift's Unicode default lowercase mapping (`String.lowercased()`), so `Prod`,
/// `PROD` and `prod` are one key. Equality, hashing and ordering all use the UTF-8 bytes of the
/// folded form, without Unicode normalisation; UTF-8 byte order equals Unicode scalar order, so
/// the collation is "Unicode scalar order of the lowercased name". Keeping all three on bytes is
/// what makes a sorted index and a hash index of the same keys agree.
public struct FoldedName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The lowercased form. Two names are the same key exactly when these are byte-equal.
    public let folded: String

    public init(_ name: String) {
        // A name in lowercase ASCII, most of them, is its own folded form: kept as it is (its
        // storage shared) rather than lowercased into a new string, once per group a run names.
        var folded = name.allUTF8Bytes { $0 < 0x80 && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) } ? name : name.lowercased()
        folded.makeContiguousUTF8()
        self.folded = folded
    }

    public static func == (lhs: FoldedName, rhs: FoldedName) -> Bool {
        lhs.folded.hasSameBytes(as: rhs.folded)
    }

    public func hash(into hasher: inout Hasher) {
        folded.hashBytes(into: &hasher)
    }

    public static func < (lhs: FoldedName, rhs: FoldedName) -> Bool {
        let (left, right) = (lhs.folded.utf8, rhs.folded.utf8)
        let precedes = left.withContiguousStorageIfAvailable { leftBytes in
            right.withContiguousStorageIfAvailable { rightBytes in leftBytes.lexicographicallyPrecedes(rightBytes) }
        }
        return precedes.flatMap { $0 } ?? left.lexicographicallyPrecedes(right)
    }

    public var description: String { folded }
}

/// The key of a concurrency group within one repository.
public typealias GroupKey = FoldedName

/// The key of a repository: owner and name, each compared case-insensitively as GitHub does.
public struct RepositoryKey: Hashable, Sendable, CustomStringConvertible {
    public let owner: FoldedName
    public let name: FoldedName
    public init(owner: String, name: String) {
        self.owner = FoldedName(owner)
        self.name = FoldedName(name)
    }
    public var description: String { "\(owner.folded)/\(name.folded)" }

    /// Reads `OWNER/NAME`: exactly one slash, neither side empty.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(owner: String(parts[0]), name: String(parts[1]))
    }
}

extension Simulator {
    /// The largest run or job id the mock accepts or hands out: 2^53 - 1. JavaScript clients
    /// read JSON numbers as doubles, which hold whole numbers exactly only up to here.
    public static let largestIdentifier = 9_007_199_254_740_991

    /// The largest run attempt a job record can be of: 2^32 - 1, as a record holds it in 4 bytes.
    /// No run comes near it: each earlier attempt is listed in a document or made by a re-run.
    public static let largestAttempt = Int(UInt32.max)

    /// Why a text is not a run or job id.
    public enum IdentifierProblem: Error, Equatable, Sendable {
        case notAPositiveWholeNumber
        case tooLarge
    }

    /// A run or job id written in decimal digits only, from 1 to `largestIdentifier`.
    public static func identifier(parsing text: String) throws(IdentifierProblem) -> Int {
        var text = text
        return try text.withUTF8 { bytes in Result { () throws(IdentifierProblem) in try identifier(parsingUTF8: bytes) } }.get()
    }

    /// `identifier(parsing:)` of a text's UTF-8 bytes, read in one pass where they lie.
    public static func identifier(parsingUTF8 bytes: UnsafeBufferPointer<UInt8>) throws(IdentifierProblem) -> Int {
        guard !bytes.isEmpty else { throw .notAPositiveWholeNumber }
        var value = 0
        var tooLarge = false
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw .notAPositiveWholeNumber }
            // All digits so far: once past the largest, the rest only decides whether they are digits.
            if !tooLarge {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                tooLarge = value > largestIdentifier
            }
        }
        guard !tooLarge else { throw .tooLarge }
        guard value >= 1 else { throw .notAPositiveWholeNumber }
        return value
    }
}

extension String {
    /// Whether every UTF-8 byte satisfies `predicate`, looked at over the contiguous bytes (a
    /// native string's): the UTF-8 view's iterator went byte by byte through its index.
    @inline(__always)
    func allUTF8Bytes(_ predicate: (UInt8) -> Bool) -> Bool {
        utf8.withContiguousStorageIfAvailable { $0.allSatisfy(predicate) } ?? utf8.allSatisfy(predicate)
    }

    /// Whether both hold the same UTF-8 bytes. Names compare so, not with `String ==`, whose
    /// canonical equivalence would join names GitHub keeps apart.
    func hasSameBytes(as other: String) -> Bool {
        let (left, right) = (utf8, other.utf8)
        guard left.count == right.count else { return false }
        // Over contiguous storage (a name's, as a rule), not byte by byte through the UTF-8
        // view's iterator.
        let equal = left.withContiguousStorageIfAvailable { leftBytes in
            right.withContiguousStorageIfAvailable { rightBytes in Self.sameBytes(leftBytes, rightBytes) }
        }
        return equal.flatMap { $0 } ?? left.elementsEqual(right)
    }

    /// Whether two buffers of one length hold the same bytes: compared eight at a time (names
    /// are looked up in the dictionaries of a large state's groups millions of times a load).
    private static func sameBytes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let leftStart = left.baseAddress, let rightStart = right.baseAddress, leftStart != rightStart else { return true }
        var offset = 0
        while offset + 8 <= left.count {
            guard UnsafeRawPointer(leftStart).loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                == UnsafeRawPointer(rightStart).loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        while offset < left.count {
            guard left[offset] == right[offset] else { return false }
            offset += 1
        }
        return true
    }

    /// Hashes the UTF-8 bytes, as `hasSameBytes(as:)` compares them, ending with a byte no
    /// UTF-8 text holds so that two names hashed in a row stay apart.
    func hashBytes(into hasher: inout Hasher) {
        let hashedInOneCall: Void? = utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashedInOneCall == nil {
            for byte in utf8 { hasher.combine(byte) }
        }
        hasher.combine(0xFF as UInt8)
    }
}
