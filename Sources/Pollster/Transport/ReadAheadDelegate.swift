import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// Streams a response body to a task with read-ahead.
///
/// AsyncHTTPClient's async API lets one body part at a time wait for the reader, so reading the
/// socket and the reader's work on a part (hashing, writing) take turns, and each part wakes the
/// reading task. Here the event loop reads up to `highWatermark` parts ahead into a
/// `NIOThrowingAsyncSequenceProducer` and pauses the connection only when that many wait: the
/// two overlap, and a reader that keeps up takes parts without suspending (docs/benchmarks.md,
/// scenario 4).
final class ReadAheadDelegate: HTTPClientResponseDelegate, NIOAsyncSequenceProducerDelegate {
    typealias Response = Void
    typealias Body = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark,
        ReadAheadDelegate
    >

    /// Parts read ahead before the connection pauses (NIO reads at most 64 KiB at a time).
    static let highWatermark = 16
    /// Reading resumes when the reader has brought the parts waiting down to this.
    static let lowWatermark = 4

    /// Succeeds with the response head, or fails when no response arrives.
    let head: EventLoopPromise<HTTPResponseHead>

    private struct State {
        var source: Body.Source?
        var task: HTTPClient.Task<Void>?
        /// The read that waits for the reader to catch up.
        var paused: EventLoopPromise<Void>?
        /// The reader caught up before the read paused.
        var resumeEarly = false
        var headDelivered = false
        var terminated = false
        /// Parts (and their bytes) yielded that the reader has not taken yet.
        var unreadParts = 0
        var unreadBytes = 0
        /// The budget no longer counts this body (it ended); later takes are not released again.
        var forgotten = false
    }

    private let state = Mutex(State())
    /// The transport-wide read-ahead budget, if any.
    private let budget: ReadAheadBudget?

    /// A delegate whose callbacks run on `eventLoop` (pass `.delegate(on: eventLoop)` to `execute`),
    /// reading ahead within `budget` when given.
    init(eventLoop: any EventLoop, budget: ReadAheadBudget? = nil) {
        head = eventLoop.makePromise()
        self.budget = budget
    }

    /// The reader took a part of `bytes`.
    func taken(_ bytes: Int) {
        let (release, caughtUp) = state.withLock { state -> (Bool, Bool) in
            state.unreadParts -= 1
            state.unreadBytes -= bytes
            return (!state.forgotten, state.unreadParts <= 1)
        }
        guard release, let budget else { return }
        budget.release(bytes)
        if caughtUp { budget.readerCaughtUp(ObjectIdentifier(self)) }
    }

    /// The body ended (error or the reader stopped): the budget stops counting its unread parts.
    private func leaveBudget(_ error: any Error) {
        guard let budget else { return }
        let unread = state.withLock { state -> Int in
            defer { state.forgotten = true }
            return state.forgotten ? 0 : state.unreadBytes
        }
        budget.forget(ObjectIdentifier(self), unread: unread, error: error)
    }

    /// Makes the body sequence the reader iterates.
    func makeBody() -> Body {
        let made = Body.makeSequence(
            backPressureStrategy: .init(lowWatermark: Self.lowWatermark, highWatermark: Self.highWatermark),
            finishOnDeinit: false, delegate: self)
        state.withLock { $0.source = made.source }
        return made.sequence
    }

    /// The request this delegate reads, so that a reader who stops early cancels it.
    func attach(_ task: HTTPClient.Task<Void>) {
        let cancel = state.withLock { state -> Bool in
            state.task = task
            return state.terminated
        }
        if cancel { task.cancel() }
    }

    // MARK: HTTPClientResponseDelegate (on the event loop)

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock { $0.headDelivered = true }
        self.head.succeed(head)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard let source = state.withLock({ $0.source }) else {
            return task.eventLoop.makeSucceededVoidFuture()
        }
        guard let budget else { return yield(buffer, to: source, task: task) }
        let bytes = buffer.readableBytes
        // Counted only while the budget still counts this body (a part can arrive after it ended).
        let counted = state.withLock { state -> Bool in
            guard !state.forgotten else { return false }
            state.unreadParts += 1
            state.unreadBytes += bytes
            budget.add(bytes)
            return true
        }
        guard counted else { return yield(buffer, to: source, task: task) }
        return yield(buffer, to: source, task: task).flatMap { [self] in
            // The reader may hold this part and one more while the budget is spent.
            let id = ObjectIdentifier(self)
            let exempt = state.withLock { $0.unreadParts } <= 1
            let admitted = budget.admit(id, exempt: exempt, on: task.eventLoop)
            // The reader may have caught up between the check and the wait: wake it then.
            if !exempt, state.withLock({ $0.unreadParts }) <= 1 { budget.readerCaughtUp(id) }
            return admitted
        }
    }

    /// Hands a part to the reader; the future waits while `highWatermark` parts are unread.
    private func yield(_ buffer: ByteBuffer, to source: Body.Source, task: HTTPClient.Task<Void>)
        -> EventLoopFuture<Void>
    {
        switch source.yield(buffer) {
        case .produceMore:
            return task.eventLoop.makeSucceededVoidFuture()
        case .stopProducing:
            let promise = task.eventLoop.makePromise(of: Void.self)
            let resumeNow = state.withLock { state -> Bool in
                if state.resumeEarly {
                    state.resumeEarly = false
                    return true
                }
                state.paused = promise
                return false
            }
            if resumeNow { promise.succeed() }
            return promise.futureResult
        case .dropped:
            // Nobody will take it: stop counting it.
            let release = state.withLock { state -> Bool in
                guard budget != nil, !state.forgotten else { return false }
                state.unreadParts -= 1
                state.unreadBytes -= buffer.readableBytes
                return true
            }
            if release { budget?.release(buffer.readableBytes) }
            return task.eventLoop.makeFailedFuture(CancellationError())
        }
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        let (source, headDelivered, paused) = state.withLock { state in
            defer { state.paused = nil }
            return (state.source, state.headDelivered, state.paused)
        }
        if !headDelivered { head.fail(error) }
        source?.finish(error)
        paused?.fail(error)
        leaveBudget(error)
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        state.withLock { $0.source }?.finish()
    }

    // MARK: NIOAsyncSequenceProducerDelegate (on the reader's thread)

    func produceMore() {
        let paused = state.withLock { state -> EventLoopPromise<Void>? in
            guard let paused = state.paused else {
                state.resumeEarly = true
                return nil
            }
            state.paused = nil
            return paused
        }
        paused?.succeed()
    }

    func didTerminate() {
        let task = state.withLock { state -> HTTPClient.Task<Void>? in
            state.terminated = true
            return state.task
        }
        task?.cancel()
        leaveBudget(CancellationError())
    }
}
