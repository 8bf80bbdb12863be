import Foundation
import Logging
import PollsterCore
import PollsterPostgres
import PostgresNIO

/// `ServerStore` in PostgreSQL (tables `pollster_api_*` from sql/migrations/0004_api.sql), so
/// several `pollster serve` processes on one database share API keys, idempotency keys, pending
/// webhooks and the signing secret.
///
/// `dueWebhooks` leases what it returns: it moves their `next_at` on by `webhookLease` under
/// `FOR UPDATE SKIP LOCKED`, so two processes never post the same attempt; the dispatcher then
/// reschedules or finishes each one (a process that dies mid-delivery leaves it to be retried
/// after the lease). Every value travels as a bind parameter; database failures become a
/// `PollsterError` naming the server.
public struct PostgresServerStore: ServerStore {
    /// Where the tables are.
    public let database: PollsterDatabase
    /// How long a webhook taken for delivery is hidden from other processes: longer than a
    /// dispatcher needs for a batch of 32 slow receivers (15 s each at most).
    public let webhookLease: Duration

    /// A store over `database` (migrated: `pollster db migrate`).
    public init(database: PollsterDatabase, webhookLease: Duration = .seconds(600)) {
        self.database = database
        self.webhookLease = webhookLease
    }

    private var logger: Logger { database.logger }

    public func addKey(hash: String, tenant: String, scopes: Set<Tenant.Scope>) async throws {
        let scopeText = scopes.map(\.rawValue).sorted().joined(separator: ",")
        try await execute(
            "storing an API key",
            "INSERT INTO pollster_api_keys (hash, tenant, scopes) VALUES (\(hash), \(tenant), \(scopeText))")
    }

    public func tenant(forKeyHash hash: String) async throws -> Tenant? {
        try await run("reading an API key") {
            let rows = try await database.client.query(
                "SELECT tenant, scopes FROM pollster_api_keys WHERE hash = \(hash)", logger: logger)
            for try await (tenant, scopes) in rows.decode((String, String).self) {
                let parsed = scopes.split(separator: ",").compactMap { Tenant.Scope(rawValue: String($0)) }
                return Tenant(name: tenant, scopes: Set(parsed))
            }
            return nil
        }
    }

    public func idempotency(tenant: String, key: String) async throws -> IdempotencyRecord? {
        try await run("reading an idempotency key") {
            let rows = try await database.client.query(
                "SELECT body_hash, task_id FROM pollster_api_idempotency WHERE tenant = \(tenant) AND key = \(key)",
                logger: logger)
            for try await (bodyHash, taskID) in rows.decode((String, String).self) {
                return IdempotencyRecord(tenant: tenant, key: key, bodyHash: bodyHash, taskID: taskID)
            }
            return nil
        }
    }

    public func recordIdempotency(_ record: IdempotencyRecord) async throws -> IdempotencyRecord {
        try await execute(
            "storing an idempotency key",
            """
            INSERT INTO pollster_api_idempotency (tenant, key, body_hash, task_id)
            VALUES (\(record.tenant), \(record.key), \(record.bodyHash), \(record.taskID))
            ON CONFLICT (tenant, key) DO NOTHING
            """)
        return try await idempotency(tenant: record.tenant, key: record.key) ?? record
    }

    public func addWebhook(taskID: String, url: String, now: Date) async throws {
        try await execute(
            "storing a webhook",
            """
            INSERT INTO pollster_api_webhooks (task_id, url, attempts, created_at, next_at)
            VALUES (\(taskID), \(url), 0, \(now), \(now))
            ON CONFLICT (task_id) DO UPDATE SET url = EXCLUDED.url, attempts = 0,
                created_at = EXCLUDED.created_at, next_at = EXCLUDED.next_at, first_attempt_at = NULL
            """)
    }

