import ConcurrencySimulator
import MockHTTP

/// The whole HTTP surface of the mock: GitHub's REST endpoints over one simulator.
///
/// Confined to the event-loop thread (see `HTTPResponder`): it owns the simulator and mutates it
/// without locks.
public final class MockServer: HTTPResponder {
    public var simulator: Simulator
    public let endpoints: ConcurrencyGroupsEndpoints
    private var requestCounter: UInt32 = 0
    private let requestIDPrefix: String

    public init(simulator: Simulator, configuration: APIConfiguration, requestIDSeed: UInt32 = 0xC0DE) {
        self.simulator = simulator
        self.endpoints = ConcurrencyGroupsEndpoints(configuration: configuration)
        self.requestIDPrefix = Self.hex(requestIDSeed, width: 4)
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        var response = respondWithoutCommonHeaders(to: request)
        requestCounter &+= 1
        // GitHub's ids are five colon-separated hex fields; ours count requests so logs line up.
        response.headers.add(
            "X-GitHub-Request-Id",
            "\(requestIDPrefix):\(Self.hex(requestCounter, width: 6)):\(Self.hex(requestCounter &* 2_654_435_761, width: 8)):\(Self.hex(requestCounter &* 2_246_822_519, width: 8)):\(Self.hex(UInt32(truncatingIfNeeded: simulator.now.secondsSinceEpoch), width: 8))")
        return response
    }

    private func respondWithoutCommonHeaders(to request: HTTPRequest) -> HTTPResponse {
        guard let target = RequestTarget(request.target) else {
            return Self.errorResponse(.notFound(DocumentationURL.restRoot), version: APIVersion.defaultVersion)
        }
        let version: String
        switch request.headers["X-GitHub-Api-Version"].map(Self.trimmed) {
        case .none, .some(""):
            version = APIVersion.defaultVersion
        case .some(let requested):
            guard APIVersion.supported.contains(requested) else {
                return Self.errorResponse(APIVersion.unsupported(requested), version: nil)
            }
            version = requested
        }
        guard request.method == "GET" || request.method == "HEAD",
              let route = GitHubRoute(segments: target.segments)
        else {
            return Self.errorResponse(.notFound(DocumentationURL.restRoot), version: version)
        }
        do {
            let success = try endpoints.answer(route, query: target.query, simulator: simulator)
            var response = HTTPResponse(status: 200, headers: Self.jsonHeaders(version: version), body: success.body)
            if let link = success.link { response.headers.add("Link", link) }
            return response
        } catch {
            return Self.errorResponse(error, version: version)
        }
    }

    static func jsonHeaders(version: String?) -> HTTPHeaders {
        var headers = HTTPHeaders([
            ("Content-Type", "application/json; charset=utf-8"),
            ("X-GitHub-Media-Type", "github.v3; format=json"),
        ])
        if let version { headers.add("X-GitHub-Api-Version-Selected", version) }
        return headers
    }

    static func errorResponse(_ error: GitHubError, version: String?) -> HTTPResponse {
        HTTPResponse(status: error.status, headers: jsonHeaders(version: version), body: error.body)
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
