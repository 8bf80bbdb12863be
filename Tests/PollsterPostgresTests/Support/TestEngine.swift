import Foundation
import Logging
import Pollster
import PollsterCore
import PollsterMock
import Synchronization
import Testing

/// Paths of the repository, found from this file.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let adapters = root.appendingPathComponent("adapters").path
    static let migrations = root.appendingPathComponent("sql/migrations").path
    static let providers = root.appendingPathComponent("sql/providers").path
}

/// Stand-in values for the secrets the adapters in these tests use.
let testSecrets = Secrets(["HEYGEN_API_KEY": "heygen-test-key", "FAL_KEY": "fal-test-key"])

/// An input the HeyGen shape accepts.
let heygenInput: JSONValue = ["video_inputs": [["character": ["type": "avatar", "avatar_id": "a1"]]]]

/// A mock provider, a real HTTP transport and an engine over `registry`, torn down after `body`.
func withMockEngine<T>(
    registry: any ToolRegistry, script: MockJobScript = MockJobScript(polls: 1),
    _ body: (Pollster, MockProviderServer) async throws -> T
) async throws -> T {
    try await MockProviderServer.withEngine(
        registry: registry, script: script, secrets: testSecrets, logger: quietLogger, body)
}

/// Fast polling against the mock.
func fastOptions(_ mock: MockProviderServer) -> InvokeOptions {
    InvokeOptions(baseUrlOverride: mock.baseURL, pollInterval: .milliseconds(20))
}

/// Logs would drown the test output; errors are asserted instead.
let quietLogger: Logger = {
    var logger = Logger(label: "pollster.tests")
    logger.logLevel = .critical
    return logger
}()

/// A YAML registry from text (written to a temporary file that is removed again).
func yamlRegistry(_ yaml: String) throws -> YAMLRegistry {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "pollster-pg-test-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("adapter.yaml")
    try yaml.write(to: file, atomically: true, encoding: .utf8)
    return try YAMLRegistry(directory: directory.path)
}

/// Runs `body` and returns the `PollsterError` it throws, or nil if it succeeds.
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
