import Foundation
import PollsterCore

/// Where durable tasks live: in memory, in SQLite, or in PostgreSQL.
///
/// Workers `claim` due tasks under a lease, `save` their progress while they hold it and
/// `renew` it as they go; a task whose lease expired (its worker died) can be claimed again
/// by any worker. Everything else (`insert`, `update`, `requestCancel`) is atomic per task.
public protocol TaskStore: Sendable {
    /// Stores a new task.
    func insert(_ task: TaskRecord) async throws
    /// The task with `id`, if any.
    func task(id: String) async throws -> TaskRecord?
    /// When each of `ids` that exists was last saved (its stored `updatedAt`): what a watcher of
    /// many tasks reads to learn which changed, without reading them whole.
    func updateTimes(_ ids: [String]) async throws -> [String: Date]
    /// Tasks matching `query`, newest first.
    func list(_ query: TaskQuery) async throws -> [TaskRecord]
    /// How many tasks `list(query)` returns, without reading them. Counting stops at
    /// `query.limit`, so checking a limit costs at most an index scan of that many rows. (A store
    /// that does not implement it counts a `list`.)
    func count(_ query: TaskQuery) async throws -> Int
    /// Leases due tasks to `claim.worker`: queued tasks whose `runAfter` has come, and
    /// unfinished tasks whose lease expired. Never more than `claim.limit`, and never so many
    /// that an inventory would hold more live leases than `claim.inventoryLimits` allows.
    /// Higher priority first, then oldest.
    func claim(_ claim: TaskClaim) async throws -> [TaskRecord]
    /// Writes `task` if `worker` still holds its lease (`cancelRequested` is never written).
    /// - Returns: false when the lease was lost; the worker must then drop the task.
    func save(_ task: TaskRecord, worker: String) async throws -> Bool
    /// Extends to `until` the leases that `worker` still holds among the unfinished tasks `ids`,
    /// in one call: a worker renews all its tasks at once.
    /// - Returns: the renewed tasks by id, with whether a cancel was requested; an id missing
    ///   from it lost its lease (or finished).
    func renew(_ ids: [String], worker: String, until: Date) async throws -> [String: LeaseRenewal]
    /// Lets every lease of `worker` expire now, so others take its tasks over at once.
    func release(worker: String) async throws
    /// Applies `change` to the task atomically (no worker can claim or save it meanwhile).
    /// - Returns: the changed task, or nil if there is none.
    func update(id: String, _ change: @escaping @Sendable (inout TaskRecord) throws -> Void) async throws
        -> TaskRecord?
    /// Marks a cancel request that the worker holding the task will act on.
    /// - Returns: false if there is no such task.
    func requestCancel(id: String) async throws -> Bool
    /// Deletes finished tasks that finished before `date`, and returns them.
    func deleteFinished(before date: Date) async throws -> [TaskRecord]
}

extension TaskStore {
    /// Counts the tasks of a `list`: for stores written before `count` was part of the protocol.
    public func count(_ query: TaskQuery) async throws -> Int {
        try await list(query).count
    }
}

/// What a worker asks of `TaskStore.claim`.
public struct TaskClaim: Sendable {
    /// The worker's id.
    public var worker: String
    /// At most this many tasks.
    public var limit: Int
    /// How long the lease holds.
    public var lease: Duration
    /// `limits.maxConcurrent` per inventory, across all workers.
    public var inventoryLimits: [String: Int]
    /// The time of the claim.
    public var now: Date

    /// A claim.
    public init(
        worker: String, limit: Int, lease: Duration, inventoryLimits: [String: Int] = [:], now: Date = Date()
    ) {
        self.worker = worker
        self.limit = limit
        self.lease = lease
        self.inventoryLimits = inventoryLimits
        self.now = now
    }

    /// When the leases it grants expire.
    public var leaseExpiry: Date { now.addingTimeInterval(lease.seconds) }
}

/// The answer to `TaskStore.renew` while the lease holds.
public struct LeaseRenewal: Sendable, Equatable {
    /// A cancel was requested.
    public var cancelRequested: Bool

    /// A renewal.
    public init(cancelRequested: Bool) { self.cancelRequested = cancelRequested }
}

/// A filter and page over tasks.
public struct TaskQuery: Sendable {
    /// Only these states (all when empty).
    public var states: Set<TaskState>
    /// Only this tool.
    public var tool: String?
    /// Only this owner.
    public var owner: String?
    /// Only tasks created at or after this time.
    public var createdAfter: Date?
    /// Only tasks created before this time.
    public var createdBefore: Date?
    /// Page size.
    public var limit: Int
    /// Continue after this task (the last id of the previous page).
    public var after: String?
    /// The creation time of the task `after` names: when that task is gone (deleted since the
    /// previous page), the page continues from this time instead of being empty.
    public var afterCreatedAt: Date?

    /// A query; the default lists the 50 newest tasks.
    public init(
        states: Set<TaskState> = [], tool: String? = nil, owner: String? = nil, createdAfter: Date? = nil,
        createdBefore: Date? = nil, limit: Int = 50, after: String? = nil, afterCreatedAt: Date? = nil
    ) {
        self.states = states
        self.tool = tool
        self.owner = owner
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.limit = limit
        self.after = after
        self.afterCreatedAt = afterCreatedAt
    }

    /// Whether `task` passes the filters (not the page).
    public func matches(_ task: TaskRecord) -> Bool {
        (states.isEmpty || states.contains(task.state)) && (tool == nil || task.tool == tool)
            && (owner == nil || task.owner == owner)
            && (createdAfter.map { task.createdAt >= $0 } ?? true)
            && (createdBefore.map { task.createdAt < $0 } ?? true)
    }
}

extension TaskRecord {
    /// Newest first, ties by id: the order of `TaskStore.list`.
    public static func newestFirst(_ a: TaskRecord, _ b: TaskRecord) -> Bool {
        b.comesAfter(createdAt: a.createdAt, id: a.id)
    }

    /// Whether this task comes after the position `(createdAt, id)` in `list`'s order.
    public func comesAfter(createdAt: Date, id: String) -> Bool {
        self.createdAt != createdAt ? self.createdAt < createdAt : self.id < id
    }

    /// Higher priority, then oldest: the order of `TaskStore.claim`.
    public static func claimOrder(_ a: TaskRecord, _ b: TaskRecord) -> Bool {
        a.priority != b.priority ? a.priority > b.priority : (a.runAfter, a.id) < (b.runAfter, b.id)
    }

    /// Whether a worker may claim it at `now`.
    public func isClaimable(at now: Date) -> Bool {
        if state.isFinished { return false }
        let leaseLive = leaseExpiresAt.map { $0 > now } ?? false
        if leaseLive { return false }
        return state != .queued || runAfter <= now
    }

    /// Whether a worker holds it at `now`.
    public func isLeased(at now: Date) -> Bool {
        !state.isFinished && (leaseExpiresAt.map { $0 > now } ?? false)
    }
}
