import Foundation
import GRDB

/// `ServerStore` in a SQLite file: by default the task store's own file (tables `pollster_api_*`).
public final class SQLiteServerStore: ServerStore {
    private let pool: DatabasePool

    /// Opens (creating and migrating if needed) the tables in `path`.
    public init(path: String, busyTimeout: TimeInterval = 10) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "pollster-api"
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("api_0001") { db in
            try db.execute(
                sql: """
                    CREATE TABLE pollster_api_keys (
                        hash TEXT PRIMARY KEY NOT NULL, tenant TEXT NOT NULL, scopes TEXT NOT NULL,
                        created_at REAL NOT NULL);
                    CREATE TABLE pollster_api_idempotency (
                        tenant TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL,
                        task_id TEXT NOT NULL, PRIMARY KEY (tenant, key));
                    CREATE TABLE pollster_api_webhooks (
                        task_id TEXT PRIMARY KEY NOT NULL, url TEXT NOT NULL, attempts INTEGER NOT NULL,
                        created_at REAL NOT NULL, next_at REAL NOT NULL, first_attempt_at REAL);
                    CREATE INDEX pollster_api_webhooks_due ON pollster_api_webhooks (next_at);
                    CREATE TABLE pollster_api_webhook_attempts (
                        task_id TEXT NOT NULL, attempt INTEGER NOT NULL, at REAL NOT NULL, status INTEGER,
                        error TEXT);
                    CREATE TABLE pollster_api_settings (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    """)
        }
        return migrator
    }

    public func addKey(hash: String, tenant: String, scopes: Set<Tenant.Scope>) async throws {
        let scopeText = scopes.map(\.rawValue).sorted().joined(separator: ",")
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO pollster_api_keys (hash, tenant, scopes, created_at) VALUES (?, ?, ?, ?)",
                arguments: [hash, tenant, scopeText, Date().timeIntervalSince1970])
        }
    }

    public func tenant(forKeyHash hash: String) async throws -> Tenant? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT tenant, scopes FROM pollster_api_keys WHERE hash = ?", arguments: [hash])
            else { return nil }
            let scopes = (row["scopes"] as String).split(separator: ",").compactMap {
                Tenant.Scope(rawValue: String($0))
            }
            return Tenant(name: row["tenant"], scopes: Set(scopes))
        }
    }

    public func idempotency(tenant: String, key: String) async throws -> IdempotencyRecord? {
        try await pool.read { db in try Self.idempotency(db, tenant: tenant, key: key) }
    }

    public func recordIdempotency(_ record: IdempotencyRecord) async throws -> IdempotencyRecord {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO pollster_api_idempotency (tenant, key, body_hash, task_id)
                    VALUES (?, ?, ?, ?)
                    """, arguments: [record.tenant, record.key, record.bodyHash, record.taskID])
            return try Self.idempotency(db, tenant: record.tenant, key: record.key) ?? record
        }
    }

    private static func idempotency(_ db: Database, tenant: String, key: String) throws -> IdempotencyRecord?
    {
        try Row.fetchOne(
            db, sql: "SELECT body_hash, task_id FROM pollster_api_idempotency WHERE tenant = ? AND key = ?",
            arguments: [tenant, key]
        ).map {
            IdempotencyRecord(tenant: tenant, key: key, bodyHash: $0["body_hash"], taskID: $0["task_id"])
        }
    }

    public func addWebhook(taskID: String, url: String, now: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO pollster_api_webhooks (task_id, url, attempts, created_at, next_at)
                    VALUES (?, ?, 0, ?, ?)
                    """, arguments: [taskID, url, now.timeIntervalSince1970, now.timeIntervalSince1970])
        }
    }

    public func dueWebhooks(now: Date, limit: Int) async throws -> [PendingWebhook] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM pollster_api_webhooks WHERE next_at <= ? ORDER BY next_at LIMIT ?",
                arguments: [now.timeIntervalSince1970, limit]
            ).map { row in
                PendingWebhook(
                    taskID: row["task_id"], url: row["url"], attempts: row["attempts"],
                    createdAt: Date(timeIntervalSince1970: row["created_at"]),
                    nextAt: Date(timeIntervalSince1970: row["next_at"]),
                    firstAttemptAt: (row["first_attempt_at"] as Double?).map {
                        Date(timeIntervalSince1970: $0)
                    })
            }
        }
    }

    public func reschedule(_ webhook: PendingWebhook) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE pollster_api_webhooks SET attempts = ?, next_at = ?, first_attempt_at = ?
                    WHERE task_id = ? AND created_at = ?
                    """,
                arguments: [
                    webhook.attempts, webhook.nextAt.timeIntervalSince1970,
                    webhook.firstAttemptAt?.timeIntervalSince1970, webhook.taskID,
                    webhook.createdAt.timeIntervalSince1970,
                ])
        }
    }

    public func finishWebhook(_ webhook: PendingWebhook) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM pollster_api_webhooks WHERE task_id = ? AND created_at = ?",
                arguments: [webhook.taskID, webhook.createdAt.timeIntervalSince1970])
        }
    }

    public func recordAttempt(_ attempt: WebhookAttempt) async throws {
        try await pool.write { db in
            try db.execute(
                sql:
                    "INSERT INTO pollster_api_webhook_attempts (task_id, attempt, at, status, error) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    attempt.taskID, attempt.attempt, attempt.at.timeIntervalSince1970, attempt.status,
                    attempt.error,
                ])
        }
    }

    public func attempts(taskID: String) async throws -> [WebhookAttempt] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM pollster_api_webhook_attempts WHERE task_id = ? ORDER BY attempt",
                arguments: [taskID]
            ).map { row in
                WebhookAttempt(
                    taskID: row["task_id"], attempt: row["attempt"],
                    at: Date(timeIntervalSince1970: row["at"]),
                    status: row["status"], error: row["error"])
            }
        }
    }

    public func webhookSecret() async throws -> String {
        try await pool.write { db in
            if let secret = try String.fetchOne(
                db, sql: "SELECT value FROM pollster_api_settings WHERE name = 'webhook_secret'")
            {
                return secret
            }
            let secret = WebhookSigner.newSecret()
            try db.execute(
                sql: "INSERT INTO pollster_api_settings (name, value) VALUES ('webhook_secret', ?)",
                arguments: [secret])
            return secret
        }
    }
}
