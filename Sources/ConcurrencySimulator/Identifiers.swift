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
        var folded = name.lowercased()
        folded.makeContiguousUTF8()
        self.folded = folded
    }

    public static func == (lhs: FoldedName, rhs: FoldedName) -> Bool {
        lhs.folded.utf8.elementsEqual(rhs.folded.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        // The folded string is contiguous UTF-8 (see init): hash its bytes in one call.
        let hashedInOneCall: Void? = folded.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashedInOneCall == nil {
            for byte in folded.utf8 { hasher.combine(byte) }
        }
        hasher.combine(0xFF as UInt8)
    }

    public static func < (lhs: FoldedName, rhs: FoldedName) -> Bool {
        lhs.folded.utf8.lexicographicallyPrecedes(rhs.folded.utf8)
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
}
