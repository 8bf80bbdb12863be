// swift-tools-version:6.2
// The Pollster side of benchmark scenario 3 (peers side by side): a driver that runs N jobs
// through the shipped adapters, and the mock provider as its own process (plus a TLS front
// for fal-client, whose queue URL is always https). See Benchmarks/peers/README.md.
import PackageDescription

let package = Package(
    name: "pollster-driver",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Pollster", path: "../../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "pollster-driver",
            dependencies: [
                .product(name: "Pollster", package: "Pollster"),
                .product(name: "PollsterCore", package: "Pollster"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "peers-mock",
            dependencies: [
                .product(name: "PollsterMock", package: "Pollster"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ]
)
