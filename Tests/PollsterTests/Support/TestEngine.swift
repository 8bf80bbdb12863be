import Foundation
import Logging
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// Paths of the repository, found from this file.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let adapters = root.appendingPathComponent("adapters").path
    static let fixtures = root.appendingPathComponent("Tests/Fixtures").path
}

/// Stand-in values for every secret the shipped adapters use.
let testSecrets = Secrets([
    "HEYGEN_API_KEY": "heygen-test-key", "FAL_KEY": "fal-test-key", "RUNWAYML_API_SECRET": "runway-test-key",
    "REPLICATE_API_TOKEN": "replicate-test-key",
])

/// The shipped tools, one per provider shape the mock speaks.
let shippedTools = [
    "heygen.create_avatar_video_v2", "fal.fast_sdxl", "runway.image_to_video", "replicate.create_prediction",
]

/// Inputs the shipped tools accept.
let sampleInputs: [String: JSONValue] = [
    "heygen.create_avatar_video_v2": [
        "video_inputs": [["character": ["type": "avatar", "avatar_id": "a1"]]]
    ],
    "fal.fast_sdxl": ["prompt": "a lighthouse"],
    "runway.image_to_video": ["promptImage": "https://example.com/a.png", "model": "gen4_turbo"],
    "replicate.create_prediction": ["version": "v1", "input": ["prompt": "a cat"]],
]

/// A mock provider, a real HTTP transport and an engine, torn down after `body`.
func withMockEngine<T>(
    script: MockJobScript = MockJobScript(),
    registry: (any ToolRegistry)? = nil,
    urlPolicy: URLPolicy = URLPolicy(allowPrivateNetworks: true),
    secrets: Secrets = testSecrets,
    _ body: (Pollster, MockProviderServer) async throws -> T
) async throws -> T {
    try await MockProviderServer.withEngine(
        registry: try registry ?? YAMLRegistry(directory: Repository.adapters), script: script,
        secrets: secrets,
        urlPolicy: urlPolicy, logger: quietLogger, body)
}

/// Engine logs would drown the test output; errors are asserted instead.
let quietLogger: Logger = {
    var logger = Logger(label: "pollster.tests")
    logger.logLevel = .critical
    return logger
}()

/// Fast polling against the mock.
func fastOptions(_ mock: MockProviderServer, maxWait: Duration? = nil, directory: String? = nil)
    -> InvokeOptions
{
    InvokeOptions(
        outputDirectory: directory, baseUrlOverride: mock.baseURL, pollInterval: .milliseconds(20),
        maxWait: maxWait)
}

/// A registry from YAML text (written to a temporary file).
func registry(yaml: String) throws -> YAMLRegistry {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "pollster-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("adapter.yaml")
    try yaml.write(to: file, atomically: true, encoding: .utf8)
    return try YAMLRegistry(directory: directory.path)  // loads eagerly; the file can go
}

/// The shipped HeyGen method with extra `adapterConfig` lines (`output: {…}`, `query: {…}`), and
/// its `polling` map replaced when given.
func heygenRegistry(
    polling: String = #"{ statusUrl: "/v1/video_status.get?video_id={id}" }"#, _ extra: String...
) throws -> YAMLRegistry {
    let lines = extra.map { "\n      " + $0 }.joined()
    return try registry(
        yaml: """
            inventory: heygen
            baseUrl: https://api.heygen.com
            methods:
              - name: create_avatar_video_v2
                endpoint: /v2/video/generate
                adapterConfig:
                  headers: { X-Api-Key: "${HEYGEN_API_KEY}" }
                  polling: \(polling)\(lines)
            """)
}

/// Runs `body` and returns the `PollsterError` it throws, or nil if it succeeds
/// (any other error is recorded as a test issue).
func pollsterError(_ body: () async throws -> some Any) async -> PollsterError? {
    do {
        _ = try await body()
        return nil
    } catch let error as PollsterError {
        return error
    } catch {
        Issue.record("expected a PollsterError, got \(error)")
        return nil
    }
}
