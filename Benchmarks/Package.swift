// swift-tools-version:6.2
import PackageDescription

/// The benchmark suite: a package of its own, so the main package's CI never builds
/// ordo-one/benchmark. `Benchmarks/run` builds it in release and runs every scenario.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "PollsterBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so the products below resolve whatever the checkout directory is called.
        .package(name: "Pollster", path: ".."),
        // Only the malloc interposer: the default "RuntimeInterposer" trait needs a
        // package that is not mirrored here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // Scenario 1: per-poll engine cost, in process (ordo-one/benchmark).
        .executableTarget(
            name: "PollCost",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PollsterCore", package: "Pollster"),
                .product(name: "Pollster", package: "Pollster"),
                .product(name: "PollsterMock", package: "Pollster"),
            ],
            path: "Benchmarks/PollCost",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The malloc heap in use (glibc's mallinfo2, which the Glibc module does not export).
        .target(name: "CHeapStats", path: "Sources/CHeapStats"),
        // Scenarios 2, 4, 5, 6, 7: the load generators and the out-of-process servers.
        .executableTarget(
            name: "pollster-bench",
            dependencies: [
                "CHeapStats",
                .product(name: "PollsterCore", package: "Pollster"),
                .product(name: "Pollster", package: "Pollster"),
                .product(name: "PollsterMock", package: "Pollster"),
                .product(name: "PollsterSQLite", package: "Pollster"),
                .product(name: "PollsterPostgres", package: "Pollster"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/pollster-bench",
            swiftSettings: swiftSettings
        ),
    ]
)
