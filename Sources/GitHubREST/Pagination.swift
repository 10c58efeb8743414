import ConcurrencySimulator
import MockHTTP

/// What a list request asked for: how many, and where to start.
public struct PageRequest: Equatable, Sendable {
    public enum Start: Equatable, Sendable {
        case first
        case after(PageCut)
        case before(PageCut)
    }

    /// GitHub's default page size.
    public static let defaultPerPage = 30
    /// GitHub's maximum; larger requests are reduced to it without error.
    public static let maximumPerPage = 100

    public var perPage: Int
    public var start: Start

    public init(perPage: Int = PageRequest.defaultPerPage, start: Start = .first) {
        self.perPage = perPage
        self.start = start
    }

    /// Reads `per_page`, `after` and `before`, refusing what GitHub would refuse with 422.
    static func parse(
        _ query: QueryParameters, scope: String, resource: String, documentationURL: String
    ) throws(GitHubError) -> PageRequest {
        var request = PageRequest()
        if let raw = query["per_page"] {
            guard let value = IntegerParameter.parse(raw), value.isPositive else {
                throw .validationFailed(
                    ValidationIssue(resource: resource, field: "per_page", message: "per_page must be an integer of at least 1", value: .string(raw)),
                    documentationURL)
            }
            request.perPage = value.clamped(to: maximumPerPage)
        }
        let after = query["after"]
        let before = query["before"]
        func cut(_ raw: String, _ field: String) throws(GitHubError) -> PageCut {
            guard let cut = CursorCodec.decode(raw, scope: scope) else {
                throw .validationFailed(
                    ValidationIssue(resource: resource, field: field, message: "\(field) is not a cursor given by this list's Link header", value: .string(raw)),
                    documentationURL)
            }
            return cut
        }
        switch (after, before) {
        case (.some, .some):
            throw .validationFailed(
                ValidationIssue(resource: resource, field: "before", message: "before and after cannot be used together"),
                documentationURL)
        case (.some(let raw), nil):
            request.start = .after(try cut(raw, "after"))
        case (nil, .some(let raw)):
            request.start = .before(try cut(raw, "before"))
        case (nil, nil):
            break
        }
        return request
    }
}

/// One page of a sorted key list, and what lies around it.
public struct Page: Equatable, Sendable {
    /// The indices of the page's keys in the full list.
    public let range: Range<Int>
    /// The cut before the page's first key: the `before` cursor of `rel="prev"`.
    public let startCut: PageCut?
    /// The cut after the page's last key: the `after` cursor of `rel="next"`.
    public let endCut: PageCut?
    public let hasEarlier: Bool
    public let hasLater: Bool
    /// Whether the request came with `before`, the only case that offers `rel="prev"`.
    public let reachedBackward: Bool

    /// Selects the page in O(log n) over `keys`, which must be sorted ascending.
    public init(of keys: [GroupKey], request: PageRequest) {
        let lower: Int
        let upper: Int
        var requestCut: PageCut?
        switch request.start {
        case .first:
            lower = 0
            upper = min(keys.count, request.perPage)
        case .after(let cut):
            lower = cut.index(in: keys)
            upper = min(keys.count, lower + request.perPage)
            requestCut = cut
        case .before(let cut):
            upper = cut.index(in: keys)
            lower = max(0, upper - request.perPage)
            requestCut = cut
        }
        range = lower..<upper
        hasEarlier = lower > 0
        hasLater = upper < keys.count
        reachedBackward = if case .before = request.start { true } else { false }
        if range.isEmpty {
            startCut = requestCut
            endCut = requestCut
        } else {
            startCut = PageCut(key: keys[lower], side: .justBefore)
            endCut = PageCut(key: keys[upper - 1], side: .justAfter)
        }
    }

    /// `rel="prev"`'s cut, only for pages reached backward that have earlier items.
    public var previousCut: PageCut? { reachedBackward && hasEarlier ? startCut : nil }
    /// `rel="next"`'s cut, whenever later items exist.
    public var nextCut: PageCut? { hasLater ? endCut : nil }
}

/// An integer query parameter as GitHub reads it: optional sign, then decimal digits.
enum IntegerParameter: Equatable {
    case value(Int)
    /// All digits, but beyond 64 bits.
    case tooLarge

    static func parse(_ text: String) -> IntegerParameter? {
        var digits = Substring(text)
        var negative = false
        if let first = digits.first, first == "-" || first == "+" {
            negative = first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        guard let magnitude = Int(digits) else { return negative ? .value(Int.min) : .tooLarge }
        return .value(negative ? -magnitude : magnitude)
    }

    var isPositive: Bool {
        switch self {
        case .value(let value): return value >= 1
        case .tooLarge: return true
        }
    }

    func clamped(to maximum: Int) -> Int {
        switch self {
        case .value(let value): return min(value, maximum)
        case .tooLarge: return maximum
        }
    }
}
