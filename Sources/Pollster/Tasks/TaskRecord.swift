import Foundation
import PollsterCore

/// A durable task: one invocation of a tool method that survives the process that runs it.
///
/// Stores keep a few fields in columns (for claiming, filtering and sorting) and the whole
/// record as JSON. `cancelRequested` is the one field only `TaskStore.requestCancel` writes,
/// so a worker saving its progress never erases a cancel that arrived meanwhile.
public struct TaskRecord: Sendable, Codable {
    /// Pollster's id for the task (not the provider's).
    public var id: String
    /// `inventory.method`.
    public var tool: String
    /// The input, validated against the method's `requestSchema` before it was stored.
    public var input: JSONValue
    /// Where the task is.
    public var state: TaskState
    /// Higher runs first.
    public var priority: Int
    /// Sent in `submit.idempotencyHeader` on every submit of this attempt.
    public var idempotencyKey: String
    /// Per-task engine options.
    public var options: TaskOptions
    /// Who submitted it (an API key's owner), if anyone.
    public var owner: String?
    /// Where to post the outcome, if anywhere.
    public var webhookURL: String?
    /// The accepted submit, once the provider answered it.
    public var checkpoint: TaskCheckpoint?
    /// The provider's last status value.
    public var providerStatus: String?
    /// The provider's progress, 0–100.
    public var progress: Double?
    /// Status requests sent in this attempt.
    public var polls: Int
    /// Why it failed, timed out, was canceled or is uncertain.
    public var error: TaskError?
    /// The result of a succeeded task; its files are on disk (`ToolFile.path`, `sha256`).
    public var result: ToolResult?
    /// 1 for the first attempt; `retry` adds one.
    public var attempt: Int
    /// Earlier attempts, oldest first.
    public var history: [TaskAttempt]
    /// The worker holding the task, while one does.
    public var leaseOwner: String?
    /// Until when the lease holds; after it another worker may take the task over.
    public var leaseExpiresAt: Date?
    /// Not claimed before this time.
    public var runAfter: Date
    /// A cancel was asked for while a worker held the task (not encoded: stores keep it apart).
    public var cancelRequested = false
    /// When it was created.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// When it reached a finished state.
    public var finishedAt: Date?

    /// A new queued task.
    public init(
        id: String = UUID().uuidString.lowercased(), tool: String, input: JSONValue, priority: Int = 0,
        options: TaskOptions = TaskOptions(), owner: String? = nil, webhookURL: String? = nil,
        now: Date = Date()
    ) {
        self.id = id
        self.tool = tool
        self.input = input
        self.state = .queued
        self.priority = priority
        self.idempotencyKey = UUID().uuidString.lowercased()
        self.options = options
        self.owner = owner
        self.webhookURL = webhookURL
        self.polls = 0
        self.attempt = 1
        self.history = []
        self.runAfter = now
        self.createdAt = now
        self.updatedAt = now
    }

    /// The inventory part of `tool`.
    public var inventory: String { String(tool.prefix { $0 != "." }) }

    /// The provider's task id, once known.
    public var providerTaskId: String? { checkpoint?.providerTaskId }

    enum CodingKeys: String, CodingKey {
        case id, tool, input, state, priority, idempotencyKey, options, owner, webhookURL, checkpoint
        case providerStatus, progress, polls, error, result, attempt, history, leaseOwner, leaseExpiresAt
        case runAfter, createdAt, updatedAt, finishedAt
    }
}

/// Engine options kept with a task, so any worker runs it the same way.
public struct TaskOptions: Sendable, Codable, Equatable {
    /// Replace the inventory's base URL (on-prem gateways, tests).
    public var baseUrlOverride: String?
    /// Replace `polling.intervalSeconds`.
    public var pollIntervalSeconds: Double?
    /// Replace `polling.maxWaitSeconds`.
    public var maxWaitSeconds: Double?

    /// Options; nil keeps the method's config.
    public init(
        baseUrlOverride: String? = nil, pollIntervalSeconds: Double? = nil, maxWaitSeconds: Double? = nil
    ) {
        self.baseUrlOverride = baseUrlOverride
        self.pollIntervalSeconds = pollIntervalSeconds
        self.maxWaitSeconds = maxWaitSeconds
    }
}

/// A `PollsterError` as a task keeps it.
public struct TaskError: Sendable, Codable, Equatable {
    /// The stable code.
    public var code: PollsterError.Code
    /// What happened and what to change.
    public var message: String
    /// The HTTP status involved, if any.
    public var httpStatus: Int?

    /// The stored form of `error`.
    public init(_ error: PollsterError) {
        code = error.code
        message = error.message
        httpStatus = error.httpStatus
    }
}

/// An earlier attempt of a task, kept when `retry` queues it again.
public struct TaskAttempt: Sendable, Codable, Equatable {
    /// 1, 2, …
    public var attempt: Int
    /// How it ended.
    public var state: TaskState
    /// The provider job it created, if any.
    public var providerTaskId: String?
    /// Status requests it sent.
    public var polls: Int
    /// Why it ended, if it failed.
    public var error: TaskError?
    /// When it ended.
    public var finishedAt: Date?
}
