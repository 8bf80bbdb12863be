import ArgumentParser
import Foundation
import Logging
import Pollster
import PollsterCore
import ServiceLifecycle
import UnixSignals

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

    func run() async throws {
        let logger = Logger(label: "pollster.worker")
        try await store.withStore(engine) { taskStore, place in
            try await runWorker(taskStore, place: place, logger: logger)
        }
    }

    private func runWorker(_ taskStore: any TaskStore, place: String, logger: Logger) async throws {
        try await engine.withEngine { pollster in
            let worker = TaskWorker(
                store: taskStore, pollster: pollster,
                configuration: TaskWorker.Configuration(
                    id: id ?? TaskWorker.Configuration.defaultID(), concurrency: concurrency,
                    lease: .milliseconds(Int64(lease * 1000)), filesDirectory: files),
                logger: logger)
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            Console.error("worker \(worker.configuration.id) running tasks from \(place)")
            try await group.run()
        }
    }
}
