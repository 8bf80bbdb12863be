import Foundation
import Pollster
import PollsterCore
import PollsterSQLite
import PollsterTesting
import Synchronization
import Testing

/// Many callers following tasks (`TaskService.events`, `wait`) are served by one refresh of
/// the store per interval: the update times of all followed tasks in one call; a caller reads
/// its task whole only when that changed.
@Suite("Durable tasks: following many tasks")
struct TaskWatchTests {
    /// The ids of `count` Runway tasks submitted to `service`.
    static func submit(_ count: Int, to service: TaskService) async throws -> [String] {
        var ids: [String] = []
        for _ in 0..<count { ids.append(try await service.submit(runwayTool, input: runwayInput).id) }
        return ids
    }

    /// Runs `body` with a service over a counting SQLite store, on the mock engine.
    static func withCountingService(_ body: (CountingTaskStore, TaskService) async throws -> Void)
        async throws
    {
        let store = CountingTaskStore(try SQLiteTaskStore(path: temporarySQLitePath()))
        try await withMockEngine { pollster, _ in
            try await body(store, TaskService(store: store, pollster: pollster))
        }
    }

    @Test("50 event streams read each task whole once, and its update time in shared refreshes")
    func sharedRefreshes() async throws {
        try await Self.withCountingService { store, service in
            let ids = try await Self.submit(50, to: service)
            let seen = EventCounts()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in ids {
                    group.addTask {
                        for try await task in service.events(id, checkEvery: .milliseconds(50)) {
                            seen.counts.withLock { $0[task.id, default: 0] += 1 }
                        }
                    }
                }
                // Every stream has sent the task as it is; then they follow it for a while.
                let deadline = ContinuousClock.now + .seconds(30)
                while seen.counts.withLock({ $0.count }) < ids.count && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await Task.sleep(for: .seconds(1))
                let quiet = store.counts
                // One task changes: its stream (only) gets a second event.
                _ = try await store.update(id: ids[0]) {
                    $0.priority = 9
                    $0.updatedAt = Date()
                }
                while seen.counts.withLock({ $0[ids[0]] ?? 0 }) < 2 && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                group.cancelAll()

                #expect(seen.counts.withLock { $0 }.count == ids.count)
                #expect(seen.counts.withLock { $0[ids[0]] } == 2, "the changed task's stream saw the change")
                #expect(
                    seen.counts.withLock { $0.filter { $0.value > 1 }.count } == 1,
                    "no other stream got an event")
                // Whole reads: each task once, plus the one that changed (a few more at most,
                // when a stream started while its task's first refresh was running).
                #expect(quiet.tasks <= ids.count + 5, "\(quiet)")
                // 50 streams checking every 50 ms for over a second, one at a time, would be
                // over 1,000 reads; shared refreshes are one per 50 ms or so.
                #expect(quiet.updateTimes < 200, "\(quiet)")
                #expect(store.counts.tasks <= quiet.tasks + 3, "\(store.counts)")
            }
        }
    }

    @Test("each check reads the store after the last one ended; a pass over many tasks reads it once")
    func checksAndRefreshes() async throws {
        try await Self.withCountingService { store, service in
            let ids = try await Self.submit(2, to: service)
            var first = TaskFollow()
            var second = TaskFollow()
            // A lone follower: a fresh reading for each check, the task read whole once.
            #expect(try await service.changed(ids[0], &first)?.id == ids[0])
            #expect(try await service.changed(ids[0], &first) == nil)
            #expect(try await service.changed(ids[0], &first) == nil)
            #expect(store.counts.updateTimes == 3 && store.counts.tasks == 1, "\(store.counts)")
            // A task not followed yet needs a reading that includes it.
            #expect(try await service.changed(ids[1], &second)?.id == ids[1])
            #expect(store.counts.updateTimes == 4 && store.counts.tasks == 2, "\(store.counts)")
            // Passes over both, as an MCP session makes them: one reading per pass.
            for _ in 0..<2 {
                #expect(try await service.changed(ids[0], &first) == nil)
                #expect(try await service.changed(ids[1], &second) == nil)
            }
            #expect(store.counts.updateTimes == 6 && store.counts.tasks == 2, "\(store.counts)")
            #expect(first.saved != nil && second.saved != nil)
        }
    }

    @Test("a failed reading answers the other checks of its pass too; the next pass reads again")
    func failedPass() async throws {
        try await Self.withCountingService { store, service in
            let ids = try await Self.submit(3, to: service)
            var follows = ids.map { _ in TaskFollow() }
            store.failUpdateTimes(after: .zero)
            for index in ids.indices {
                do {
                    _ = try await service.changed(ids[index], &follows[index])
                    Issue.record("the store is down")
                } catch {
                    #expect((error as? PollsterError)?.code == .storeError)
                }
            }
            #expect(store.counts.updateTimes == 1, "one store call for the pass: \(store.counts)")
            store.recover()
            for index in ids.indices {
                #expect(try await service.changed(ids[index], &follows[index])?.id == ids[index])
            }
            #expect(store.counts.updateTimes == 2, "\(store.counts)")
        }
    }

    @Test("a failed refresh fails every caller waiting for it, not one after another")
    func failedRefresh() async throws {
        try await Self.withCountingService { store, service in
            let ids = try await Self.submit(20, to: service)
            store.failUpdateTimes(after: .milliseconds(300))
            let codes = try await withThrowingTaskGroup(of: PollsterError.Code?.self) { group in
                for id in ids {
                    group.addTask {
                        await pollsterError { _ = try await service.wait(id, timeout: .seconds(60)) }?.code
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes.allSatisfy { $0 == .storeError }, "\(codes)")
            // The first refresh fails all waiting callers; a caller that arrived during it may
            // make one more. One refresh per caller, one after another, would be 20.
            #expect(store.counts.updateTimes <= 3, "\(store.counts)")
        }
    }

    @Test("a caller canceled while it refreshes leaves the others a reading, not its cancellation")
    func canceledRefresher() async throws {
        try await Self.withCountingService { store, service in
            let ids = try await Self.submit(2, to: service)
            // The first refresh hangs until its caller is canceled.
            store.failUpdateTimes(after: .seconds(60))
            let refresher = Task {
                var follow = TaskFollow()
                return await pollsterError { _ = try await service.changed(ids[0], &follow) }?.code
            }
            try #require(try await eventually(within: .seconds(10)) { store.counts.updateTimes == 1 })
            let waiter = Task {
                var follow = TaskFollow()
                return try await service.changed(ids[1], &follow)?.id
            }
            // The second caller waits for the refresh in progress; the store answers again.
            try await Task.sleep(for: .milliseconds(200))
            store.recover()
            refresher.cancel()
            #expect(await refresher.value == .canceled)
            #expect(
                try await waiter.value == ids[1], "the waiting caller made the next refresh and read its task"
            )
            #expect(store.counts.updateTimes == 2, "\(store.counts)")
        }
    }

    @Test("wait and events on a deleted task fail with TASK_NOT_FOUND")
    func deleted() async throws {
        let store = try SQLiteTaskStore(path: temporarySQLitePath())
        try await withMockEngine { pollster, _ in
            let service = TaskService(store: store, pollster: pollster)
            let task = try await service.submit(runwayTool, input: runwayInput)
            _ = try await service.cancel(task.id)
            _ = try await service.purge(finishedBefore: Date().addingTimeInterval(60))
            let waited = await pollsterError { try await service.wait(task.id, timeout: .seconds(5)) }
            #expect(waited?.code == .taskNotFound, "\(String(describing: waited))")
            let followed = await pollsterError {
                for try await _ in service.events(task.id) {}
            }
            #expect(followed?.code == .taskNotFound, "\(String(describing: followed))")
        }
    }
}

/// Events seen per task, shared by the streams' child tasks.
private final class EventCounts: Sendable {
    let counts = Mutex<[String: Int]>([:])
}
