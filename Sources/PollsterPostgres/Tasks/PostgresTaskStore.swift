import Foundation
import Logging
import Pollster
import PollsterCore
import PostgresNIO

/// Tasks in PostgreSQL (`pollster_tasks`, from sql/migrations/0003_tasks.sql): the store for
/// workers on any number of machines.
///
/// Lease and cancel fields live in columns, the rest of each task as `json` in `record`
/// (`TaskRecordCoding`), as in `SQLiteTaskStore`. `claim` locks due rows with
/// `FOR UPDATE SKIP LOCKED`, so concurrent workers never lease the same task, and serializes the
/// claims of each limited inventory with a transaction-scoped advisory lock, so
/// `TaskClaim.inventoryLimits` hold across all workers. `update` reads the row `FOR UPDATE`, so
/// no claim or save interleaves. Times are the callers' (`TaskClaim.now`, `renew(until:)`), as
/// in the other stores: workers' clocks should agree to well within a lease. Every value travels
/// as a bind parameter.
///
/// The table comes from `PollsterDatabase.migrate()` (`pollster db migrate`); the client's
/// `run()` must be running while the store is used.
///
/// Errors: `TaskStoreError` for a duplicate id or an unreadable row, whatever `update`'s closure
/// throws as it is, and a `PollsterError` naming the server for database failures
/// (`INVALID_CONFIG` asking for `pollster db migrate` when the table is missing).
///
/// ```swift
/// let database = PollsterDatabase(client: client, url: url, logger: logger)
/// try await database.migrate()
/// let tasks = TaskService(store: PostgresTaskStore(database: database), pollster: pollster)
/// ```
public struct PostgresTaskStore: TaskStore {
    /// Where the tasks are.
    public let database: PollsterDatabase
    /// Rows that claims, lists and retention pass over.
    let unreadable: UnreadableRecords

    /// A store over `database`'s `pollster_tasks` table.
    /// - Parameter database: a database whose client is running and whose migrations are applied.
    public init(database: PollsterDatabase) {
        self.database = database
        unreadable = UnreadableRecords(logger: database.logger)
    }

    var logger: Logger { database.logger }

    /// Stores a new task (`INSERT … ON CONFLICT DO NOTHING`).
    /// - Throws: `TaskStoreError.duplicate` when a task with its id exists.
    public func insert(_ task: TaskRecord) async throws {
        let record = try TaskRecordCoding.encode(task)
        let inserted = try await run("storing task \(task.id)") {
            try await Self.count(
                database.client.query(
                    """
                    INSERT INTO pollster_tasks (id, tool, inventory, state, priority, owner, run_after, lease_owner,
                        lease_expires_at, cancel_requested, created_at, updated_at, finished_at, record)
                    VALUES (\(task.id), \(task.tool), \(task.inventory), \(task.state.rawValue), \(task.priority),
                        \(task.owner), \(task.runAfter), \(task.leaseOwner), \(task.leaseExpiresAt), false,
                        \(task.createdAt), \(task.updatedAt), \(task.finishedAt), \(record)::json)
                    ON CONFLICT (id) DO NOTHING
                    RETURNING id
                    """, logger: logger))
        }
        guard inserted == 1 else { throw TaskStoreError.duplicate(task.id) }
    }

    /// The task with `id`, its lease and cancel fields from their columns.
    public func task(id: String) async throws -> TaskRecord? {
        try await run("reading task \(id)") {
            try await Self.tasks(
                database.client.query(
                    "SELECT \(unescaped: Self.columns) FROM pollster_tasks WHERE id = \(id)", logger: logger)
            ).first
        }
    }

    public func updateTimes(_ ids: [String]) async throws -> [String: Date] {
        if ids.isEmpty { return [:] }
        return try await run("reading the update times of \(ids.count) task(s)") {
            let rows = try await database.client.query(
                "SELECT id, updated_at FROM pollster_tasks WHERE id = ANY(\(ids))", logger: logger)
            var times: [String: Date] = [:]
            for try await (id, updatedAt) in rows.decode((String, Date).self) { times[id] = updatedAt }
            return times
        }
    }

