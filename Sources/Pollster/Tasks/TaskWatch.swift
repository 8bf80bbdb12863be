import Foundation
import PollsterCore
import Synchronization

/// When each task that `TaskService.events`, `wait` and `updateTime` callers follow was last
/// saved, read for all of them in one store call per refresh: a caller reads its task whole
/// only when that time changed. A thousand event streams cost one small query every interval,
/// not a thousand full reads and decodes.
///
/// No task of its own: a caller that needs a reading newer than the last one makes the next
/// refresh for everyone, and callers arriving meanwhile wait for it. A task nobody asked about
/// for `followFor` is dropped from the refreshes.
final class TaskWatch: Sendable {
    private struct Followed {
        /// What the last refresh that included it found.
        var reading: Reading = .pending
        /// When a caller last asked about it.
        var askedAt: ContinuousClock.Instant
    }

    private enum Reading {
        /// No refresh included it yet.
        case pending
        /// Its stored update time.
        case saved(Date)
        /// It is not in the store.
        case gone
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

    /// When the task `id` was last saved, as read by a refresh that started at or after `since`.
    /// - Throws: `TASK_NOT_FOUND`, `STORE_ERROR`, `CANCELED`.
    func updateTime(of id: String, readSince since: ContinuousClock.Instant) async throws(PollsterError)
        -> Date
    {
        while true {
            if Task.isCancelled {
                throw PollsterError.mapping(CancellationError(), "reading task \(id)", from: .store)
            }
            enum Next {
                case found(Date)
                case gone
                case refresh
                case wait
            }
            let now = ContinuousClock.now
            let next = state.withLock { state -> Next in
                state.followed[id, default: Followed(askedAt: now)].askedAt = now
                if let refreshed = state.refreshedAt, refreshed >= since {
                    switch state.followed[id]?.reading {
                    case .saved(let date): return .found(date)
                    case .gone:
                        state.followed.removeValue(forKey: id)
                        return .gone
                    case .pending, nil: break
                    }
                }
                if state.refreshing { return .wait }
                state.refreshing = true
                return .refresh
            }
            switch next {
            case .found(let date):
                return date
            case .gone:
                throw TaskService.notFound(id)
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
            }
        }
    }

    /// Reads the update times of every followed task and wakes the callers that waited for it
    /// (a caller woken by a failed refresh makes its own).
    /// - Throws: `STORE_ERROR`; the readings stay as they were.
    private func refresh() async throws(PollsterError) {
        let started = ContinuousClock.now
        let ids = state.withLock { state in
            state.followed = state.followed.filter { started - $0.value.askedAt < followFor }
            return Array(state.followed.keys)
        }
        var failure: PollsterError?
        var stamps: [String: Date] = [:]
        do {
            stamps = try await store.updateTimes(ids)
        } catch {
            failure = PollsterError.mapping(
                error, "task store: reading the update times of \(ids.count) task(s) failed", from: .store)
        }
        let waiting = state.withLock { state in
            if failure == nil {
                for id in ids { state.followed[id]?.reading = stamps[id].map(Reading.saved) ?? .gone }
                state.refreshedAt = started
            }
            state.refreshing = false
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
        if let failure { throw failure }
    }
}