    public func dueWebhooks(now: Date, limit: Int) async throws -> [PendingWebhook] {
        let leasedUntil = now.addingTimeInterval(webhookLease.seconds)
        return try await run("taking due webhooks") {
            let rows = try await database.client.query(
                """
                UPDATE pollster_api_webhooks w SET next_at = \(leasedUntil)
                FROM (SELECT task_id, next_at FROM pollster_api_webhooks WHERE next_at <= \(now)
                      ORDER BY next_at LIMIT \(limit) FOR UPDATE SKIP LOCKED) due
                WHERE w.task_id = due.task_id
                RETURNING w.task_id, w.url, w.attempts, w.created_at, due.next_at, w.first_attempt_at
                """, logger: logger)
            var webhooks: [PendingWebhook] = []
            for try await (taskID, url, attempts, createdAt, nextAt, firstAttemptAt) in rows.decode(
                (String, String, Int, Date, Date, Date?).self)
            {
                webhooks.append(
                    PendingWebhook(
                        taskID: taskID, url: url, attempts: attempts, createdAt: createdAt, nextAt: nextAt,
                        firstAttemptAt: firstAttemptAt))
            }
            return webhooks.sorted { $0.nextAt < $1.nextAt }
        }
    }

    public func reschedule(_ webhook: PendingWebhook) async throws {
        try await execute(
            "rescheduling a webhook",
            """
            UPDATE pollster_api_webhooks SET attempts = \(webhook.attempts), next_at = \(webhook.nextAt),
                first_attempt_at = \(webhook.firstAttemptAt)
            WHERE task_id = \(webhook.taskID) AND created_at = \(webhook.createdAt)
            """)
    }

    public func finishWebhook(_ webhook: PendingWebhook) async throws {
        try await execute(
            "removing a webhook",
            "DELETE FROM pollster_api_webhooks WHERE task_id = \(webhook.taskID) AND created_at = \(webhook.createdAt)"
        )
    }

    public func recordAttempt(_ attempt: WebhookAttempt) async throws {
        try await execute(
            "storing a webhook attempt",
            """
            INSERT INTO pollster_api_webhook_attempts (task_id, attempt, at, status, error)
            VALUES (\(attempt.taskID), \(attempt.attempt), \(attempt.at), \(attempt.status), \(attempt.error))
            """)
    }

    public func attempts(taskID: String) async throws -> [WebhookAttempt] {
        try await run("reading webhook attempts") {
            let rows = try await database.client.query(
                """
                SELECT attempt, at, status, error FROM pollster_api_webhook_attempts
                WHERE task_id = \(taskID) ORDER BY attempt
                """, logger: logger)
            var attempts: [WebhookAttempt] = []
            for try await (attempt, at, status, error) in rows.decode((Int, Date, Int?, String?).self) {
                attempts.append(
                    WebhookAttempt(taskID: taskID, attempt: attempt, at: at, status: status, error: error))
            }
            return attempts
        }
    }

    public func webhookSecret() async throws -> String {
        let candidate = WebhookSigner.newSecret()
        return try await run("reading the webhook secret") {
            // The first process to ask stores its candidate; every process reads the one stored.
            for try await _ in try await database.client.query(
                """
                INSERT INTO pollster_api_settings (name, value) VALUES ('webhook_secret', \(candidate))
                ON CONFLICT (name) DO NOTHING
                """, logger: logger)
            {}
            let rows = try await database.client.query(
                "SELECT value FROM pollster_api_settings WHERE name = 'webhook_secret'", logger: logger)
            for try await value in rows.decode(String.self) { return value }
            return candidate
        }
    }

    /// Runs a statement that returns no rows.
    private func execute(_ action: String, _ query: PostgresQuery) async throws {
        try await run(action) {
            for try await _ in try await database.client.query(query, logger: logger) {}
        }
    }

    /// Runs `body`, turning a database failure into a `PollsterError` naming the server.
    private func run<T>(_ action: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw DatabaseError.wrap(error, action, url: database.url) }
    }
}
