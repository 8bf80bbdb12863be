import ArgumentParser
import Logging
import ServiceLifecycle
import UnixSignals

/// How a long-running command (`serve`, `worker`, `mcp`) stops.
struct ShutdownOptions: ParsableArguments {
    @Option(
        name: .customLong("shutdown-timeout"),
        help: ArgumentHelp(
            "Seconds a graceful shutdown may take; then what still runs is canceled (a client that stopped reading, a store that does not answer).",
            valueName: "seconds"))
    var shutdownTimeout: Double = 30

    func validate() throws {
        try SecondsOption.check(shutdownTimeout, option: "--shutdown-timeout")
    }

    /// Runs the command's services until they end: SIGTERM or SIGINT starts a graceful
    /// shutdown; one still running after `--shutdown-timeout` cancels the services left, with a
    /// warning saying so. Durable tasks survive either way: a canceled worker's leases run out
    /// and another worker resumes its tasks.
    func run(_ services: [ServiceGroupConfiguration.ServiceConfiguration], logger: Logger) async throws {
        let timeout = Duration.milliseconds(Int64(shutdownTimeout * 1000))
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = timeout
        let group = ServiceGroup(configuration: configuration)
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                // The group itself says so only at debug level. This child ends only when canceled
                // (the group ended): ending first would leave the group's outcome unread.
                var signals = signals.makeAsyncIterator()
                guard let signal = await signals.next(), (try? await Task.sleep(for: timeout)) != nil else {
                    return
                }
                logger.warning(
                    "graceful shutdown (\(signal)) still running after --shutdown-timeout \(shutdownTimeout) s: canceling what is left (a response a client stopped reading, a store that does not answer)"
                )
                while await signals.next() != nil {}
            }
            try await tasks.next()
            tasks.cancelAll()
        }
    }
}
