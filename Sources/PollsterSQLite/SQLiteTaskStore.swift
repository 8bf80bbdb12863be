import Foundation
import GRDB
import Logging
import Pollster

/// Tasks in a SQLite file (GRDB, WAL mode): the embedded single-machine store.
///
/// Several processes on one machine may share the file (a worker and CLI calls, say): every
/// change runs in an immediate transaction and waits up to `busyTimeout` for the lock.
public final class SQLiteTaskStore: TaskStore {
    private let pool: DatabasePool
    private let unreadable: UnreadableRecords
    private static let finished = TaskState.allCases.filter(\.isFinished).map { "'\($0.rawValue)'" }
        .joined(separator: ", ")

    /// Opens (creating and migrating if needed) the store at `path`.
    /// - Parameter logger: where a claim reports a task whose stored record cannot be read.
    public init(
        path: String, busyTimeout: TimeInterval = 10, logger: Logger = Logger(label: "pollster.sqlite")
    ) throws {
        unreadable = UnreadableRecords(logger: logger)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "pollster-tasks"
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001_tasks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE pollster_tasks (
                        id TEXT PRIMARY KEY NOT NULL,
                        tool TEXT NOT NULL,
                        inventory TEXT NOT NULL,
                        state TEXT NOT NULL,
                        priority INTEGER NOT NULL DEFAULT 0,
                        owner TEXT,
                        run_after REAL NOT NULL,
                        lease_owner TEXT,
                        lease_expires_at REAL,
                        cancel_requested INTEGER NOT NULL DEFAULT 0,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL,
                        finished_at REAL,
                        record TEXT NOT NULL
                    );
                    CREATE INDEX pollster_tasks_due ON pollster_tasks (state, run_after);
                    CREATE INDEX pollster_tasks_created ON pollster_tasks (created_at, id);
                    CREATE INDEX pollster_tasks_leases ON pollster_tasks (inventory, lease_expires_at);
                    """)
        }
        migrator.registerMigration("0002_tasks_owner") { db in
            // Counting a tenant's unfinished tasks (`serve --max-tasks-per-tenant`) on every submit.
            // IF NOT EXISTS: two processes upgrading the same file at once may both run it.
            try db.execute(
                sql: "CREATE INDEX IF NOT EXISTS pollster_tasks_owner ON pollster_tasks (owner, state)")
        }
        return migrator
    }

    public func insert(_ task: TaskRecord) async throws {
        let record = try TaskRecordCoding.encode(task)
        try await immediate { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM pollster_tasks WHERE id = ?", arguments: [task.id])
                != nil
            {
                throw TaskStoreError.duplicate(task.id)
            }
            try db.execute(
                sql: """
                    INSERT INTO pollster_tasks (id, tool, inventory, state, priority, owner, run_after, lease_owner,
                        lease_expires_at, cancel_requested, created_at, updated_at, finished_at, record)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
                    """,
                arguments: [
                    task.id, task.tool, task.inventory, task.state.rawValue, task.priority, task.owner,
                    task.runAfter.timeIntervalSince1970, task.leaseOwner,
                    task.leaseExpiresAt?.timeIntervalSince1970, task.createdAt.timeIntervalSince1970,
                    task.updatedAt.timeIntervalSince1970, task.finishedAt?.timeIntervalSince1970, record,
                ])
        }
    }

    public func task(id: String) async throws -> TaskRecord? {
        try await pool.read { db in try Self.fetch(db, id: id) }
    }

    public func updateTimes(_ ids: [String]) async throws -> [String: Date] {
        try await pool.read { db in
            var times: [String: Date] = [:]
            for chunk in Self.chunks(ids) {
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchAll(
                    db, sql: "SELECT id, updated_at FROM pollster_tasks WHERE id IN (\(placeholders))",
                    arguments: StatementArguments(chunk))
                for row in rows {
                    times[row["id"]] = Date(timeIntervalSince1970: row["updated_at"])
                }
            }
            return times
        }
    }

    /// `ids` in slices well under SQLite's limit on bound parameters.
    private static func chunks(_ ids: [String]) -> [ArraySlice<String>] {
        stride(from: 0, to: ids.count, by: 500).map { ids[$0..<min($0 + 500, ids.count)] }
    }

    /// A row whose record cannot be read is left out and the page read on past it.
    public func list(_ query: TaskQuery) async throws -> [TaskRecord] {
        let unreadable = self.unreadable
        return try await pool.read { db in
            var tasks: [TaskRecord] = []
            var rest = query
            while let page = try Self.page(rest, db) {
                let rows = try Row.fetchAll(
                    db, sql: "\(Self.columns) \(page.filter) ORDER BY created_at DESC, id DESC LIMIT ?",
                    arguments: page.arguments)
                let read = try rows.compactMap { row in
                    try unreadable.skipping(.passedOver) { try Self.task(row) }
                }
                tasks += read
                guard read.count < rows.count, rows.count == rest.limit, let last = rows.last else { break }
                rest.after = last["id"]
                rest.limit = rows.count - read.count
            }
            return tasks
        }
    }

    public func count(_ query: TaskQuery) async throws -> Int {
        try await pool.read { db in
            guard let page = try Self.page(query, db) else { return 0 }
            // No ORDER BY: the count is the same, and the (owner, state) index answers it alone.
            return try Int.fetchOne(
                db, sql: "SELECT count(*) FROM (SELECT 1 FROM pollster_tasks \(page.filter) LIMIT ?)",
                arguments: page.arguments) ?? 0
        }
    }

    /// The `WHERE` clause of `query`'s page, and its arguments with the page's size last (for a
    /// `LIMIT ?` after the clause); nil when `query.after` names no task and no
    /// `afterCreatedAt` stands in for it (the page is empty).
    private static func page(_ query: TaskQuery, _ db: Database) throws -> (
        filter: String, arguments: StatementArguments
    )? {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if !query.states.isEmpty {
            clauses.append("state IN (\(query.states.map { _ in "?" }.joined(separator: ", ")))")
            for state in query.states.sorted(by: { $0.rawValue < $1.rawValue }) {
                _ = arguments.append(contentsOf: [state.rawValue])
            }
        }
        if let tool = query.tool {
            clauses.append("tool = ?")
            _ = arguments.append(contentsOf: [tool])
        }
        if let owner = query.owner {
            clauses.append("owner = ?")
            _ = arguments.append(contentsOf: [owner])
        }
        if let after = query.createdAfter {
            clauses.append("created_at >= ?")
            _ = arguments.append(contentsOf: [after.timeIntervalSince1970])
        }
        if let before = query.createdBefore {
            clauses.append("created_at < ?")
            _ = arguments.append(contentsOf: [before.timeIntervalSince1970])
        }
        if let cursor = query.after {
            guard
                let created = try Double.fetchOne(
                    db, sql: "SELECT created_at FROM pollster_tasks WHERE id = ?", arguments: [cursor])
                    ?? query.afterCreatedAt?.timeIntervalSince1970
            else { return nil }
            clauses.append("(created_at < ? OR (created_at = ? AND id < ?))")
            _ = arguments.append(contentsOf: [created, created, cursor])
        }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        _ = arguments.append(contentsOf: [max(0, query.limit)])
        return (filter, arguments)
    }

    public func claim(_ claim: TaskClaim) async throws -> [TaskRecord] {
        let now = claim.now.timeIntervalSince1970
        let expiry = claim.leaseExpiry.timeIntervalSince1970
        let unreadable = self.unreadable
        return try await immediate { db in
            var live: [String: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT inventory, count(*) FROM pollster_tasks
                    WHERE state NOT IN (\(Self.finished)) AND lease_expires_at > ? GROUP BY inventory
                    """, arguments: [now])
            {
                live[row[0]] = row[1]
            }
            let candidates = try Row.fetchAll(
                db,
                sql: """
                    \(Self.columns)
                    WHERE state NOT IN (\(Self.finished))
                      AND (lease_expires_at IS NULL OR lease_expires_at <= ?)
                      AND (state != 'queued' OR run_after <= ?)
                    ORDER BY priority DESC, run_after, id LIMIT ?
                    """, arguments: [now, now, claim.limit * 4 + 32]
            ).compactMap { row in try unreadable.skipping(.passedOver) { try Self.task(row) } }
            var claimed: [TaskRecord] = []
            for var task in candidates where claimed.count < claim.limit {
                if let limit = claim.inventoryLimits[task.inventory],
                    live[task.inventory, default: 0] >= limit
                {
                    continue
                }
                live[task.inventory, default: 0] += 1
                try db.execute(
                    sql: "UPDATE pollster_tasks SET lease_owner = ?, lease_expires_at = ? WHERE id = ?",
                    arguments: [claim.worker, expiry, task.id])
                task.leaseOwner = claim.worker
                task.leaseExpiresAt = claim.leaseExpiry
                claimed.append(task)
            }
            return claimed
        }
    }

    public func save(_ task: TaskRecord, worker: String) async throws -> Bool {
        let record = try TaskRecordCoding.encode(task)
        let finished = task.state.isFinished
        return try await immediate { db in
            try db.execute(
                sql: """
                    UPDATE pollster_tasks SET state = ?, priority = ?, run_after = ?, updated_at = ?,
                        finished_at = ?, record = ?,
                        lease_owner = CASE WHEN ? THEN NULL ELSE lease_owner END,
                        lease_expires_at = CASE WHEN ? THEN NULL ELSE lease_expires_at END
                    WHERE id = ? AND lease_owner = ? AND state NOT IN (\(Self.finished))
                    """,
                arguments: [
                    task.state.rawValue, task.priority, task.runAfter.timeIntervalSince1970,
                    task.updatedAt.timeIntervalSince1970, task.finishedAt?.timeIntervalSince1970, record,
                    finished, finished, task.id, worker,
                ])
            return db.changesCount == 1
        }
    }

    public func renew(_ ids: [String], worker: String, until: Date) async throws -> [String: LeaseRenewal] {
        try await immediate { db in
            var renewed: [String: LeaseRenewal] = [:]
            for chunk in Self.chunks(ids) {
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let held = "id IN (\(placeholders)) AND lease_owner = ? AND state NOT IN (\(Self.finished))"
                let arguments = StatementArguments(chunk + [worker])
                try db.execute(
                    sql: "UPDATE pollster_tasks SET lease_expires_at = ? WHERE \(held)",
                    arguments: [until.timeIntervalSince1970] + arguments)
                let rows = try Row.fetchAll(
                    db, sql: "SELECT id, cancel_requested FROM pollster_tasks WHERE \(held)",
                    arguments: arguments)
                for row in rows {
                    renewed[row["id"]] = LeaseRenewal(cancelRequested: row["cancel_requested"] ?? false)
                }
            }
            return renewed
        }
    }

    public func release(worker: String) async throws {
        let now = Date().timeIntervalSince1970
        try await immediate { db in
            try db.execute(
                sql: """
                    UPDATE pollster_tasks SET lease_expires_at = ?
                    WHERE lease_owner = ? AND state NOT IN (\(Self.finished))
                    """, arguments: [now, worker])
        }
    }

    public func update(id: String, _ change: @escaping @Sendable (inout TaskRecord) throws -> Void)
        async throws
        -> TaskRecord?
    {
        try await immediate { db in
            guard var task = try Self.fetch(db, id: id) else { return nil }
            try change(&task)
            try db.execute(
                sql: """
                    UPDATE pollster_tasks SET state = ?, priority = ?, run_after = ?, updated_at = ?,
                        finished_at = ?, lease_owner = ?, lease_expires_at = ?, cancel_requested = ?, record = ?
                    WHERE id = ?
                    """,
                arguments: [
                    task.state.rawValue, task.priority, task.runAfter.timeIntervalSince1970,
                    task.updatedAt.timeIntervalSince1970, task.finishedAt?.timeIntervalSince1970,
                    task.leaseOwner,
                    task.leaseExpiresAt?.timeIntervalSince1970, task.cancelRequested,
                    try TaskRecordCoding.encode(task), id,
                ])
            return task
        }
    }

    public func requestCancel(id: String) async throws -> Bool {
        try await immediate { db in
            try db.execute(
                sql: "UPDATE pollster_tasks SET cancel_requested = 1 WHERE id = ?", arguments: [id])
            return db.changesCount == 1
        }
    }

    public func deleteFinished(before date: Date) async throws -> [TaskRecord] {
        let unreadable = self.unreadable
        return try await immediate { db in
            let condition = "state IN (\(Self.finished)) AND coalesce(finished_at, updated_at) < ?"
            let old = try Row.fetchAll(
                db, sql: "\(Self.columns) WHERE \(condition)", arguments: [date.timeIntervalSince1970]
            ).compactMap { row in try unreadable.skipping(.deleted) { try Self.task(row) } }
            try db.execute(
                sql: "DELETE FROM pollster_tasks WHERE \(condition)", arguments: [date.timeIntervalSince1970])
            return old
        }
    }

    // MARK: - Rows

    private static let columns =
        "SELECT id, record, lease_owner, lease_expires_at, cancel_requested FROM pollster_tasks"

    private static func fetch(_ db: Database, id: String) throws -> TaskRecord? {
        try Row.fetchOne(db, sql: "\(columns) WHERE id = ?", arguments: [id]).map(task)
    }

    private static func task(_ row: Row) throws -> TaskRecord {
        let expiry: Double? = row["lease_expires_at"]
        return try TaskRecordCoding.decode(
            row["record"], id: row["id"], leaseOwner: row["lease_owner"],
            leaseExpiresAt: expiry.map(Date.init(timeIntervalSince1970:)),
            cancelRequested: row["cancel_requested"])
    }

    /// Runs `body` in an immediate transaction (takes the write lock at once, so two processes
    /// never both read and then fail to upgrade).
    private func immediate<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T
    {
        try await pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }
}
