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
        var waiter: (wake: @Sendable (Interruption?) -> Void, wanted: Set<Interruption>)?
        /// What woke the waiter, until it stops waiting.
        var woke: Interruption?

        /// The first of `wanted` that holds now.
        func interruption(among wanted: Set<Interruption>) -> Interruption? {
            if leaseLost && wanted.contains(.leaseLost) { return .leaseLost }
            if cancelRequested && wanted.contains(.cancelRequested) { return .cancelRequested }
            if stopping && accepted && wanted.contains(.stopping) { return .stopping }
            return nil
        }
    }

    private let state: Mutex<State>

    init(_ task: TaskRecord) { state = Mutex(State(task: task, cancelRequested: task.cancelRequested)) }

    var current: TaskRecord { state.withLock { $0.task } }

    /// The task's id and tool method (they never change).
    var identity: (id: String, tool: String) { state.withLock { ($0.task.id, $0.task.tool) } }

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
                wait(among: wanted, unlessCanceled: true) { continuation.resume(returning: $0) }
            }
        } onCancel: {
            state.withLock { $0.waiter.take() }?.wake(nil)
        }
    }

    /// Calls `wake` once, when one of `wanted` holds (at once if one does now), unless the driver
    /// stops waiting first (`stopWaiting()`). Waits without a task of its own: `wake` typically
    /// ends what the driver awaits.
    func whenInterrupted(among wanted: Set<Interruption>, _ wake: @escaping @Sendable (Interruption?) -> Void)
    {
        wait(among: wanted, unlessCanceled: false, wake)
    }

    /// Stops the wait of `whenInterrupted`.
    /// - Returns: what woke the waiter; nil when nothing did (and nothing will now).
    func stopWaiting() -> Interruption? {
        state.withLock { state in
            defer {
                state.waiter = nil
                state.woke = nil
            }
            return state.woke
        }
    }

    /// - Parameter unlessCanceled: a canceled task gets `wake(nil)` at once (checked under the
    ///   lock, so a cancellation handler that runs first cannot miss the waiter).
    private func wait(
        among wanted: Set<Interruption>, unlessCanceled: Bool,
        _ wake: @escaping @Sendable (Interruption?) -> Void
    ) {
        let now = state.withLock { state -> Interruption?? in
            if unlessCanceled && Task.isCancelled { return .some(nil) }
            if let found = state.interruption(among: wanted) {
                state.woke = found
                return found
            }
            state.waiter = (wake, wanted)
            return nil
        }
        if let now { wake(now) }
    }

    /// Changes the flags and wakes the waiter when what it waits for now holds.
    private func update(_ body: (inout State) -> Void) {
        let wake = state.withLock { state -> (@Sendable (Interruption?) -> Void, Interruption)? in
            body(&state)
            guard let waiter = state.waiter, let found = state.interruption(among: waiter.wanted) else {
                return nil
            }
            state.waiter = nil
            state.woke = found
            return (waiter.wake, found)
        }
        if let (wake, found) = wake { wake(found) }
    }
}
