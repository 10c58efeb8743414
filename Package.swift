// swift-tools-version:6.0
import PackageDescription

/// Every target reads only what it imports itself.
let strictImports: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "concurrency-mock",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "concurrency-mock", targets: ["concurrency-mock"]),
        // The in-process server for the benchmark package in Benchmarks/ (and anyone embedding the mock).
        .library(name: "ConcurrencyMockServer", targets: ["Server", "StateDocuments", "GitHubREST", "MockHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // The queue model: repositories, runs, job trees, groups, the lease engine and its
        // invariants. No I/O, no JSON, no authentication, no Foundation.
        .target(name: "ConcurrencySimulator", swiftSettings: strictImports),
        // Who may read what: tokens, the authentication mode, rate-limit budgets (values only).
        .target(name: "AccessPolicy", dependencies: ["ConcurrencySimulator"], swiftSettings: strictImports),
        // YAML and JSON documents read strictly, every error with file, line and column; the
        // threads that read large ones.
        .target(
            name: "SourceDocuments",
            dependencies: ["ConcurrencySimulator", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictImports),
        // The workflow language: workflow files, the `${{ }}` expressions, run planning.
        .target(
            name: "Workflows",
            dependencies: ["ConcurrencySimulator", "SourceDocuments", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictImports),
        // JSON bytes written directly, for every document the mock answers.
        .target(name: "JSONOutput", swiftSettings: strictImports),
        // The mock's whole state and its documents: fixtures, export and import, event replay, the clock.
        .target(
            name: "StateDocuments",
            dependencies: [
                "ConcurrencySimulator", "AccessPolicy", "SourceDocuments", "Workflows", "JSONOutput",
                .product(name: "Yams", package: "Yams"),
            ],
            // The default state, compiled in from Fixtures/docs-example.yml (a link to it).
            resources: [.embedInCode("Resources/docs-example.yml")],
            swiftSettings: strictImports),
        // Transport-neutral HTTP values: requests, responses, headers, percent-encoding.
        .target(name: "MockHTTP", swiftSettings: strictImports),
        // GitHub's REST contract: routes, the concurrency-group operations, the workflow-run, job
        // and workflow operations (reads and the writes that move the queues), pagination and
        // cursors, error bodies, callers, rate limits, ETags, API versions.
        .target(
            name: "GitHubREST",
            dependencies: [
                "ConcurrencySimulator", "AccessPolicy", "MockHTTP", "JSONOutput",
                // The runs, jobs and workflows operations read the registered workflows and trigger
                // runs; their request bodies are JSON read strictly.
                "SourceDocuments", "Workflows", "StateDocuments", .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictImports),
        // The `/_mock` control API: one file per route family, each owning its documents.
        .target(
            name: "ControlAPI",
            dependencies: [
                "ConcurrencySimulator", "AccessPolicy", "SourceDocuments", "Workflows", "StateDocuments", "GitHubREST",
                "MockHTTP", "JSONOutput", .product(name: "Yams", package: "Yams"),
            ],
            // The board's page (GET /_mock/ui): compiled in through EmbeddedBoard.swift (scripts/embed-fixtures).
            exclude: ["Board"],
            swiftSettings: strictImports),
        // The one owner of the state and the request pipeline in front of both APIs.
        .target(
            name: "Server",
            dependencies: ["ConcurrencySimulator", "AccessPolicy", "StateDocuments", "GitHubREST", "ControlAPI", "MockHTTP", "JSONOutput"],
            swiftSettings: strictImports),
        // Debian's libevent-dev, seen through pkg-config. Only LibeventAdapter imports it.
        .systemLibrary(
            name: "CLibevent",
            pkgConfig: "libevent",
            providers: [.apt(["libevent-dev"])]
        ),
        // The only code that touches C: one event loop serving an HTTPResponder.
        .target(name: "LibeventAdapter", dependencies: ["CLibevent", "MockHTTP"], swiftSettings: strictImports),
        // The command line, wiring the others together.
        .executableTarget(
            name: "concurrency-mock",
            dependencies: [
                "ConcurrencySimulator", "AccessPolicy", "SourceDocuments", "StateDocuments", "GitHubREST", "ControlAPI", "Server", "LibeventAdapter", "JSONOutput",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictImports
        ),
        .testTarget(name: "ConcurrencySimulatorTests", dependencies: ["ConcurrencySimulator"]),
        .testTarget(name: "FixturesTests", dependencies: ["ConcurrencySimulator", "StateDocuments", "Workflows", "SourceDocuments"]),
        .testTarget(name: "WorkflowsTests", dependencies: ["ConcurrencySimulator", "Workflows", "SourceDocuments", "StateDocuments"]),
        .testTarget(
            name: "ConcurrencyAPITests",
            dependencies: [
                "ConcurrencySimulator", "AccessPolicy", "StateDocuments", "Workflows", "GitHubREST", "ControlAPI",
                "Server", "MockHTTP", "JSONOutput", "SourceDocuments",
            ]),
        .testTarget(name: "MockHTTPTests", dependencies: ["MockHTTP"]),
        .testTarget(name: "JSONOutputTests", dependencies: ["JSONOutput"]),
        .testTarget(name: "LibeventAdapterTests", dependencies: ["LibeventAdapter", "MockHTTP"]),
        .testTarget(name: "GitHubRESTTests", dependencies: ["ConcurrencySimulator", "GitHubREST"]),
        .testTarget(name: "EndToEndTests", dependencies: ["concurrency-mock", "Server", "StateDocuments", "GitHubREST", "MockHTTP"]),
    ]
)

// libFuzzer harnesses (Fuzz/), one executable each, built by scripts/fuzz. They exist only when
// it asks for them: they call libFuzzer's driver, which only `-sanitize=fuzzer` links in, so an
// ordinary build must not see them.
if Context.environment["CONCURRENCY_MOCK_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzDriver", path: "Fuzz/FuzzDriver", swiftSettings: strictImports))
    let harnesses: [(name: String, dependencies: [Target.Dependency])] = [
        ("fuzz-request-target", ["MockHTTP"]),
        ("fuzz-request-framer", ["LibeventAdapter"]),
        ("fuzz-cursor", ["GitHubREST", "ConcurrencySimulator"]),
        ("fuzz-expression", ["Workflows"]),
        ("fuzz-workflow", ["Workflows", "SourceDocuments"]),
        ("fuzz-state-document", ["StateDocuments", "ConcurrencySimulator", "SourceDocuments"]),
        ("fuzz-request-handler", ["Server", "StateDocuments", "GitHubREST", "MockHTTP", "ConcurrencySimulator"]),
    ]
    for harness in harnesses {
        package.targets.append(.executableTarget(
            name: harness.name, dependencies: ["FuzzDriver"] + harness.dependencies, path: "Fuzz/\(harness.name)",
            swiftSettings: strictImports))
        package.products.append(.executable(name: harness.name, targets: [harness.name]))
    }
}
