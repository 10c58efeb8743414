import ConcurrencySimulator
import ControlAPI
import GitHubREST
import MockHTTP
import StateDocuments

/// Applies the state's fault rules to GitHub's requests: picks the rule (drawing from a seeded
/// generator, so a run with the same `--seed` and requests injects the same faults) and builds
/// what it answers.
struct FaultInjector {
    private var generator: SeededGenerator

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    /// The rule that applies to a GitHub request, counted down in `faults`.
    mutating func take(from faults: inout FaultRules, method: String, path: String) -> FaultRule? {
        faults.take(method: method, path: path) { generator.nextUnit() }
    }

    /// GitHub's answer for a status: its usual body for the common server errors, the status's
    /// name otherwise.
    static func statusResponse(_ status: Int) -> HTTPResponse {
        let message: String
        switch status {
        case 500: message = "Server Error"
        case 502: message = "Server Error"
        case 503: message = "Service Unavailable"
        case 504: message = "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists."
        case 401: message = "Bad credentials"
        case 404: message = "Not Found"
        case 422: message = "Validation Failed"
        default: message = HTTPResponse(status: status).reasonPhrase
        }
        return GitHubAPI.errorResponse(
            GitHubError(status: status, message: message, documentationURL: DocumentationURL.restRoot), version: APIVersion.defaultVersion)
    }

    static let secondaryRateLimitDocumentation =
        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"

    /// GitHub's 403 for a secondary rate limit, naming the request id as GitHub's does.
    static func secondaryRateLimitResponse(retryAfter: Int, requestID: String) -> HTTPResponse {
        let error = GitHubError(
            status: 403,
            message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID \(requestID).",
            documentationURL: secondaryRateLimitDocumentation, headers: HTTPHeaders([("Retry-After", String(retryAfter))]))
        return GitHubAPI.errorResponse(error, version: APIVersion.defaultVersion)
    }
}

/// SplitMix64: small, fast, and the same sequence on every platform for a seed (the fault
/// draws, and the model-based tests' steps).
package struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<1 with 53 random bits.
    package mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
