import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Synchronization

/// Secrets for every shipped adapter, as fixtures are recorded with them redacted.
let replaySecrets = testSecrets.merging([
    "TENCENTCLOUD_SECRET_ID": "AKIDreplay", "TENCENTCLOUD_SECRET_KEY": "replay-secret-key",
    "JIMENG_SESSION_ID": "replay-session", "AZURE_API_KEY": "replay-azure-key",
    "VOLC_ACCESSKEY": "AKLTreplay", "VOLC_SECRETKEY": "cmVwbGF5LXNlY3JldA==",
])

/// The outcome of replaying one fixture through the engine.
struct ReplayRun {
    var fixture: Fixture
    var transport: ReplayTransport
    /// The requests the engine sent, headers and bodies included.
    var requests: [TransportRequest]
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
    let kept = RequestKeepingTransport(transport)
    let pollster = Pollster(
        registry: try YAMLRegistry(directory: Repository.adapters), transport: kept,
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
    return ReplayRun(fixture: fixture, transport: transport, requests: kept.requests, result: result)
}

/// Passes requests to a `ReplayTransport` and keeps them, headers and bodies included.
final class RequestKeepingTransport: Transport {
    private let base: ReplayTransport
    private let sent = Mutex<[TransportRequest]>([])

    init(_ base: ReplayTransport) { self.base = base }

    /// The requests sent so far, in order.
    var requests: [TransportRequest] { sent.withLock { $0 } }

    func stream<Output>(
        _ request: TransportRequest, _ handle: (TransportResponseHead, TransportBody) async throws -> Output
    ) async throws -> Output {
        sent.withLock { $0.append(request) }
        return try await base.stream(request, handle)
    }
}
