import Logging
import Pollster
import PollsterCore
import PollsterPostgres
import ServiceLifecycle

/// What a long-running command (worker, serve, mcp) runs on: its task store, a registry that
/// follows changes — PostgreSQL rows live (NOTIFY + periodic reload), the YAML directory on file
/// changes and SIGHUP — and the services that keep that registry current, to run in the
/// command's `ServiceGroup`.
struct LiveSetup {
    var store: any TaskStore
    /// Where the tasks live, for messages.
    var place: String
    var registry: any ToolRegistry
    var services: [any Service]
    /// The database the tasks live in, when they live in PostgreSQL.
    var database: PollsterDatabase? = nil

    /// Runs `body` with the setup; the PostgreSQL client (if any) runs for as long as `body`.
    static func with<T>(
        _ engine: EngineOptions, _ store: TaskStoreOptions, logger: Logger,
        _ body: (LiveSetup) async throws -> T
    ) async throws -> T {
        let yaml = try engine.watchedYAMLRegistry(logger: logger)
        let yamlServices: [any Service] = yaml.map { [$0] } ?? []
        guard let url = try engine.database() else {
            guard let yaml else {
                throw PollsterError(.invalidConfig, "no adapters: pass --adapters DIR").exit()
            }
            let (taskStore, path) = try store.sqliteStore()
            return try await body(
                LiveSetup(store: taskStore, place: path, registry: yaml, services: yamlServices))
        }
        return try await DatabaseOptions.withDatabase(url) { database in
            let rows = PostgresRegistry(database: database, logger: logger)
            let registry: any ToolRegistry = yaml.map { CompositeRegistry([rows, $0]) } ?? rows
            let services: [any Service] = [rows] + yamlServices
            if try store.usesPostgres(engine) {
                return try await body(
                    LiveSetup(
                        store: PostgresTaskStore(database: database), place: "\(url)", registry: registry,
                        services: services, database: database))
            }
            let (taskStore, path) = try store.sqliteStore()
            return try await body(
                LiveSetup(store: taskStore, place: path, registry: registry, services: services))
        }
    }
}
