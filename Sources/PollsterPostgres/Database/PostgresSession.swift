import Logging
import PollsterCore
import PostgresNIO

/// A `PostgresClient` whose `run()` is kept running for the length of a closure.
///
/// For one-shot work (the CLI, tests). Long-running processes put the client and the
/// `PostgresRegistry` into their `ServiceGroup` instead.
///
/// ```swift
/// let url = try DatabaseURL("postgres://pollster@localhost/pollster")
/// let applied = try await PostgresSession.withClient(url, logger: logger) { client in
///     try await Migrator(client: client, url: url, logger: logger).migrate()
/// }
/// ```
public enum PostgresSession {
    /// Checks that the server answers, then runs `body` with a running client and closes it.
    /// - Throws: `TRANSPORT_ERROR` naming `host:port` when the server cannot be reached or
    ///   refuses the login (a wrong URL fails at once rather than after the pool's retries);
    ///   otherwise whatever `body` throws.
    public static func withClient<Result>(
        _ url: DatabaseURL, logger: Logger, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            // Also gives run() time to start before the first lease.
            try await checkReachable(url, logger: logger)
            return try await body(client)
        }
    }

    /// Opens and closes one connection.
    /// - Throws: `TRANSPORT_ERROR` with the cause (refused, unknown host, bad password, …).
    public static func checkReachable(_ url: DatabaseURL, logger: Logger) async throws(PollsterError) {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try url.connectionConfiguration(), id: 0, logger: logger)
            try? await connection.close()
        } catch {
            throw DatabaseError.wrap(error, "connecting", url: url)
        }
    }
}
