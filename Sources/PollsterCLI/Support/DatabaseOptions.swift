import ArgumentParser
import Logging
import PollsterCore
import PollsterPostgres

/// `--database-url` for commands that need a database (`db migrate`, `registry import`).
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "PostgreSQL URL, postgres://user:password@host:5432/db (default: $POLLSTER_DATABASE_URL).",
            valueName: "url"))
    var databaseURL: String?

    func validate() throws {
        guard databaseURL ?? Environment.value(Self.environmentName) != nil else {
            throw ValidationError("give --database-url URL or set \(Self.environmentName)")
        }
    }

    /// The database URL (present: `validate()` checked).
    func url() throws -> DatabaseURL {
        guard let url = try Self.resolve(databaseURL) else {
            throw ValidationError("give --database-url URL or set \(Self.environmentName)")
        }
        return url
    }

    /// Runs `body` with the database of `--database-url`; errors exit with their code.
    func withDatabase<T>(_ body: (PollsterDatabase) async throws -> T) async throws -> T {
        try await Self.withDatabase(try url(), body)
    }

    /// Runs `body` with a database whose client is running; errors exit with their code.
    static func withDatabase<T>(_ url: DatabaseURL, _ body: (PollsterDatabase) async throws -> T) async throws
        -> T
    {
        do {
            return try await PostgresSession.withClient(url, logger: logger) { client in
                try await body(PollsterDatabase(client: client, url: url, logger: logger))
            }
        } catch let error as PollsterError {
            throw error.exit()
        }
    }

    static let environmentName = "POLLSTER_DATABASE_URL"

    /// PostgresNIO's log (level from `POLLSTER_LOG_LEVEL`).
    static let logger = Logger(label: "pollster.postgres")

    /// The URL from the flag, else from the environment; nil when neither is set.
    /// Parse errors exit with `INVALID_CONFIG` (the message hides the password).
    static func resolve(_ flag: String?) throws -> DatabaseURL? {
        guard let text = flag ?? Environment.value(environmentName), !text.isEmpty else { return nil }
        do { return try DatabaseURL(text) } catch { throw error.exit() }
    }
}
