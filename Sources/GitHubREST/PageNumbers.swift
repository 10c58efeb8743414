import MockHTTP

/// `page` and `per_page` as GitHub pages the runs, jobs and workflows lists: page numbers from 1,
/// 30 a page by default, at most 100, and a Link header with `prev`, `next`, `last`, `first`.
struct PageNumberRequest: Equatable {
    var page = 1
    var perPage = PageRequest.defaultPerPage

    static func parse(_ query: QueryParameters, resource: String, documentationURL: String) throws(GitHubError) -> PageNumberRequest {
        var request = PageNumberRequest()
        for (field, minimum) in [("per_page", 1), ("page", 1)] {
            guard let raw = query[field] else { continue }
            guard let value = IntegerParameter.parse(raw), value.isPositive else {
                throw .validationFailed(
                    ValidationIssue(resource: resource, field: field, message: "\(field) must be an integer of at least \(minimum)", value: .string(raw)),
                    documentationURL)
            }
            if field == "per_page" {
                request.perPage = value.clamped(to: PageRequest.maximumPerPage)
            } else {
                request.page = value.clamped(to: Int.max / (PageRequest.maximumPerPage + 1))
            }
        }
        return request
    }

    /// The indices of this page among `count` items.
    func range(in count: Int) -> Range<Int> {
        let lower = min(count, (page - 1) * perPage)
        return lower..<min(count, lower + perPage)
    }

    /// GitHub's Link header for this page, or `nil` when everything fits on one page. Each URL
    /// keeps the request's other parameters as sent and states `per_page` and `page`.
    func linkHeader(count: Int, url: String, query: QueryParameters) -> String? {
        let lastPage = max(1, (count + perPage - 1) / perPage)
        guard lastPage > 1 || page > 1 else { return nil }
        let others = query.rawPieces(excluding: ["per_page", "page"])
        func link(_ page: Int, _ rel: String) -> String {
            let pieces = others + ["per_page=\(perPage)", "page=\(page)"]
            return "<\(url)?\(pieces.joined(separator: "&"))>; rel=\"\(rel)\""
        }
        var links: [String] = []
        if page > 1 { links.append(link(min(page - 1, lastPage), "prev")) }
        if page < lastPage {
            links.append(link(page + 1, "next"))
            links.append(link(lastPage, "last"))
        }
        if page > 1 { links.append(link(1, "first")) }
        return links.joined(separator: ", ")
    }
}
