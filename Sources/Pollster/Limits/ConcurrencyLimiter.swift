import Synchronization

/// A counting semaphore for async code: at most `limit` holders at once, waiters served
/// in arrival order, cancellation-aware.
final class ConcurrencyLimiter: Sendable {
    private struct State {
        var available: Int
        /// Waiters in arrival order from `head` on (a queue that stays cheap with thousands waiting).
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var head = 0
        var nextId = 0

        /// Takes the longest waiter.
        mutating func popFirst() -> CheckedContinuation<Void, any Error>? {
            guard head < waiters.count else { return nil }
            let first = waiters[head].continuation
            head += 1
            if head > 64 && head * 2 > waiters.count {
                waiters.removeFirst(head)
                head = 0
            }
            return first
        }
    }

    private let state: Mutex<State>

    /// A limiter admitting `limit` holders.
    init(limit: Int) { state = Mutex(State(available: limit)) }

    /// Waits for a slot. Every successful call must be balanced by `release()`.
    /// - Throws: `CancellationError` if the task is cancelled while waiting.
    func acquire() async throws {
        let id = state.withLock { state -> Int? in
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            state.nextId += 1
            return state.nextId
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<Void, any Error>) in
                let now = state.withLock { state -> Result<Void, CancellationError>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    // A slot freed since the first look, while no one was in line to take it.
                    if state.available > 0 {
                        state.available -= 1
                        return .success(())
                    }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters[state.head...].firstIndex(where: { $0.id == id }) else {
                    return nil
                }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// How many callers wait for a slot.
    var waiting: Int { state.withLock { $0.waiters.count - $0.head } }

    /// Frees a slot, handing it to the longest waiter if any.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard let first = state.popFirst() else {
                state.available += 1
                return nil
            }
            return first
        }
        next?.resume()
    }
}
