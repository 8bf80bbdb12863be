import PollsterCore
import PostgresNIO

extension PollsterDatabase {
    /// Key of the advisory lock that keeps two `migrate()` runs from interleaving.
    static let migrationLock: Int64 = 0x706F_6C6C_7374_6572  // "pollster"

    /// Applies every migration not yet recorded in `schema_migrations`, oldest first, each
    /// in its own transaction; safe to run again and from several processes at once.
    /// - Parameter migrations: default: the embedded `sql/migrations/`.
    /// - Returns: the migrations applied by this call (empty when the schema was current).
    /// - Throws: `TRANSPORT_ERROR`/`INVALID_CONFIG` naming the server and the failing migration;
    ///   that migration's changes are rolled back, earlier ones stay.
    @discardableResult
    public func migrate(_ migrations: [Migration] = Migration.all) async throws(PollsterError) -> [Migration]
    {
        let logger = self.logger
        let ordered = migrations.sorted { $0.version < $1.version }
        return try await attempt("migrating") {
            try await client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLock))", logger: logger)
                do {
                    let applied = try await Self.apply(ordered, on: connection, logger: logger)
                    try await connection.query(
                        "SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
                    return applied
                } catch {
                    _ = try? await connection.query(
                        "SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
                    throw error
                }
            }
        }
    }

    /// The versions recorded in `schema_migrations` (empty before the first `migrate()`).
    public func appliedMigrations() async throws(PollsterError) -> [Int] {
        try await attempt("reading schema_migrations") {
            let exists = try await client.query(
                "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger
            ).decode(Bool.self).first { _ in true }
            guard exists == true else { return [] }
            var versions: [Int] = []
            let rows = try await client.query(
                "SELECT version FROM schema_migrations ORDER BY version", logger: logger)
            for try await version in rows.decode(Int.self) { versions.append(version) }
            return versions
        }
    }

    private static func apply(_ migrations: [Migration], on connection: PostgresConnection, logger: Logger)
        async throws -> [Migration]
    {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var done: Set<Int> = []
        for try await version in try await connection.query(
            "SELECT version FROM schema_migrations", logger: logger
        ).decode(Int.self) {
            done.insert(version)
        }
        var applied: [Migration] = []
        for migration in migrations where !done.contains(migration.version) {
            do {
                try await connection.withTransaction(logger: logger) { transaction in
                    for statement in SQLScript.statements(migration.sql) {
                        // Embedded, constant SQL from sql/migrations/ — never input.
                        try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await transaction.query(
                        "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: logger)
                }
            } catch {
                throw MigrationFailure(migration: migration, underlying: error)
            }
            applied.append(migration)
        }
        return applied
    }
}

/// A migration that failed; `DatabaseError` names it.
struct MigrationFailure: Error {
    var migration: Migration
    var underlying: any Error
}
