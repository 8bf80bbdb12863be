import NIOCore
import Synchronization

/// The bytes all streamed bodies of one transport may hold read ahead of their readers.
///
/// Each body reads ahead on its own (`ReadAheadDelegate.highWatermark` parts), which alone lets
/// memory grow with the number of concurrent downloads. Every part read is counted here until
/// its reader takes it; once the total passes `limit`, a body stops reading until readers have
/// taken enough — except a body whose reader has nothing waiting, which may always read one
/// part, so none starves and a slow reader cannot stall the others.
final class ReadAheadBudget: Sendable {
    /// Bytes read ahead above which bodies pause.
    let limit: Int

    private struct Waiter {
        let id: ObjectIdentifier
        let promise: EventLoopPromise<Void>
    }

    private struct State {
        var used = 0
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())

    /// A budget of `limit` bytes.
    init(limit: Int) { self.limit = limit }

    /// Bytes read ahead now (for tests and benchmarks).
    var used: Int { state.withLock { $0.used } }

    /// Counts a part read ahead.
    func add(_ bytes: Int) { state.withLock { $0.used += bytes } }

    /// A future that succeeds when `reader` may read more: at once when the budget has room or
    /// the reader has nothing waiting (`exempt`), else once readers have taken enough.
    func admit(_ reader: ObjectIdentifier, exempt: Bool, on eventLoop: any EventLoop) -> EventLoopFuture<Void>
    {
        let waiting = state.withLock { state -> EventLoopPromise<Void>? in
            guard !exempt, state.used > limit else { return nil }
            let promise = eventLoop.makePromise(of: Void.self)
            state.waiters.append(Waiter(id: reader, promise: promise))
            return promise
        }
        return waiting?.futureResult ?? eventLoop.makeSucceededVoidFuture()
    }

    /// A reader took `bytes`: wakes the longest waiting body while there is room.
    func release(_ bytes: Int) {
        let woken = state.withLock { state -> [EventLoopPromise<Void>] in
            state.used -= bytes
            var woken: [EventLoopPromise<Void>] = []
            while state.used <= limit, !state.waiters.isEmpty {
                woken.append(state.waiters.removeFirst().promise)
                // Each woken body reads about one part before it asks again.
                if state.used + 64 * 1024 * woken.count > limit { break }
            }
            return woken
        }
        for promise in woken { promise.succeed() }
    }

    /// Wakes `reader` if it waits: its own reader has caught up, so it may always read on.
    func readerCaughtUp(_ reader: ObjectIdentifier) {
        let mine = state.withLock { state -> [EventLoopPromise<Void>] in
            let mine = state.waiters.filter { $0.id == reader }.map(\.promise)
            state.waiters.removeAll { $0.id == reader }
            return mine
        }
        for promise in mine { promise.succeed() }
    }

    /// A body ended: its parts no reader took are released, and a wait of its is failed.
    func forget(_ reader: ObjectIdentifier, unread bytes: Int, error: any Error) {
        let dropped = state.withLock { state -> [EventLoopPromise<Void>] in
            let mine = state.waiters.filter { $0.id == reader }.map(\.promise)
            state.waiters.removeAll { $0.id == reader }
            return mine
        }
        for promise in dropped { promise.fail(error) }
        if bytes > 0 { release(bytes) }
    }
}