    /// Tasks matching `query`, newest first (ties by id); `query.after` continues after that
    /// task's `(created_at, id)` (or `afterCreatedAt` once that task is gone; an unknown `after`
    /// id without it gives an empty page). A row whose
    /// record cannot be read is left out and the page read on past it.
    public func list(_ query: TaskQuery) async throws -> [TaskRecord] {
        try await run("listing tasks") {
            var tasks: [TaskRecord] = []
            var rest = query
            while true {
                let page = try await Self.readable(
                    database.client.query(Self.page(rest, counting: false), logger: logger), unreadable,
                    .passedOver)
                tasks += page.tasks
                guard !page.passedOver.isEmpty, page.rows == rest.limit, let last = page.lastID else { break }
                rest.after = last
                rest.limit = page.passedOver.count
            }
            return tasks
        }
    }

    /// How many tasks `list(query)` returns: `count(*)` over the same page of rows.
    public func count(_ query: TaskQuery) async throws -> Int {
        try await run("counting tasks") {
            let rows = try await database.client.query(Self.page(query, counting: true), logger: logger)
            for try await count in rows.decode(Int.self) { return count }
            return 0
        }
    }

    /// `query`'s page of tasks, or the number of tasks in it when `counting` (unordered then: the
    /// count is the same, and the `(owner, state)` index can answer it alone).
    private static func page(_ query: TaskQuery, counting: Bool) -> PostgresQuery {
        let states = query.states.map(\.rawValue).sorted()
        return """
            \(unescaped: counting ? "SELECT count(*) FROM (SELECT 1 FROM pollster_tasks" : "SELECT \(columns) FROM pollster_tasks")
            WHERE (cardinality(\(states)::text[]) = 0 OR state = ANY(\(states)::text[]))
              AND (\(query.tool)::text IS NULL OR tool = \(query.tool))
              AND (\(query.owner)::text IS NULL OR owner = \(query.owner))
              AND (\(query.createdAfter)::timestamptz IS NULL OR created_at >= \(query.createdAfter))
              AND (\(query.createdBefore)::timestamptz IS NULL OR created_at < \(query.createdBefore))
              AND (\(query.after)::text IS NULL
                   OR (created_at, id) < (
                       COALESCE((SELECT created_at FROM pollster_tasks WHERE id = \(query.after)),
                                \(query.afterCreatedAt)::timestamptz),
                       \(query.after)))
            \(unescaped: counting ? "" : "ORDER BY created_at DESC, id DESC")
            LIMIT \(max(0, query.limit))
            \(unescaped: counting ? ") AS page" : "")
            """
    }

    /// Writes `task` if `worker` holds its lease and it is not finished. Never writes
    /// `cancel_requested`; clears the lease when `task` is finished, else leaves it alone.
    public func save(_ task: TaskRecord, worker: String) async throws -> Bool {
        let record = try TaskRecordCoding.encode(task)
        let finished = task.state.isFinished
        return try await run("saving task \(task.id)") {
            try await Self.count(
                database.client.query(
                    """
                    UPDATE pollster_tasks SET tool = \(task.tool), inventory = \(task.inventory),
                        state = \(task.state.rawValue), priority = \(task.priority), owner = \(task.owner),
                        run_after = \(task.runAfter), updated_at = \(task.updatedAt),
                        finished_at = \(task.finishedAt), record = \(record)::json,
                        lease_owner = CASE WHEN \(finished) THEN NULL ELSE lease_owner END,
                        lease_expires_at = CASE WHEN \(finished) THEN NULL ELSE lease_expires_at END
                    WHERE id = \(task.id) AND lease_owner = \(worker) AND state <> ALL(\(Self.finishedStates))
                    RETURNING id
                    """, logger: logger)) == 1
        }
    }

