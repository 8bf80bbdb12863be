import Logging
import Pollster
import PollsterCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Tool methods from the `toolset_inventory` and `tool_methods` tables.
///
/// The registry serves an immutable `RegistrySnapshot` (see its rules) kept behind a
/// `Mutex`. The first lookup loads it if nothing has yet; `run()` keeps it current: it
/// `LISTEN`s on `pollster_registry` (the migrations' trigger notifies on every change) and
/// reloads at once, and reloads every `refreshInterval` as well, which carries the registry
/// while the notification connection is down (it listens again in a loop).
///
/// ```swift
/// let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
/// let registry = PostgresRegistry(database: PollsterDatabase(client: client, url: url, logger: logger), logger: logger)
/// let group = ServiceGroup(services: [client, registry], gracefulShutdownSignals: [.sigterm], logger: logger)
/// // run the group; meanwhile: Pollster(registry: registry, transport: …)
/// ```
public final class PostgresRegistry: ToolRegistry, Service {
    /// How often to reload, and how to recover the notification connection.
    public struct Configuration: Sendable {
        /// Reload at least this often; while notifications are down it is the only source
        /// of updates. Default 30 s.
        public var refreshInterval: Duration
        /// First wait before listening again after the notification connection failed;
        /// doubles on every failure up to `refreshInterval`. Default 1 s.
        public var relistenDelay: Duration

        /// A configuration.
        public init(refreshInterval: Duration = .seconds(30), relistenDelay: Duration = .seconds(1)) {
            self.refreshInterval = refreshInterval
            self.relistenDelay = relistenDelay
        }
    }

    struct State {
        var snapshot: RegistrySnapshot?
        var startedLoads = 0
        var storedLoad = 0
        var completedLoads = 0
        var loggedProblems: Set<String> = []
        var listening = false
    }

    /// Where the rows come from.
    public let database: PollsterDatabase
    /// Reload and re-listen timing.
    public let configuration: Configuration
    let logger: Logger
    let state = Mutex(State())

    /// A registry over `database`; nothing is read until the first lookup, `refresh()` or `run()`.
    public init(database: PollsterDatabase, configuration: Configuration = Configuration(), logger: Logger) {
        self.database = database
        self.configuration = configuration
        self.logger = logger
    }

    /// Reads the tables now and replaces the snapshot. Each broken row is logged once (as an
    /// error naming inventory, method, version and key) until it is fixed.
    /// - Throws: database errors as `TRANSPORT_ERROR` (the previous snapshot stays in use).
    public func refresh() async throws(PollsterError) {
        let load = state.withLock { state in
            state.startedLoads += 1
            return state.startedLoads
        }
        let snapshot = RegistrySnapshot(rows: try await database.activeRows())
        let fresh: [PollsterError] = state.withLock { state in
            state.completedLoads += 1
            // A slower, older read must not replace a newer one.
            guard load > state.storedLoad else { return [] }
            state.snapshot = snapshot
            state.storedLoad = load
            let problems = snapshot.rowProblems
            let new = problems.filter { !state.loggedProblems.contains($0.message) }
            state.loggedProblems = Set(problems.map(\.message))
            return new
        }
        for problem in fresh {
            logger.error(
                "tool method disabled: \(problem.message)", metadata: ["code": "\(problem.code.rawValue)"])
        }
        logger.debug("registry loaded", metadata: ["methods": "\(snapshot.allMethods.count)"])
    }

    /// The snapshot in use, if one was loaded.
    public var current: RegistrySnapshot? { state.withLock { $0.snapshot } }

    /// True while the notification connection is listening.
    public var isListening: Bool { state.withLock { $0.listening } }

    /// How many reads of the tables have completed (for tests and monitoring).
    public var completedLoads: Int { state.withLock { $0.completedLoads } }

    private func snapshot() async throws(PollsterError) -> RegistrySnapshot {
        if let snapshot = current { return snapshot }
        try await refresh()
        return current ?? RegistrySnapshot()
    }

    public func method(named name: String) async throws -> ToolMethod {
        try await snapshot().lookup(name)
    }

    public func methods() async throws -> [ToolMethod] {
        try await snapshot().allMethods
    }

    public func problems() async throws -> [PollsterError] {
        try await snapshot().rowProblems
    }
}
