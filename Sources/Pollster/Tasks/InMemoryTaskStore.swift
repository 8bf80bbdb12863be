import Foundation
import Synchronization

/// Tasks in this process's memory: for tests and one-shot CLI calls. Gone when it exits.
public final class InMemoryTaskStore: TaskStore {
    private struct Entry {
        var task: TaskRecord
        var cancelRequested = false

        var current: TaskRecord {
            var task = task
            task.cancelRequested = cancelRequested
            return task
        }
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// An empty store.
    public init() {}

    public func insert(_ task: TaskRecord) async throws {
        try entries.withLock { entries in
            guard entries[task.id] == nil else { throw TaskStoreError.duplicate(task.id) }
            entries[task.id] = Entry(task: task)
        }
    }

    public func task(id: String) async throws -> TaskRecord? {
        entries.withLock { $0[id]?.current }
    }

    public func updateTimes(_ ids: [String]) async throws -> [String: Date] {
        entries.withLock { entries in
            var times: [String: Date] = [:]
            for id in ids { times[id] = entries[id]?.task.updatedAt }
            return times
        }
    }

    public func list(_ query: TaskQuery) async throws -> [TaskRecord] {
        entries.withLock { entries in
            var tasks = entries.values.map(\.current).filter(query.matches).sorted(by: TaskRecord.newestFirst)
            if let after = query.after {
                // An unknown cursor without a time gives an empty page, as in the other stores.
                guard let createdAt = entries[after]?.task.createdAt ?? query.afterCreatedAt else {
                    return []
                }
                tasks = tasks.filter { $0.comesAfter(createdAt: createdAt, id: after) }
            }
            return Array(tasks.prefix(max(0, query.limit)))
        }
    }

    public func claim(_ claim: TaskClaim) async throws -> [TaskRecord] {
        entries.withLock { entries in
            var live: [String: Int] = [:]
            for entry in entries.values where entry.task.isLeased(at: claim.now) {
                live[entry.task.inventory, default: 0] += 1
            }
            let due = entries.values.map(\.task).filter { $0.isClaimable(at: claim.now) }
                .sorted(by: TaskRecord.claimOrder)
            var claimed: [TaskRecord] = []
            for var task in due where claimed.count < claim.limit {
                if let limit = claim.inventoryLimits[task.inventory],
                    live[task.inventory, default: 0] >= limit
                {
                    continue
                }
                live[task.inventory, default: 0] += 1
                task.leaseOwner = claim.worker
                task.leaseExpiresAt = claim.leaseExpiry
                entries[task.id]?.task = task
                claimed.append(entries[task.id]!.current)
            }
            return claimed
        }
    }

    public func save(_ task: TaskRecord, worker: String) async throws -> Bool {
        entries.withLock { entries in
            guard let stored = entries[task.id]?.task, stored.leaseOwner == worker, !stored.state.isFinished
            else { return false }
            var task = task
            // The lease is the store's: renewals since the worker's copy was read stand.
            task.leaseOwner = task.state.isFinished ? nil : stored.leaseOwner
            task.leaseExpiresAt = task.state.isFinished ? nil : stored.leaseExpiresAt
            entries[task.id]?.task = task
            return true
        }
    }

    public func renew(_ ids: [String], worker: String, until: Date) async throws -> [String: LeaseRenewal] {
        entries.withLock { entries in
            var renewed: [String: LeaseRenewal] = [:]
            for id in ids {
                guard let entry = entries[id], entry.task.leaseOwner == worker, !entry.task.state.isFinished
                else { continue }
                entries[id]?.task.leaseExpiresAt = until
                renewed[id] = LeaseRenewal(cancelRequested: entry.cancelRequested)
            }
            return renewed
        }
    }

    public func release(worker: String) async throws {
        let now = Date()
        entries.withLock { entries in
            for (id, entry) in entries where entry.task.leaseOwner == worker && !entry.task.state.isFinished {
                entries[id]?.task.leaseExpiresAt = now
            }
        }
    }

    public func update(id: String, _ change: @escaping @Sendable (inout TaskRecord) throws -> Void)
        async throws
        -> TaskRecord?
    {
        try entries.withLock { entries in
            guard var task = entries[id]?.current else { return nil }
            try change(&task)
            entries[id]?.task = task
            return entries[id]?.current
        }
    }

    public func requestCancel(id: String) async throws -> Bool {
        entries.withLock { entries in
            guard entries[id] != nil else { return false }
            entries[id]?.cancelRequested = true
            return true
        }
    }

    public func deleteFinished(before date: Date) async throws -> [TaskRecord] {
        entries.withLock { entries in
            let old = entries.values.map(\.current).filter {
                $0.state.isFinished && ($0.finishedAt ?? $0.updatedAt) < date
            }
            for task in old { entries[task.id] = nil }
            return old
        }
    }
}

/// Errors of a task store itself (not of the tasks in it).
public enum TaskStoreError: Error, Sendable, CustomStringConvertible {
    /// A task with this id exists already.
    case duplicate(String)
    /// A stored record could not be read back.
    case corrupt(id: String, reason: String)

    public var description: String {
        switch self {
        case .duplicate(let id): "a task with id \(id) exists already"
        case .corrupt(let id, let reason):
            "task \(id) is stored in a form that cannot be read (\(reason)); repair its row or delete it"
        }
    }
}
