import Logging
import PollsterCore
import PostgresNIO

/// Pollster's tables in one PostgreSQL database: migrations, registry rows, import and export.
///
/// The client's `run()` must be running (in a task group, a `ServiceGroup`, or through
/// `PostgresSession.withClient`) while any method is called. Every statement takes its
/// values as bind parameters (`PostgresQuery` interpolation).
///
/// ```swift
/// try await PostgresSession.withClient(url, logger: logger) { client in
///     let database = PollsterDatabase(client: client, url: url, logger: logger)
///     try await database.migrate()
///     try await database.importInventories([try InventoryLoader.load(yaml: text, source: "fal.yaml")])
/// }
/// ```
public struct PollsterDatabase: Sendable {
    /// The client queries go through.
    public let client: PostgresClient
    /// Where it points, for messages (the password is never shown).
    public let url: DatabaseURL
    /// Where query problems are logged.
    public let logger: Logger

    /// A database handle.
    /// - Parameters:
    ///   - client: a client whose `run()` is running.
    ///   - url: the URL the client was configured from (used in error messages).
    ///   - logger: for PostgresNIO's query logging.
    public init(client: PostgresClient, url: DatabaseURL, logger: Logger) {
        self.client = client
        self.url = url
        self.logger = logger
    }

    /// Runs `body`, turning any error into a `PollsterError` that names the server.
    func attempt<T>(_ action: String, _ body: () async throws -> T) async throws(PollsterError) -> T {
        do { return try await body() } catch { throw DatabaseError.wrap(error, action, url: url) }
    }
}
