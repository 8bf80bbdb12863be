import Foundation
import PollsterCore
import Synchronization

/// The tasks that `TaskService.events` and `wait` callers follow, read together: one store call
/// per refresh reads the update times of all of them, and only the tasks that changed are read
/// whole. A thousand event streams cost one small query every interval, not a thousand full
/// reads.
///
/// No task of its own: a caller that needs a reading newer than the last one makes the next
/// refresh for everyone, and callers arriving meanwhile wait for it. A task nobody asked for
/// over `followFor` is dropped from the refreshes.
final class TaskWatch: Sendable {
    private struct Followed {
        /// The task as last read whole.
        var task: TaskRecord?
        /// Its stored update time at the last refresh.
        var stamp: Date?
        /// When a caller last asked for it.
        var askedAt: ContinuousClock.Instant
    }

    private struct State {
        var followed: [String: Followed] = [:]
        /// When the last refresh that completed started.
        var refreshedAt: ContinuousClock.Instant?
        var refreshing = false
        /// Callers waiting for the refresh in progress.
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let store: any TaskStore
    private let followFor: Duration

    init(store: any TaskStore, followFor: Duration = .seconds(30)) {
        self.store = store
        self.followFor = followFor
    }

    /// The task `id` as read by a refresh that started at or after `since`.
    /// - Throws: `TASK_NOT_FOUND` (it was deleted), `STORE_ERROR`, `CANCELED`.
    func task(_ id: String, readSince since: ContinuousClock.Instant) async throws(PollsterError)
        -> TaskRecord
    {
        while true {
            if Task.isCancelled {
                throw PollsterError.mapping(CancellationError(), "reading task \(id)", from: .store)
            }
            enum Next {
                case found(TaskRecord)
                case refresh
                case wait
            }
            let now = ContinuousClock.now
            let next = state.withLock { state -> Next in
                if let refreshed = state.refreshedAt, refreshed >= since, let task = state.followed[id]?.task
                {
                    state.followed[id]?.askedAt = now
                    return .found(task)
                }
                if state.followed[id] == nil { state.followed[id] = Followed(askedAt: now) }
                state.followed[id]?.askedAt = now
                if state.refreshing { return .wait }
                state.refreshing = true
                return .refresh
            }
            switch next {
            case .found(let task):
                return task
            case .wait:
                await withCheckedContinuation { continuation in
                    let done = state.withLock { state in
                        guard state.refreshing else { return true }
                        state.waiting.append(continuation)
                        return false
                    }
                    if done { continuation.resume() }
                }
            case .refresh:
                try await refresh()
                // A task the refresh found gone.
                let gone = state.withLock { state in
                    guard let followed = state.followed[id], followed.task == nil, followed.stamp == nil
                    else {
                        return false
                    }
                    state.followed.removeValue(forKey: id)
                    return true
                }
                if gone { throw TaskService.notFound(id) }
            }
        }
    }

    /// Reads the update times of every followed task, then whole the ones that changed, and
    /// wakes the callers that waited for it (a caller woken by a failed refresh makes its own).
    /// - Throws: `STORE_ERROR`; the readings stay as they were.
    private func refresh() async throws(PollsterError) {
        let started = ContinuousClock.now
        let (ids, known) = state.withLock { state in
            state.followed = state.followed.filter { started - $0.value.askedAt < followFor }
            return (Array(state.followed.keys), state.followed.mapValues(\.stamp))
        }
        var changed: [String: (task: TaskRecord?, stamp: Date?)] = [:]
        var failure: PollsterError?
        do {
            let stamps = try await reading("the update times of \(ids.count) task(s)") {
                try await store.updateTimes(ids)
            }
            for id in ids where stamps[id] == nil || stamps[id] != known[id] ?? nil {
                let task =
                    stamps[id] == nil
                    ? nil : try await reading("task \(id)") { try await store.task(id: id) }
                changed[id] = (task, task == nil ? nil : stamps[id])
            }
        } catch {
            failure = error
        }
        let waiting = state.withLock { state in
            if failure == nil {
                for (id, reading) in changed {
                    state.followed[id]?.task = reading.task
                    state.followed[id]?.stamp = reading.stamp
                }
                state.refreshedAt = started
            }
            state.refreshing = false
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
        if let failure { throw failure }
    }

    private func reading<T>(_ what: String, _ body: () async throws -> T) async throws(PollsterError) -> T {
        do {
            return try await body()
        } catch {
            throw PollsterError.mapping(error, "task store: reading \(what) failed", from: .store)
        }
    }
}
