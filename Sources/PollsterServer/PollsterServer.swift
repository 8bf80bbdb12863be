import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Pollster
import PollsterCore
import ServiceLifecycle

/// The HTTP task API (openapi.yaml) over a `TaskService`, as a `Service`: run it in a
/// `ServiceGroup` next to `TaskWorker`s, and it shuts down gracefully with them.
///
/// ```swift
/// let server = PollsterServer(service: tasks, state: try SQLiteServerStore(path: "pollster.sqlite"))
/// let group = ServiceGroup(services: [server, worker], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
public struct PollsterServer: Service {
    /// How the server runs.
    public struct Configuration: Sendable {
        /// The address to listen on (`127.0.0.1` by default: loopback only).
        public var host: String
        /// The port (0: any free port, reported to `onListening`).
        public var port: Int
        /// Every request needs a Bearer API key; false only for loopback development (`--no-auth`).
        public var requireAuth: Bool
        /// The largest request body.
        public var maxBodyBytes: Int
        /// The longest `Prefer: wait=N` honoured.
        public var maxPreferWait: Duration
        /// How often SSE streams and `Prefer: wait` read the task.
        public var eventsCheckEvery: Duration
        /// Engine options stored with every task submitted here (a base URL override and a poll
        /// interval for tests and on-prem gateways; never settable through the API).
        public var taskOptions: TaskOptions
        /// Which webhook targets are allowed (private addresses are refused by default).
        public var webhookPolicy: URLPolicy
        /// Webhook delivery timing.
        public var webhooks: WebhookDispatcher.Configuration
        /// Unfinished tasks a tenant may have at once; a submit beyond it is a 429
        /// (`TOO_MANY_TASKS`). 0: no limit.
        public var maxTasksPerTenant: Int
        /// When idle and stalled client connections are closed, and how many may be open.
        public var connections: ConnectionLimits

        /// A configuration.
        public init(
            host: String = "127.0.0.1", port: Int = 8080, requireAuth: Bool = true,
            maxBodyBytes: Int = 1 << 20,
            maxPreferWait: Duration = .seconds(60), eventsCheckEvery: Duration = .milliseconds(200),
            taskOptions: TaskOptions = TaskOptions(), webhookPolicy: URLPolicy = URLPolicy(),
            webhooks: WebhookDispatcher.Configuration = WebhookDispatcher.Configuration(),
            maxTasksPerTenant: Int = 1000, connections: ConnectionLimits = ConnectionLimits()
        ) {
            self.host = host
            self.port = port
            self.requireAuth = requireAuth
            self.maxBodyBytes = maxBodyBytes
            self.maxPreferWait = maxPreferWait
            self.eventsCheckEvery = eventsCheckEvery
            self.taskOptions = taskOptions
            self.webhookPolicy = webhookPolicy
            self.webhooks = webhooks
            self.maxTasksPerTenant = maxTasksPerTenant
            self.connections = connections
        }
    }

    let api: PollsterAPI
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    /// A server; nothing listens until `run()`.
    /// - Parameters:
    ///   - service: the tasks (its engine's registry gives the tools).
    ///   - state: API keys, idempotency keys and webhooks.
    ///   - metrics: where `/metrics` reads from.
    ///   - onListening: called with the bound port once the server listens.
    public init(
        service: TaskService, state: any ServerStore, configuration: Configuration = Configuration(),
        metrics: ServerMetrics = ServerMetrics(), logger: Logger = Logger(label: "pollster.server"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.api = PollsterAPI(service: service, state: state, configuration: configuration, metrics: metrics)
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until graceful shutdown (the webhook dispatcher runs alongside).
    public func run() async throws {
        let configuration = api.configuration
        let dispatcher = WebhookDispatcher(
            service: api.service, state: api.state, policy: configuration.webhookPolicy,
            configuration: configuration.webhooks, metrics: api.metrics, logger: logger)
        let onListening = self.onListening
        let handlers = configuration.connections.channelHandlers(logger: logger)
        let application = Application(
            router: try ServerRouter.make(api: api, logger: logger),
            server: .http1(
                configuration: HTTP1Channel.Configuration(
                    additionalChannelHandlers: handlers(),
                    idleTimeout: TimeAmount(configuration.connections.idle))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "pollster"),
            services: [dispatcher],
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await application.run()
    }
}
