import Foundation
import Pollster
import Synchronization

/// What the test's store throws while it is made to fail.
public struct StoreDown: Error {}

/// A real store that counts the reads a watcher makes, and whose `updateTimes` can be made to
/// fail (a database that stopped answering).
public final class CountingTaskStore: TaskStore {
    public struct Counts: CustomStringConvertible, Sendable {
        public var tasks = 0
        public var updateTimes = 0
        public var description: String { "\(tasks) whole reads, \(updateTimes) update-time reads" }
    }

    private let base: any TaskStore
    private let state = Mutex(Counts())
    /// When set, `updateTimes` fails after this long (a database that stopped answering).
    private let failing = Mutex<Duration?>(nil)

    public init(_ base: any TaskStore) { self.base = base }

    public var counts: Counts { state.withLock { $0 } }

    /// Makes `updateTimes` fail, each call after `delay`, until `recover()`.
    public func failUpdateTimes(after delay: Duration) { failing.withLock { $0 = delay } }

    /// Ends the outage `failUpdateTimes` began.
    public func recover() { failing.withLock { $0 = nil } }

    public func task(id: String) async throws -> TaskRecord? {
        state.withLock { $0.tasks += 1 }
        return try await base.task(id: id)
    }

    public func updateTimes(_ ids: [String]) async throws -> [String: Date] {
        state.withLock { $0.updateTimes += 1 }
        if let delay = failing.withLock({ $0 }) {
            try await Task.sleep(for: delay)
            throw StoreDown()
        }
        return try await base.updateTimes(ids)
    }

    public func insert(_ task: TaskRecord) async throws { try await base.insert(task) }
    public func list(_ query: TaskQuery) async throws -> [TaskRecord] { try await base.list(query) }
    public func count(_ query: TaskQuery) async throws -> Int { try await base.count(query) }
    public func claim(_ claim: TaskClaim) async throws -> [TaskRecord] { try await base.claim(claim) }
    public func save(_ task: TaskRecord, worker: String) async throws -> Bool {
        try await base.save(task, worker: worker)
    }
    public func renew(_ ids: [String], worker: String, until: Date) async throws -> [String: LeaseRenewal] {
        try await base.renew(ids, worker: worker, until: until)
    }
    public func release(worker: String) async throws { try await base.release(worker: worker) }
    public func update(id: String, _ change: @escaping @Sendable (inout TaskRecord) throws -> Void)
        async throws
        -> TaskRecord?
    {
        try await base.update(id: id, change)
    }
    public func requestCancel(id: String) async throws -> Bool { try await base.requestCancel(id: id) }
    public func deleteFinished(before date: Date) async throws -> [TaskRecord] {
        try await base.deleteFinished(before: date)
    }
}
