import ArgumentParser
import Logging
import ServiceLifecycle
import Synchronization
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
        // The warning comes at the timeout; the group cancels what is left a moment later, so that
        // the warning is given first.
        configuration.maximumGracefulShutdownDuration = timeout + .milliseconds(250)
        let group = ServiceGroup(configuration: configuration)
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let shutdown = Shutdown()
        let warn = { @Sendable (signal: String) in
            logger.warning(
                "graceful shutdown (\(signal)) still running after --shutdown-timeout \(shutdownTimeout) s: canceling what is left (a response a client stopped reading, a store that does not answer)"
            )
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                // The group itself says so only at debug level. This child ends only when canceled
                // (the group ended): ending first would leave the group's outcome unread.
                var signals = signals.makeAsyncIterator()
                guard let signal = await signals.next() else { return }
                shutdown.began("\(signal)")
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                if shutdown.claimWarning(after: .zero) != nil { warn("\(signal)") }
                while await signals.next() != nil {}
            }
            try await tasks.next()
            tasks.cancelAll()
        }
        // Should the timer above have been late (a loaded machine), the warning is given now that
        // the group has ended.
        if let signal = shutdown.claimWarning(after: timeout) { warn(signal) }
    }

    /// The graceful shutdown in progress, if any, and whether its timeout was reported.
    private final class Shutdown: Sendable {
        private struct State {
            var signal: String?
            var began: ContinuousClock.Instant?
            var warned = false
        }

        private let state = Mutex(State())

        /// A signal started the graceful shutdown.
        func began(_ signal: String) {
            state.withLock { $0 = State(signal: signal, began: .now) }
        }

        /// The signal, the first time only, when a shutdown began at least `elapsed` ago: the
        /// warning is given once.
        func claimWarning(after elapsed: Duration) -> String? {
            state.withLock { state in
                guard let began = state.began, ContinuousClock.now - began >= elapsed, !state.warned else {
                    return nil
                }
                state.warned = true
                return state.signal
            }
        }
    }
}
