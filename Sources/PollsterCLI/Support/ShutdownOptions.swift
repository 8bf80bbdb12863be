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
        guard shutdownTimeout > 0, shutdownTimeout <= 86_400 else {
            throw ValidationError(
                "--shutdown-timeout wants a number of seconds above 0 and at most 86400, got \(shutdownTimeout)"
            )
        }
    }

    /// The command's service group: SIGTERM or SIGINT starts a graceful shutdown; one still
    /// running after `--shutdown-timeout` cancels the services left. Durable tasks survive
    /// either way: a canceled worker's leases run out and another worker resumes its tasks.
    func group(_ services: [ServiceGroupConfiguration.ServiceConfiguration], logger: Logger)
        -> ServiceGroup
    {
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(shutdownTimeout * 1000))
        return ServiceGroup(configuration: configuration)
    }
}
