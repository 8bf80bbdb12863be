import Logging
import PollsterCore

extension RegistrySnapshot {
    /// Reads the registry tables once and closes the connection (for one-shot commands,
    /// which need no live updates).
    /// - Throws: `TRANSPORT_ERROR` naming `host:port` when the database cannot be used,
    ///   `INVALID_CONFIG` when the tables are missing (run `pollster db migrate`).
    public static func load(from url: DatabaseURL, logger: Logger) async throws -> RegistrySnapshot {
        try await PostgresSession.withClient(url, logger: logger) { client in
            RegistrySnapshot(
                rows: try await PollsterDatabase(client: client, url: url, logger: logger).activeRows())
        }
    }
}