    /// Moves the leases that `worker` holds among `ids` to `until`, in one statement that also
    /// reads their `cancel_requested`.
    public func renew(_ ids: [String], worker: String, until: Date) async throws -> [String: LeaseRenewal] {
        if ids.isEmpty { return [:] }
        return try await run("renewing the leases of \(ids.count) task(s)") {
            let rows = try await database.client.query(
                """
                UPDATE pollster_tasks SET lease_expires_at = \(until)
                WHERE id = ANY(\(ids)) AND lease_owner = \(worker) AND state <> ALL(\(Self.finishedStates))
                RETURNING id, cancel_requested
                """, logger: logger)
            var renewed: [String: LeaseRenewal] = [:]
            for try await (id, cancel) in rows.decode((String, Bool).self) {
                renewed[id] = LeaseRenewal(cancelRequested: cancel)
            }
            return renewed
        }
    }

    /// Lets the leases of `worker` on unfinished tasks expire now (this machine's clock).
    public func release(worker: String) async throws {
        let now = Date()
        try await run("releasing the leases of \(worker)") {
            _ = try await Self.count(
                database.client.query(
                    """
                    UPDATE pollster_tasks SET lease_expires_at = \(now)
                    WHERE lease_owner = \(worker) AND state <> ALL(\(Self.finishedStates))
                    RETURNING id
                    """, logger: logger))
        }
    }

    /// Reads the row `FOR UPDATE`, applies `change` and writes every column, in one transaction.
    /// - Throws: whatever `change` throws, as it is (nothing is written then).
    public func update(id: String, _ change: @escaping @Sendable (inout TaskRecord) throws -> Void)
        async throws
        -> TaskRecord?
    {
        let logger = self.logger
        return try await run("updating task \(id)") {
            try await database.client.withTransaction(logger: logger) { connection -> TaskRecord? in
                guard
                    var task = try await Self.tasks(
                        connection.query(
                            "SELECT \(unescaped: Self.columns) FROM pollster_tasks WHERE id = \(id) FOR UPDATE",
                            logger: logger)
                    ).first
                else { return nil }
                try change(&task)
                let record = try TaskRecordCoding.encode(task)
                _ = try await Self.count(
                    connection.query(
                        """
                        UPDATE pollster_tasks SET tool = \(task.tool), inventory = \(task.inventory),
                            state = \(task.state.rawValue), priority = \(task.priority), owner = \(task.owner),
                            run_after = \(task.runAfter), lease_owner = \(task.leaseOwner),
                            lease_expires_at = \(task.leaseExpiresAt), cancel_requested = \(task.cancelRequested),
                            updated_at = \(task.updatedAt), finished_at = \(task.finishedAt),
                            record = \(record)::json
                        WHERE id = \(id)
                        RETURNING id
                        """, logger: logger))
                return task
            }
        }
    }

    /// Sets `cancel_requested`; the worker holding the task sees it at its next renewal.
    public func requestCancel(id: String) async throws -> Bool {
        try await run("canceling task \(id)") {
            try await Self.count(
                database.client.query(
                    "UPDATE pollster_tasks SET cancel_requested = true WHERE id = \(id) RETURNING id",
                    logger: logger)) == 1
        }
    }

    /// Deletes (in one statement) finished tasks whose `finished_at`, or else `updated_at`, is
    /// before `date`, and returns them (but those whose record could not be read, which it logs).
    public func deleteFinished(before date: Date) async throws -> [TaskRecord] {
        try await run("deleting finished tasks") {
            try await Self.readable(
                database.client.query(
                    """
                    DELETE FROM pollster_tasks
                    WHERE state = ANY(\(Self.finishedStates)) AND coalesce(finished_at, updated_at) < \(date)
                    RETURNING \(unescaped: Self.columns)
                    """, logger: logger), unreadable, .deleted
            ).tasks
        }
    }
}
