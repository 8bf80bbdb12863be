import Foundation
import PollsterCore
import Synchronization

/// When each task that `TaskService.events`, `wait` and `changed` callers follow was last
/// saved, read for all of them in one store call per refresh: a caller reads its task whole
/// only when that time changed. A thousand event streams cost one small query every interval,
/// not a thousand full reads and decodes.
///
/// No task of its own: a caller that needs a reading newer than the last one makes the next
/// refresh for everyone, and callers arriving meanwhile wait for it (and get its error, if it
/// fails; a canceled caller stops waiting at once, and when the caller making the refresh is
/// canceled, one of those waiting makes the next). A failed refresh answers, with its error,
/// every later caller that needs no newer reading than it: during an outage a pass over many
/// tasks makes one failing store call, not one per task. A task nobody asked about for `followFor`
/// is dropped from the refreshes.
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
        /// Refreshes completed, failed ones included.
        var generation = 0
        /// The last refresh's failure, its generation and when it started.
        var failure: (generation: Int, error: PollsterError, started: ContinuousClock.Instant)?
        /// Callers waiting for the refresh in progress, by a number of their own.
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
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
                case failed(PollsterError)
                /// Wait for the refresh in progress, which completes this generation.
                case wait(Int)
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
                // The last refresh failed, and it is as recent as the caller needs: its error
                // answers this caller too, without another store call (a pass over many tasks
                // makes one failing call during an outage, not one per task).
                if let failure = state.failure, failure.started >= since { return .failed(failure.error) }
                if state.refreshing { return .wait(state.generation + 1) }
                state.refreshing = true
                return .refresh
            }
            switch next {
            case .found(let date):
                return date
            case .gone:
                throw TaskService.notFound(id)
            case .failed(let error):
                throw error
            case .wait(let generation):
                await waitForRefresh()
                let failed = state.withLock { state in
                    state.failure.flatMap { $0.generation >= generation ? $0.error : nil }
                }
                if let failed { throw failed }
            case .refresh:
                try await refresh()
            }
        }
    }

    /// Returns when the refresh in progress completes, or at once when the calling task is canceled.
    private func waitForRefresh() async {
        let number = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state in
                    guard state.refreshing, !Task.isCancelled else { return true }
                    state.waiting[number] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: number) }?.resume()
        }
    }

    /// Reads the update times of every followed task and wakes the callers that waited for it.
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
        } catch  where Task.isCancelled || error is CancellationError {
            // The caller making the refresh went away: that is no answer of the store. The
            // callers waiting for it ask again, and one of them makes the next refresh.
            endRefresh { _ in }
            throw PollsterError.mapping(CancellationError(), "reading task update times", from: .store)
        } catch {
            failure = PollsterError.mapping(
                error, "task store: reading the update times of \(ids.count) task(s) failed", from: .store)
        }
        endRefresh { state in
            state.generation += 1
            if let failure {
                state.failure = (state.generation, failure, started)
            } else {
                for id in ids { state.followed[id]?.reading = stamps[id].map(Reading.saved) ?? .gone }
                state.refreshedAt = started
                state.failure = nil
            }
        }
        if let failure { throw failure }
    }

    /// Records how the refresh ended (`record`) and wakes the callers that waited for it.
    private func endRefresh(_ record: (inout State) -> Void) {
        let waiting = state.withLock { state in
            record(&state)
            state.refreshing = false
            defer { state.waiting = [:] }
            return state.waiting.values
        }
        for continuation in waiting { continuation.resume() }
    }
}
