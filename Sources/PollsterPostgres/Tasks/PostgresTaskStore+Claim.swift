import Foundation
import Logging
import Pollster
import PollsterCore
import PostgresNIO

extension PostgresTaskStore {
    /// Leases due tasks in one transaction (after a single check that anything is due at all).
    ///
    /// 1. The limited inventories (keys of `inventoryLimits`) that have due tasks are locked with
    ///    `pg_advisory_xact_lock`, in name order (so two claims never wait on each other in a
    ///    cycle): claims of one limited inventory run one after the other, on any machine.
    /// 2. Their live leases are counted (after the lock, so every earlier claim is visible).
    /// 3. Candidates are locked with `FOR UPDATE SKIP LOCKED` in claim order: up to `limit` of
    ///    the unlimited inventories, and up to its free room of each limited one that has room.
    /// 4. The first `limit` of them, in claim order, get the lease.
    public func claim(_ claim: TaskClaim) async throws -> [TaskRecord] {
        guard claim.limit > 0 else { return [] }
        let logger = self.logger
        let unreadable = self.unreadable
        return try await run("claiming tasks") {
            // Idle workers poll often: one statement, no transaction, when nothing is due.
            let due = try await database.client.query(
                """
                SELECT EXISTS (
                    SELECT 1 FROM pollster_tasks
                    WHERE state = ANY(\(Self.unfinishedStates))
                      AND (lease_expires_at IS NULL OR lease_expires_at <= \(claim.now))
                      AND (state <> \(TaskState.queued.rawValue) OR run_after <= \(claim.now)))
                """, logger: logger)
            var anyDue = false
            for try await value in due.decode(Bool.self) { anyDue = value }
            guard anyDue else { return [] }
            return try await database.client.withTransaction(logger: logger) { connection in
                try await Self.claim(claim, skipping: unreadable, on: connection, logger: logger)
            }
        }
    }

    private static func claim(
        _ claim: TaskClaim, skipping unreadable: UnreadableRecords, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [TaskRecord] {
        let now = claim.now
        let limited = claim.inventoryLimits.keys.sorted()
        var room: [String: Int] = [:]
        if !limited.isEmpty {
            let busy = try await dueInventories(limited, now: now, on: connection, logger: logger)
            for inventory in busy {
                _ = try await count(
                    connection.query(
                        "SELECT pg_advisory_xact_lock(hashtext(\(lockKey(inventory))))", logger: logger))
                room[inventory] = claim.inventoryLimits[inventory]
            }
            if !busy.isEmpty {
                let live = try await connection.query(
                    """
                    SELECT inventory, count(*) FROM pollster_tasks
                    WHERE inventory = ANY(\(busy)) AND state = ANY(\(unfinishedStates)) AND lease_expires_at > \(now)
                    GROUP BY inventory
                    """, logger: logger)
                for try await (inventory, leases) in live.decode((String, Int).self) {
                    room[inventory, default: 0] -= leases
                }
            }
        }
        // Unlimited inventories, then each limited one with room (never one that was not locked).
        var candidates = try await Self.candidates(
            only: nil, excluding: limited, limit: claim.limit, now: now, skipping: unreadable, on: connection,
            logger: logger)
        for (inventory, free) in room.sorted(by: { $0.key < $1.key }) where free > 0 {
            candidates += try await Self.candidates(
                only: inventory, excluding: [], limit: min(free, claim.limit), now: now, skipping: unreadable,
                on: connection, logger: logger)
        }
        let chosen = Array(candidates.sorted(by: TaskRecord.claimOrder).prefix(claim.limit))
        guard !chosen.isEmpty else { return [] }
        _ = try await count(
            connection.query(
                """
                UPDATE pollster_tasks SET lease_owner = \(claim.worker), lease_expires_at = \(claim.leaseExpiry)
                WHERE id = ANY(\(chosen.map(\.id)))
                RETURNING id
                """, logger: logger))
        return chosen.map { task in
            var task = task
            task.leaseOwner = claim.worker
            task.leaseExpiresAt = claim.leaseExpiry
            return task
        }
    }

    /// Which of `inventories` have a task a worker may claim at `now`.
    private static func dueInventories(
        _ inventories: [String], now: Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> [String] {
        var due: [String] = []
        let rows = try await connection.query(
            """
            SELECT i FROM unnest(\(inventories)::text[]) AS i
            WHERE EXISTS (
                SELECT 1 FROM pollster_tasks
                WHERE inventory = i AND state = ANY(\(unfinishedStates))
                  AND (lease_expires_at IS NULL OR lease_expires_at <= \(now))
                  AND (state <> \(TaskState.queued.rawValue) OR run_after <= \(now)))
            """, logger: logger)
        for try await inventory in rows.decode(String.self) { due.append(inventory) }
        return due.sorted()
    }

    /// Tasks a worker may claim at `now`, locked (skipping rows other transactions hold), in
    /// claim order: of inventory `only`, or of every inventory but `excluding`. Rows whose record
    /// cannot be read are passed over, and the query goes on past them until `limit` are found.
    private static func candidates(
        only inventory: String?, excluding: [String], limit: Int, now: Date,
        skipping unreadable: UnreadableRecords, on connection: PostgresConnection, logger: Logger
    ) async throws -> [TaskRecord] {
        var found: [TaskRecord] = []
        var passedOver: [String] = []
        while found.count < limit {
            let wanted = limit - found.count
            let page = try await readable(
                connection.query(
                    """
                    SELECT \(unescaped: columns) FROM pollster_tasks
                    WHERE state = ANY(\(unfinishedStates))
                      AND (lease_expires_at IS NULL OR lease_expires_at <= \(now))
                      AND (state <> \(TaskState.queued.rawValue) OR run_after <= \(now))
                      AND CASE WHEN \(inventory)::text IS NULL THEN inventory <> ALL(\(excluding)::text[])
                               ELSE inventory = \(inventory) END
                      AND id <> ALL(\(passedOver)::text[])
                    ORDER BY priority DESC, run_after, id
                    LIMIT \(wanted)
                    FOR UPDATE SKIP LOCKED
                    """, logger: logger), unreadable, .passedOver)
            found += page.tasks
            passedOver += page.passedOver
            if page.passedOver.isEmpty || page.rows < wanted { break }
        }
        return found
    }

    /// The advisory-lock key text of an inventory (hashed by `hashtext` in SQL).
    static func lockKey(_ inventory: String) -> String { "pollster_tasks:" + inventory }
}
