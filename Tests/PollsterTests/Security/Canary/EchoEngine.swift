import Foundation
import Pollster
import PollsterCore
import PollsterMock
import PollsterTesting

/// An ``EchoProviderServer`` ending jobs as `run` says, an adapter sending the canary as `auth`
/// says, and an engine over real HTTP that logs at trace level into a ``LogCapture``; all torn
/// down after `body`.
struct EchoEngine {
    let pollster: Pollster
    let server: EchoProviderServer
    let logs: LogCapture
    /// A scratch directory (outputs, task files, SQLite) removed afterwards.
    let scratch: URL
    let adapters: URL

    static func with<T>(_ auth: CanaryAuth, _ run: CanaryRun, _ body: (EchoEngine) async throws -> T)
        async throws -> T
    {
        let server = try await EchoProviderServer.start(outcome: run.outcome)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-canary-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let adapters = try auth.adapterDirectory(baseURL: server.baseURL)
        let transport = HTTPClientTransport()
        let logs = LogCapture()
        let engine = EchoEngine(
            pollster: Pollster(
                registry: try YAMLRegistry(directory: adapters.path), transport: transport,
                secrets: Secrets(Canary.environment), urlPolicy: URLPolicy(allowPrivateNetworks: true),
                logger: logs.logger),
            server: server, logs: logs, scratch: scratch, adapters: adapters)
        defer {
            try? FileManager.default.removeItem(at: scratch)
            try? FileManager.default.removeItem(at: adapters)
        }
        do {
            let value = try await body(engine)
            try await transport.shutdown()
            try await server.shutdown()
            return value
        } catch {
            try? await transport.shutdown()
            try? await server.shutdown()
            throw error
        }
    }

    /// What reached the provider leaks the canary (else the test proves nothing).
    var providerSawCanary: Bool { !Canary.leaks(in: server.requests.joined(separator: "\n")).isEmpty }
}

/// Everything a value holds, as text (`dump`), to search for the canary.
func dumped(_ value: some Any) -> String {
    var text = ""
    dump(value, to: &text, maxDepth: 64)
    return text
}
