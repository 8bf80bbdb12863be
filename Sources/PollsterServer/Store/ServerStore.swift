import Foundation

/// What the HTTP API keeps besides tasks: API key hashes, idempotency keys, pending webhooks
/// and their delivery attempts, and the webhook signing secret.
public protocol ServerStore: Sendable {
    /// Stores a key's hash for `tenant` with `scopes`.
    func addKey(hash: String, tenant: String, scopes: Set<Tenant.Scope>) async throws
    /// The tenant of a key hash, if the key is known.
    func tenant(forKeyHash hash: String) async throws -> Tenant?
    /// The task stored for an idempotency key, with the hash of the body that created it.
    func idempotency(tenant: String, key: String) async throws -> IdempotencyRecord?
    /// Records an idempotency key unless one exists; returns the record that holds afterwards.
    func recordIdempotency(_ record: IdempotencyRecord) async throws -> IdempotencyRecord
    /// Asks for the task's outcome to be posted to `url` once it finishes.
    func addWebhook(taskID: String, url: String, now: Date) async throws
    /// Webhooks due for a check or a delivery attempt at `now`.
    func dueWebhooks(now: Date, limit: Int) async throws -> [PendingWebhook]
    /// Stores the next attempt time of a webhook (after a failed attempt or an unfinished task),
    /// unless it was asked for again since it was taken (`createdAt` differs): then it stays as re-armed.
    func reschedule(_ webhook: PendingWebhook) async throws
    /// Removes a webhook that was delivered or given up, unless it was asked for again since it
    /// was taken (a retried task's outcome is still to be posted).
    func finishWebhook(_ webhook: PendingWebhook) async throws
    /// Records one delivery attempt.
    func recordAttempt(_ attempt: WebhookAttempt) async throws
    /// The delivery attempts for a task, oldest first.
    func attempts(taskID: String) async throws -> [WebhookAttempt]
    /// The webhook signing secret (`whsec_…`), made on first use.
    func webhookSecret() async throws -> String
}

/// An idempotency key and the task it created.
public struct IdempotencyRecord: Sendable, Equatable {
    /// The tenant that sent it.
    public var tenant: String
    /// The `Idempotency-Key` header.
    public var key: String
    /// SHA-256 of the tool name and the request body.
    public var bodyHash: String
    /// The task it created.
    public var taskID: String

    /// A record.
    public init(tenant: String, key: String, bodyHash: String, taskID: String) {
        self.tenant = tenant
        self.key = key
        self.bodyHash = bodyHash
        self.taskID = taskID
    }
}

/// A webhook waiting for its task to finish, or for its next delivery attempt.
public struct PendingWebhook: Sendable, Equatable {
    /// The task.
    public var taskID: String
    /// Where to post.
    public var url: String
    /// Delivery attempts so far.
    public var attempts: Int
    /// When it was asked for.
    public var createdAt: Date
    /// When to look at it next.
    public var nextAt: Date
    /// When the first delivery attempt was made (the retry budget counts from here).
    public var firstAttemptAt: Date?
}

/// One webhook delivery attempt.
public struct WebhookAttempt: Sendable, Equatable, Codable {
    /// The task.
    public var taskID: String
    /// 1, 2, …
    public var attempt: Int
    /// When it was made.
    public var at: Date
    /// The receiver's HTTP status, if it answered.
    public var status: Int?
    /// Why it failed, if it did.
    public var error: String?

    /// An attempt from its parts.
    public init(taskID: String, attempt: Int, at: Date, status: Int?, error: String?) {
        self.taskID = taskID
        self.attempt = attempt
        self.at = at
        self.status = status
        self.error = error
    }
}
