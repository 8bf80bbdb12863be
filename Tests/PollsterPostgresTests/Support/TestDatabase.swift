import Foundation
import Logging
import PollsterCore
import PollsterPostgres
import PollsterTesting
import PostgresNIO

/// Runs `body` with a fresh database (`t_<uuid>`) on the shared test cluster, dropped afterwards:
/// every test gets its own, so they can run in parallel.
/// - Parameter migrated: apply the migrations first (default).
func withTestDatabase<T>(migrated: Bool = true, _ body: (PollsterDatabase) async throws -> T) async throws
    -> T
{
    let url = try await PostgresTestCluster.shared.createDatabase()
    do {
        let value = try await PostgresSession.withClient(url, logger: quietLogger) { client in
            let database = PollsterDatabase(client: client, url: url, logger: quietLogger)
            if migrated { try await database.migrate() }
            return try await body(database)
        }
        try? await PostgresTestCluster.shared.dropDatabase(url)
        return value
    } catch {
        try? await PostgresTestCluster.shared.dropDatabase(url)
        throw error
    }
}

/// Runs `body` while `registry.run()` keeps it current, once it is listening.
func withLiveRegistry<T>(
    _ database: PollsterDatabase,
    configuration: PostgresRegistry.Configuration = PostgresRegistry.Configuration(),
    logger: Logger = quietLogger,
    _ body: (PostgresRegistry) async throws -> T
) async throws -> T {
    let registry = PostgresRegistry(database: database, configuration: configuration, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await registry.run() }
        defer { group.cancelAll() }
        let ready = try await eventually(within: .seconds(10)) {
            registry.isListening && registry.current != nil
        }
        guard ready else { throw PollsterError(.transportError, "the registry did not start listening") }
        return try await body(registry)
    }
}

extension PollsterDatabase {
    /// Runs a statement as an admin would with psql (values bound, never spliced).
    func execute(_ query: PostgresQuery) async throws {
        try await client.query(query, logger: logger)
    }

    /// The rows of a one-column query.
    func values<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type) async throws -> [T]
    {
        var values: [T] = []
        for try await value in try await client.query(query, logger: logger).decode(T.self) {
            values.append(value)
        }
        return values
    }
}
