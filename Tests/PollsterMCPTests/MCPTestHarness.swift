import Foundation
import Logging
import MCP
import Pollster
import PollsterCore
import PollsterMCP
import PollsterMock
import Synchronization

/// Raw JSON methods, so tests see the wire shapes (the SDK's stock types drop fields).
enum RawListTools: Method {
    static let name = "tools/list"
    typealias Parameters = Value
    typealias Result = Value
}

enum RawCallTool: Method {
    static let name = "tools/call"
    typealias Parameters = Value
    typealias Result = Value
}

enum RawGetTask: Method {
    static let name = "tasks/get"
    typealias Parameters = Value
    typealias Result = Value
}

enum RawTaskResult: Method {
    static let name = "tasks/result"
    typealias Parameters = Value
    typealias Result = Value
}

enum RawReadResource: Method {
    static let name = "resources/read"
    typealias Parameters = Value
    typealias Result = Value
}

/// A mock provider, an engine, an in-memory store and a `PollsterMCPServer` on an in-memory
/// transport, with a connected SDK client.
enum MCPTestHarness {
    static let adapters = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("adapters").path

    static let quiet: Logger = {
        var logger = Logger(label: "pollster.mcp.tests")
        logger.logLevel = .critical
        return logger
    }()

    /// A secret of the engine; no answer may contain it.
    static let canary = "canary-FAL-secret-91c2e4"

    static func withClient(
        script: MockJobScript = MockJobScript(polls: 2), naming: ToolNaming = ToolNaming(),
        registry: (any ToolRegistry)? = nil, store: any TaskStore = InMemoryTaskStore(),
        prepare: (Client) async -> Void = { _ in },
        _ body: (Client, MockProviderServer) async throws -> Void
    ) async throws {
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("pollster-mcp-\(UUID())")
        defer { try? FileManager.default.removeItem(at: files) }
        try await MockProviderServer.withEngine(
            registry: try registry ?? YAMLRegistry(directory: adapters), script: script,
            secrets: Secrets(["FAL_KEY": canary, "RUNWAYML_API_SECRET": canary]), logger: quiet
        ) { pollster, mock in
            let server = PollsterMCPServer(
                service: TaskService(store: store, pollster: pollster),
                configuration: .init(
                    naming: naming,
                    taskOptions: TaskOptions(baseUrlOverride: mock.baseURL, pollIntervalSeconds: 0.05),
                    worker: .init(
                        lease: .seconds(3), idleDelay: .milliseconds(20), filesDirectory: files.path),
                    checkEvery: .milliseconds(50), toolsCheckEvery: .milliseconds(100)),
                logger: quiet)
            let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
            // The in-memory transport drops what arrives before it is connected: connect the server's
            // side first (the server's own connect is then a no-op).
            try await serverSide.connect()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run(transport: serverSide) }
                let client = Client(name: "tests", version: "1")
                await prepare(client)
                do {
                    _ = try await client.connect(transport: clientSide)
                    try await body(client, mock)
                } catch {
                    await client.disconnect()
                    throw error
                }
                await client.disconnect()
                try await group.waitForAll()
            }
        }
    }
}

extension Client {
    /// Sends `params` as method `M` and returns the raw result.
    func raw<M: Method>(_ method: M.Type, _ params: Value) async throws -> Value
    where M.Parameters == Value, M.Result == Value {
        try await send(M.request(params)).value
    }
}

extension Value {
    subscript(_ index: Int) -> Value? {
        guard let items = arrayValue, items.indices.contains(index) else { return nil }
        return items[index]
    }
}

/// A registry whose methods a test changes while the server runs (as PostgreSQL rows change).
final class ChangingRegistry: ToolRegistry {
    private let current: Mutex<[ToolMethod]>

    init(_ methods: [ToolMethod]) { current = Mutex(methods) }

    /// Replaces the methods.
    func set(_ methods: [ToolMethod]) { current.withLock { $0 = methods } }

    func method(named name: String) async throws -> ToolMethod {
        guard let method = current.withLock({ $0.first { $0.name == name } }) else {
            throw PollsterError(.toolNotFound, "no tool \(name)")
        }
        return method
    }

    func methods() async throws -> [ToolMethod] { current.withLock { $0 } }

    func problems() async throws -> [PollsterError] { [] }
}
