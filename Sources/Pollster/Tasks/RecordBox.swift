import PollsterCore
import Synchronization

/// The driver's copy of its task, shared by the engine's callbacks and the worker's lease
/// keeper, and how the worker tells the driver to stop running the engine.
final class RecordBox: Sendable {
    /// Why the engine's run of a task must end early.
    enum Interruption: Sendable, Hashable {
        /// Another worker holds the task now.
        case leaseLost
        /// A cancel was requested.
        case cancelRequested
        /// The worker is shutting down, and the task can be resumed by another (its submit's
        /// answer is stored).
        case stopping
    }

    private struct State {
        var task: TaskRecord
        /// The provider's answer to the submit is stored: another worker can resume the task.
        var accepted = false
        var leaseLost = false
        var cancelRequested = false
        var stopping = false
        /// The driver, waiting for one of `wanted`: `wake` is called once.
        var waiter: Waiter?
        /// What woke the waiter of `whenInterrupted`, until it stops waiting.
        var woke: Interruption?

        /// The first of `wanted` that holds now.
        func interruption(among wanted: Set<Interruption>) -> Interruption? {
            if leaseLost && wanted.contains(.leaseLost) { return .leaseLost }
            if cancelRequested && wanted.contains(.cancelRequested) { return .cancelRequested }
            if stopping && accepted && wanted.contains(.stopping) { return .stopping }
            return nil
        }
    }

    /// A wait for one of `wanted`.
    private struct Waiter {
        var wanted: Set<Interruption>
        var wake: @Sendable (Interruption?) -> Void
        /// A wait of `whenInterrupted`: what wakes it is kept for `stopWaiting()`.
        var remembers: Bool
    }

    private let state: Mutex<State>

    init(_ task: TaskRecord) { state = Mutex(State(task: task, cancelRequested: task.cancelRequested)) }

    var current: TaskRecord { state.withLock { $0.task } }

    /// The task's id and tool method (they never change).
    var identity: (id: String, tool: String) { state.withLock { ($0.task.id, $0.task.tool) } }

    /// The task's input (it never changes).
    var input: JSONValue { state.withLock { $0.task.input } }

    /// A cancel was requested: when the task was claimed, or since (a renewal found it).
    var isCancelRequested: Bool { state.withLock { $0.cancelRequested } }

    func change(_ body: (inout TaskRecord) -> Void) { state.withLock { body(&$0.task) } }

    /// The submit's answer is stored (or the task resumed from it).
    func markAccepted() { update { $0.accepted = true } }

    /// The lease keeper found the lease held by another worker.
    func loseLease() { update { $0.leaseLost = true } }

    /// The lease keeper found a cancel request.
    func requestCancel() { update { $0.cancelRequested = true } }

    /// The worker is shutting down.
    func stop() { update { $0.stopping = true } }

    /// Waits until one of `wanted` holds.
    /// - Returns: nil when the calling task is canceled.
    func interruption(among wanted: Set<Interruption>) async -> Interruption? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Interruption?? in
                    // Checked under the lock: a cancellation handler that ran first cannot
                    // have missed the waiter.
                    if Task.isCancelled { return .some(nil) }
                    if let found = state.interruption(among: wanted) { return found }
                    state.waiter = Waiter(
                        wanted: wanted, wake: { continuation.resume(returning: $0) }, remembers: false)
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            state.withLock { $0.waiter.take() }?.wake(nil)
        }
    }

    /// Calls `wake` once when one of `wanted` comes to hold, unless the driver stops waiting
    /// first (`stopWaiting()`). Waits without a task of its own: `wake` ends what the driver awaits.
    /// - Returns: one of `wanted` that holds already; nothing waits then, and `wake` is not called.
    func whenInterrupted(
        among wanted: Set<Interruption>, _ wake: @escaping @Sendable () -> Void
    ) -> Interruption? {
        state.withLock { state in
            if let found = state.interruption(among: wanted) { return found }
            state.woke = nil
            state.waiter = Waiter(wanted: wanted, wake: { _ in wake() }, remembers: true)
            return nil
        }
    }

    /// True once the wait of `whenInterrupted` was woken.
    var isInterrupted: Bool { state.withLock { $0.woke != nil } }

    /// Stops the wait of `whenInterrupted`.
    /// - Returns: what woke it; nil when nothing did (and nothing will now).
    func stopWaiting() -> Interruption? {
        state.withLock { state in
            if state.waiter?.remembers == true { state.waiter = nil }
            defer { state.woke = nil }
            return state.woke
        }
    }

    /// Changes the flags and wakes the waiter when what it waits for now holds.
    private func update(_ body: (inout State) -> Void) {
        let wake = state.withLock { state -> (@Sendable (Interruption?) -> Void, Interruption)? in
            body(&state)
            guard let waiter = state.waiter, let found = state.interruption(among: waiter.wanted) else {
                return nil
            }
            state.waiter = nil
            if waiter.remembers { state.woke = found }
            return (waiter.wake, found)
        }
        if let (wake, found) = wake { wake(found) }
    }
}
