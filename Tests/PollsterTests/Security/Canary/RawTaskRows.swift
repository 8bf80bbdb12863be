import Foundation
import PollsterPostgres
import PollsterTesting
import PostgresNIO
import Testing

/// The task tables as they are on disk, read around the stores' own decoding: what an operator
/// (or an attacker with a backup) sees.
enum RawTaskRows {
    /// Every row of `pollster_tasks` in the SQLite file at `path`, as `sqlite3` dumps them.
    static func sqlite(_ path: String) async throws -> String {
        let run = try await ProcessRun.run(
            URL(fileURLWithPath: "/usr/bin/sqlite3"), ["-readonly", path, ".dump pollster_tasks"],
            in: URL(fileURLWithPath: NSTemporaryDirectory()))
        try #require(run.status == 0, "sqlite3 failed: \(run.error)")
        return run.output
    }

    /// Every row of `pollster_tasks` in the store's PostgreSQL database, each as JSON text.
    static func postgres(_ store: PostgresTaskStore) async throws -> String {
        let rows = try await store.database.client.query(
            "SELECT row_to_json(t)::text FROM pollster_tasks t", logger: store.database.logger)
        var lines: [String] = []
        for try await (line) in rows.decode(String.self) { lines.append(line) }
        return lines.joined(separator: "\n")
    }
}
