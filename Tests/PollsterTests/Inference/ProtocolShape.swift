import Foundation
import Pollster
import PollsterCore
import PollsterMock
import PollsterTesting
import Testing

extension ProtocolShape {
    /// The nine shapes of issue 17: every shipped shape once (fal's video model states the output's
    /// size next to its URL, which an omitted body cannot match on replay).
    static let issueShapes = all.filter { $0.tool != "fal.kling_text_to_video" }

    /// The fixture directory of the shape's provider (Azure's example adapter records under `azure`).
    var directory: String {
        let inventory = tool.split(separator: ".").first.map(String.init) ?? tool
        return inventory == "azure-example" ? "azure" : inventory
    }

    /// The method part of the tool name.
    var method: String { tool.split(separator: ".").last.map(String.init) ?? tool }
}

/// Records invocations against the mock provider, in process, the way `pollster record` does.
enum MockRecording {
    /// Runs `shape`'s tool from `registry` against a fresh mock following `script`, and returns
    /// the written fixture, loaded back from disk.
    static func record(
        _ shape: ProtocolShape, script: MockJobScript, registry: (any ToolRegistry)? = nil
    ) async throws -> (fixture: Fixture, text: String) {
        let registry = try registry ?? YAMLRegistry(directory: Repository.adapters)
        let mock = try await MockProviderServer.start(defaultScript: script)
        let transport = HTTPClientTransport()
        let recorder = RecordingTransport(transport)
        let pollster = Pollster(
            registry: registry, transport: recorder, secrets: ProtocolShape.secrets,
            urlPolicy: URLPolicy(allowPrivateNetworks: true), logger: quietLogger)
        let baseUrl = mock.baseURL + shape.prefix
        let reference = "recorded-\(UUID().uuidString.lowercased())"
        let result: Result<ToolResult, PollsterError>
        do {
            result = .success(
                try await pollster.invoke(
                    shape.tool, input: shape.input,
                    options: InvokeOptions(
                        baseUrlOverride: baseUrl, pollInterval: .milliseconds(10), idempotencyKey: reference))
            )
        } catch {
            result = .failure(error)
        }
        try await transport.shutdown()
        try await mock.shutdown()
        let recording = FixtureRecording(
            method: try await registry.method(named: shape.tool), input: shape.input, baseUrl: baseUrl,
            exchanges: recorder.exchanges, result: result, secrets: ProtocolShape.secrets,
            reference: reference)
        let text = PrettyJSON.string(recording.json)
        return (try load(text), text)
    }

    /// A fixture from its text, through the real loader.
    static func load(_ text: String) throws -> Fixture {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-recording-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try Fixture.load(path: file.path)
    }

}
