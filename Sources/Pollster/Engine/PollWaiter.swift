import Synchronization

/// One `invoke`'s side of its job while the shared scheduler (`Pollster.run`) polls it: the
/// caller waits here for the job to come back, and the scheduler learns here that the caller
/// was canceled.
///
/// Whoever holds the job owns its `limits.maxConcurrent` slot: the scheduler from `post` until
/// `deliver` succeeds, the caller otherwise. A caller canceled while it waits stops waiting at
/// once and leaves the job to the scheduler, which drops it and frees its slot (`deliver` returns
/// false). A caller canceled while it holds the job sees it in its own steps.
final class PollWaiter: Sendable {
    private struct State {
        var canceled = false
        var parked: CheckedContinuation<JobScheduler.StepEnd?, Never>?
        /// An end delivered before the caller parked.
        var delivered: JobScheduler.StepEnd?
    }

    private let state = Mutex(State())

    /// True once the caller's task was canceled while it waited.
    var isCanceled: Bool { state.withLock { $0.canceled } }

    /// Waits until the scheduler hands the job back with how its polls ended.
    /// - Returns: nil when the caller was canceled (the job stays with the scheduler).
    func next() async -> JobScheduler.StepEnd? {
        await withCheckedContinuation { continuation in
            let ready: JobScheduler.StepEnd?? = state.withLock { state in
                if let end = state.delivered {
                    state.delivered = nil
                    return .some(end)
                }
                if state.canceled { return .some(nil) }
                state.parked = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Hands the job back to its caller.
    /// - Returns: false when the caller was canceled: the job is the scheduler's to drop.
    func deliver(_ end: JobScheduler.StepEnd) -> Bool {
        let parked: CheckedContinuation<JobScheduler.StepEnd?, Never>?? = state.withLock { state in
            if state.canceled { return .none }
            defer { state.parked = nil }
            if state.parked == nil { state.delivered = end }
            return .some(state.parked)
        }
        guard let parked else { return false }
        parked?.resume(returning: end)
        return true
    }

    /// The caller's task was canceled: a waiting caller resumes at once.
    func cancel() {
        let parked = state.withLock { state in
            state.canceled = true
            defer { state.parked = nil }
            return state.parked
        }
        parked?.resume(returning: nil)
    }
}
