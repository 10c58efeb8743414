import ConcurrencySimulator
import MockHTTP

/// Successful answers of GitHub routes, reused while the state they were computed from stands.
///
/// An answer depends on the request target, the API version and whether the caller may read
/// the repository; the first two are the key, the third is checked on every hit against the
/// repository the answer came from, as it was when the answer was kept (a caller who may not
/// read it gets the fresh 404). Every change of state bumps the generation the owner passes in,
/// which empties the cache: a kept answer's repository and its visibility still stand.
struct AnswerCache {
    /// How many answers are kept, and how many body bytes in all; past either the cache starts
    /// over, so a client walking a huge list cannot make it hold the list twice.
    static let maximumEntries = 4096
    static let maximumBodyBytes = 32 * 1024 * 1024

    struct Answer {
        /// The repository the answer reads, and its visibility; the caller must be able to read it.
        let repository: RepositoryKey
        let visibility: Visibility
        let body: [UInt8]
        /// Content type, media type, version, Link and ETag: everything but per-request headers.
        let headers: HTTPHeaders
    }

    private struct Key: Hashable {
        let target: String
        let version: String
    }

    private var answers: [Key: Answer] = [:]
    private var bodyBytes = 0
    private var generation: UInt64 = 0

    /// The answer kept for this request under this state generation, if any.
    mutating func answer(target: String, version: String, generation: UInt64) -> Answer? {
        if generation != self.generation {
            removeAll()
            self.generation = generation
            return nil
        }
        return answers[Key(target: target, version: version)]
    }

    mutating func keep(_ answer: Answer, target: String, version: String) {
        if answers.count >= Self.maximumEntries || bodyBytes + answer.body.count > Self.maximumBodyBytes { removeAll() }
        guard answer.body.count <= Self.maximumBodyBytes else { return }
        answers[Key(target: target, version: version)] = answer
        bodyBytes += answer.body.count
    }

    private mutating func removeAll() {
        answers.removeAll(keepingCapacity: true)
        bodyBytes = 0
    }
}
