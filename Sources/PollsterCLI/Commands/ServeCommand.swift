import ArgumentParser
import Foundation
import Logging
import Pollster
import PollsterCore
import PollsterServer
import ServiceLifecycle

/// `pollster serve`: the HTTP task API and task workers in one process, until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP task API (docs/http-api.md) and run task workers in this process.",
        discussion: """
            Every request needs Authorization: Bearer <key> (pollster keys create). Tasks, API keys, \
            idempotency keys and webhooks live in the SQLite file by default; with a database URL, in \
            PostgreSQL, shared with other serve and worker processes. SIGTERM stops accepting requests, hands running tasks back and exits.
            """)

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    @Flag(
        name: .customLong("no-auth"),
        help:
            "Accept requests without an API key (loopback development only; every caller is tenant 'local').")
    var noAuth = false

    @Option(help: "Tasks run at once by the in-process worker (0: run no worker, API only).")
    var concurrency = 16

    @Option(help: "Seconds a claimed task stays leased without renewal.")
    var lease: Double = 30

    @Option(help: "Where outputs are written, one directory per task.")
    var files = "pollster-files"

    @Option(name: .customLong("max-body-bytes"), help: "The largest request body accepted.")
    var maxBodyBytes = 1 << 20

    @Option(
        name: .customLong("max-tasks-per-tenant"),
        help: "Unfinished tasks a tenant may have at once; more submits get 429 (0: no limit).")
    var maxTasksPerTenant = 1000

    @OptionGroup var engine: EngineOptions
    @OptionGroup var store: TaskStoreOptions
    @OptionGroup var connections: ConnectionOptions
    @OptionGroup var shutdown: ShutdownOptions

    func validate() throws {
        try SecondsOption.check(lease, option: "--lease")
    }

    func run() async throws {
        let (host, port) = try Self.address(listen)
        if noAuth {
            guard ["127.0.0.1", "localhost", "::1"].contains(host) else {
                throw ValidationError("--no-auth only listens on loopback (127.0.0.1, ::1); got \(host)")
            }
            Console.error(
                "WARNING: --no-auth: ANYONE who can reach \(listen) can submit paid jobs and read every task. Development only."
            )
        }
        let logger = Logger(label: "pollster.serve")
        try await LiveSetup.with(engine, store, logger: logger) { setup in
            let (taskStore, place) = (setup.store, setup.place)
            // API keys, idempotency keys and webhooks live beside the tasks: shared by every
            // serve process on the database, or in the SQLite file.
            let state: any ServerStore
            if let database = setup.database {
                state = PostgresServerStore(database: database)
            } else {
                let statePath = store.sqlitePath ?? Environment.value("POLLSTER_SQLITE") ?? "pollster.sqlite"
                do {
                    state = try SQLiteServerStore(path: statePath)
                } catch {
                    throw PollsterError(
                        .invalidConfig, "cannot open the API key store \(statePath): \(error)"
                    )
                    .exit()
                }
            }
            let metrics = ServerMetrics()
            try await engine.withEngine(registry: setup.registry, metrics: metrics.factory) { pollster in
                let service = TaskService(store: taskStore, pollster: pollster)
                let server = PollsterServer(
                    service: service, state: state,
                    configuration: PollsterServer.Configuration(
                        host: host, port: port, requireAuth: !noAuth, maxBodyBytes: maxBodyBytes,
                        taskOptions: TaskOptions(baseUrlOverride: engine.baseUrl),
                        webhookPolicy: URLPolicy(allowPrivateNetworks: engine.allowPrivateNetworks),
                        maxTasksPerTenant: maxTasksPerTenant, connections: connections.limits),
                    metrics: metrics, logger: logger,
                    onListening: { port in
                        Console.error("pollster serving http://\(host):\(port) (tasks in \(place))")
                    })
                var services: [any Service] = setup.services + [server]
                if concurrency > 0 {
                    services.append(
                        TaskWorker(
                            store: taskStore, pollster: pollster,
                            configuration: TaskWorker.Configuration(
                                concurrency: concurrency, lease: .milliseconds(Int64(lease * 1000)),
                                filesDirectory: files),
                            logger: logger))
                }
                try await shutdown.run(services.map { .init(service: $0) }, logger: logger)
            }
        }
    }

    /// `host:port` (`[::1]:8080` for IPv6).
    static func address(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ValidationError("--listen wants host:port, got \(text)") }
        let host = text[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}
