import ArgumentParser
import Foundation
import Logging
import Pollster
import PollsterCore
import PollsterPostgres
import ServiceLifecycle

/// `pollster worker`: run durable tasks until SIGTERM or SIGINT.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run durable tasks from the task store until SIGTERM/SIGINT (then hand them back and exit)."
    )

    @Option(help: "Tasks run at once.")
    var concurrency = 16

    @Option(
        help: "Seconds a claimed task stays leased without renewal; a dead worker's tasks wait this long.")
    var lease: Double = 30

    @Option(help: "Where outputs are written, one directory per task.")
    var files = "pollster-files"

    @Option(help: "This worker's id (default: host:pid:random).")
    var id: String?

    @OptionGroup var engine: EngineOptions
    @OptionGroup var store: TaskStoreOptions
    @OptionGroup var shutdown: ShutdownOptions

    @Option(
        help: "Serve /healthz and /readyz on this address (e.g. 127.0.0.1:9090) for a process supervisor.")
    var health: String?

    @Option(help: "Seconds without a working task store after which /readyz reports not ready.")
    var unreadyAfter: Double = 30

    func validate() throws {
        try SecondsOption.check(lease, option: "--lease")
        try SecondsOption.check(unreadyAfter, option: "--unready-after")
    }

    func run() async throws {
        let logger = Logger(label: "pollster.worker")
        try await LiveSetup.with(engine, store, logger: logger) { setup in
            try await runWorker(
                setup.store, place: setup.place, registry: setup.registry, services: setup.services,
                logger: logger)
        }
    }

    private func runWorker(
        _ taskStore: any TaskStore, place: String, registry: any ToolRegistry, services: [any Service],
        logger: Logger
    ) async throws {
        try await engine.withEngine(registry: registry) { pollster in
            let worker = TaskWorker(
                store: taskStore, pollster: pollster,
                configuration: TaskWorker.Configuration(
                    id: id ?? TaskWorker.Configuration.defaultID(), concurrency: concurrency,
                    lease: .milliseconds(Int64(lease * 1000)), filesDirectory: files),
                logger: logger)
            var all = services + [worker]
            if let health {
                all.append(
                    try HealthServer(
                        address: health, logger: logger,
                        check: WorkerReadiness(
                            worker: worker, registry: registry,
                            unreadyAfter: .milliseconds(Int64(unreadyAfter * 1000))
                        )))
            }
            Console.error("worker \(worker.configuration.id) running tasks from \(place)")
            try await shutdown.run(
                all.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
                logger: logger)
        }
    }
}
