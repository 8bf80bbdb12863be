import Foundation
import Pollster
import PollsterCore
import PollsterMock

/// Secrets for every shipped adapter, as fixtures are recorded with them redacted.
let replaySecrets = testSecrets.merging([
    "TENCENTCLOUD_SECRET_ID": "AKIDreplay", "TENCENTCLOUD_SECRET_KEY": "replay-secret-key",
    "JIMENG_SESSION_ID": "replay-session", "AZURE_API_KEY": "replay-azure-key",
])

/// The outcome of replaying one fixture through the engine.
struct ReplayRun {
    var fixture: Fixture
    var transport: ReplayTransport
    var result: Result<ToolResult, PollsterError>

    /// The error the replay ended with, if it failed.
    var error: PollsterError? {
        if case .failure(let error) = result { return error }
        return nil
    }
}

/// Replays `Tests/Fixtures/<name>` through the shipped adapters, polling without delay.
func replay(
    _ name: String, maxWait: Duration? = nil,
    onAccepted: (@Sendable (TaskCheckpoint) async throws -> Void)? = nil
) async throws -> ReplayRun {
    let fixture = try Fixture.load(path: "\(Repository.fixtures)/\(name)")
    let transport = ReplayTransport(fixture: fixture)
    let pollster = Pollster(
        registry: try YAMLRegistry(directory: Repository.adapters), transport: transport,
        secrets: replaySecrets,
        urlPolicy: URLPolicy(allowPrivateNetworks: true))
    var options = InvokeOptions(pollInterval: .milliseconds(1), maxWait: maxWait)
    options.onAccepted = onAccepted
    let result: Result<ToolResult, PollsterError>
    do {
        result = .success(
            try await pollster.invoke(fixture.tool!, input: fixture.input ?? [:], options: options))
    } catch {
        result = .failure(error)
    }
    return ReplayRun(fixture: fixture, transport: transport, result: result)
}
