import Logging
import MCP
import Pollster
import PollsterCore
import ServiceLifecycle

/// Pollster as an MCP server: every tool method of the registry is an MCP tool, every call a
/// durable task (so its files have a stable home and id), and task-augmented calls are MCP Tasks.
///
/// ```swift
/// let server = PollsterMCPServer(service: TaskService(store: store, pollster: pollster), logger: logger)
/// try await server.run(transport: StdioTransport())   // returns when the client hangs up
/// ```
///
/// It runs an in-process `TaskWorker` over the same store; other workers may share the store.
/// Nothing is written to stdout but the protocol (stdio mode), and every result comes from the
/// engine's results and errors, whose secrets are already redacted.
public struct PollsterMCPServer: Sendable {
    /// How the server runs.
    public struct Configuration: Sendable {
        /// How registry names become tool names.
        public var naming: ToolNaming
        /// Engine options stored with every task the server submits (base URL, poll interval, …).
        public var taskOptions: TaskOptions
        /// The in-process worker; nil runs none (another process works the store).
        public var worker: TaskWorker.Configuration?
        /// `resources/read` refuses files larger than this (they are base64 in one JSON message).
        public var maxResourceBytes: Int
        /// How often running tasks are read for progress and status notifications.
        public var checkEvery: Duration
        /// How often the registry's tool list is compared for `notifications/tools/list_changed`.
        public var toolsCheckEvery: Duration

        /// A configuration; the worker's lease is short (6 s) so that cancels reach it quickly.
        public init(
            naming: ToolNaming = ToolNaming(), taskOptions: TaskOptions = TaskOptions(),
            worker: TaskWorker.Configuration? = TaskWorker.Configuration(lease: .seconds(6)),
            maxResourceBytes: Int = 64 << 20, checkEvery: Duration = .milliseconds(200),
            toolsCheckEvery: Duration = .seconds(5)
        ) {
            self.naming = naming
            self.taskOptions = taskOptions
            self.worker = worker
            self.maxResourceBytes = maxResourceBytes
            self.checkEvery = checkEvery
            self.toolsCheckEvery = toolsCheckEvery
        }
    }

    /// The server's name and version in `initialize`.
    public static let name = "pollster"
    /// The version announced to clients.
    public static let version = "0.1.0"

    /// The durable tasks (and through them the engine and registry).
    public let service: TaskService
    /// How the server runs.
    public let configuration: Configuration
    let logger: Logger

    /// A server; nothing happens until `run(transport:)`.
    public init(service: TaskService, configuration: Configuration = Configuration(), logger: Logger) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves one MCP session on `transport` until the client disconnects or, in a
    /// `ServiceGroup`, until graceful shutdown; then lets the worker hand its tasks back.
    public func run(transport: any MCP.Transport) async throws {
        try await withRuntime { cancels in
            try await serveSession(on: transport, cancels: cancels)
        }
    }

    /// Runs the in-process worker and the consumer of cancels for as long as `body` runs, then
    /// shuts the worker down gracefully (its tasks are handed back to the store).
    func withRuntime(_ body: (AsyncStream<String>.Continuation) async throws -> Void) async throws {
        let (cancels, cancelSink) = AsyncStream.makeStream(of: String.self)
        let workers = configuration.worker.map { worker in
            ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [
                        TaskWorker(
                            store: service.store, pollster: service.pollster, configuration: worker,
                            logger: logger)
                    ],
                    logger: logger))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let workers { group.addTask { try await workers.run() } }
            group.addTask { [service, logger] in
                for await id in cancels {
                    do { _ = try await service.cancel(id) } catch {
                        logger.debug("cancel of task \(id): \(error)")
                    }
                }
            }
            do {
                try await body(cancelSink)
            } catch {
                cancelSink.finish()
                await workers?.triggerGracefulShutdown()
                throw error
            }
            cancelSink.finish()
            await workers?.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }

    /// A session's SDK server with every handler registered.
    func makeSession(cancels: AsyncStream<String>.Continuation) async -> MCPSession {
        let server = Server(
            name: Self.name, version: Self.version, title: "Pollster",
            instructions:
                "Each tool submits a job to an asynchronous provider API, waits for it and returns the result JSON and links to the output files (read them with resources/read). Long jobs: call with a task and poll tasks/get.",
            capabilities: Server.Capabilities(
                resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: true)))
        let session = MCPSession(
            server: server, service: service, configuration: configuration, cancels: cancels, logger: logger)
        await session.register()
        return session
    }

    /// One session on `transport`, with its status notifications, until it ends.
    private func serveSession(on transport: any MCP.Transport, cancels: AsyncStream<String>.Continuation)
        async throws
    {
        let session = await makeSession(cancels: cancels)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await session.watch() }
            do {
                try await session.server.start(
                    transport: TaskCapabilityTransport(wrapping: transport, logger: logger))
            } catch {
                session.stop()
                throw error
            }
            await Self.serve(session.server)
            session.stop()
            try await group.waitForAll()
        }
    }

    /// Waits until the client hangs up or graceful shutdown is asked for, then stops the server.
    private static func serve(_ server: Server) async {
        await withTaskGroup(of: Void.self) { race in
            race.addTask { await server.waitUntilCompleted() }
            race.addTask { try? await gracefulShutdown() }
            _ = await race.next()
            await server.stop()
            race.cancelAll()
        }
    }
}
