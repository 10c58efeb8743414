// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "concurrency-mock",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "concurrency-mock", targets: ["concurrency-mock"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // Debian's libevent-dev, seen through pkg-config. Only LibeventAdapter imports it.
        .systemLibrary(
            name: "CLibevent",
            pkgConfig: "libevent",
            providers: [.apt(["libevent-dev"])]
        ),
        // Pure queue model: no I/O, no JSON, no Foundation.
        .target(name: "ConcurrencySimulator"),
        // Transport-neutral request/response values and JSON bytes, shared by the API and the adapter.
        .target(name: "MockHTTP"),
        // Fixture documents (YAML or JSON) into a validated simulator.
        .target(
            name: "Fixtures",
            dependencies: ["ConcurrencySimulator", "Workflows", "MockHTTP", .product(name: "Yams", package: "Yams")]
        ),
        // GitHub Actions workflow files: the `${{ }}` expression language, parsing, run planning.
        .target(name: "Workflows", dependencies: ["ConcurrencySimulator", .product(name: "Yams", package: "Yams")]),
        // GitHub's REST contract: routing, validation, pagination, rendering, errors.
        .target(name: "ConcurrencyAPI", dependencies: ["ConcurrencySimulator", "MockHTTP", "Workflows", "Fixtures"]),
        // The only code that touches C.
        .target(name: "LibeventAdapter", dependencies: ["CLibevent", "MockHTTP"]),
        .executableTarget(
            name: "concurrency-mock",
            dependencies: [
                "ConcurrencyAPI", "Fixtures", "LibeventAdapter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ConcurrencySimulatorTests", dependencies: ["ConcurrencySimulator"]),
        .testTarget(name: "FixturesTests", dependencies: ["Fixtures", "Workflows"]),
        .testTarget(name: "WorkflowsTests", dependencies: ["Workflows"]),
        .testTarget(name: "ConcurrencyAPITests", dependencies: ["ConcurrencyAPI", "Fixtures", "Workflows"]),
        .testTarget(name: "EndToEndTests", dependencies: ["concurrency-mock"]),
    ]
)
