import ArgumentParser
import Foundation
import Logging
import Pollster
import PollsterPostgres
import PollsterSQLite
import PostgresNIO

/// Which `TaskStore` scenario 5 runs on: PostgreSQL (the default) or SQLite, one switch.
struct StoreOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument { case postgres, sqlite }

    @Option(help: "postgres or sqlite.") var store: Kind = .postgres
    @Option(help: "PostgreSQL URL (store postgres).") var databaseUrl: String?
    @Option(help: "SQLite file (store sqlite).") var sqlitePath = "/tmp/pollster-bench-tasks.sqlite"

    /// Runs `body` with the store open (a PostgreSQL client runs beside it until `body` returns).
    /// - Parameter prepare: migrate the database and delete every task first.
    func withStore<T: Sendable>(prepare: Bool, _ body: @Sendable @escaping (any TaskStore) async throws -> T)
        async throws -> T
    {
        switch store {
        case .sqlite:
            if prepare {
                for suffix in ["", "-wal", "-shm"] {
                    try? FileManager.default.removeItem(atPath: sqlitePath + suffix)
                }
            }
            return try await body(try SQLiteTaskStore(path: sqlitePath))
        case .postgres:
            guard let databaseUrl else {
                throw ValidationError("--database-url is required with --store postgres")
            }
            let url = try DatabaseURL(databaseUrl)
            var logger = Logger(label: "pollster-bench.postgres")
            logger.logLevel = .error
            let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    await client.run()
                    return nil
                }
                let database = PollsterDatabase(client: client, url: url, logger: logger)
                if prepare {
                    _ = try await database.migrate()
                    try await client.query("DELETE FROM pollster_tasks", logger: logger)
                }
                let value = try await body(PostgresTaskStore(database: database))
                group.cancelAll()
                return value
            }
        }
    }
}
