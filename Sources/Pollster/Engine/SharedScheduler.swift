import PollsterCore
import Synchronization

/// The scheduler that `invoke` calls share while `Pollster.run` hosts it: between its submit
/// and its result, each call's job waits here as data in one timer heap and is polled by one
/// loop, like the jobs of `invokeEach`, instead of by the caller's own task sleeping and waking
/// for each poll (docs/architecture.md, "How a waiting job is held").
///
/// The caller still submits and downloads from its own task; it parks on its `PollWaiter`
/// while the loop polls. When the loop stops (its task canceled, or graceful shutdown), every
/// job it holds goes back to its caller, which polls on by itself: stopping the loop never
/// fails or loses an invocation.
final class SharedScheduler: Sendable {
    /// A job handed over for its polls, due for its next one at `due`.
    private struct Arrival: Sendable {
        let job: JobState
        let due: ContinuousClock.Instant
    }

    private struct Inbox {
        /// True while a loop runs and takes jobs.
        var open = false
        var arrivals: [Arrival] = []
        /// A caller was canceled: its waiting job should be dropped now.
        var sweep = false
        /// The loop, waiting for mail.
        var wakeup: CheckedContinuation<Void, Never>?
    }

    private let inbox = Mutex(Inbox())

    /// True while a loop runs and takes jobs.
    var isHosting: Bool { inbox.withLock { $0.open } }

    /// Polls `job` in the loop until it succeeds, fails or the loop stops.
    /// - Returns: nil when no loop runs (the caller polls by itself); otherwise how the job came
    ///   back. A canceled caller gets `.ended` with `CancellationError` and leaves the job (and its
    ///   slot) to the loop.
    @inline(never)
    func polls(_ job: JobState, after delay: Duration) async -> JobScheduler.StepEnd? {
        guard let waiter = job.call.waiter, post(Arrival(job: job, due: .now + delay)) else { return nil }
        let back = await withTaskCancellationHandler {
            await waiter.next()
        } onCancel: {
            waiter.cancel()
            sweep()
        }
        return back ?? .ended(job.call, .failed(CancellationError()))
    }

    /// A caller was canceled: wakes the loop to drop its job and free its slot.
    func sweep() {
        inbox.withLock { inbox -> CheckedContinuation<Void, Never>? in
            guard inbox.open else { return nil }
            inbox.sweep = true
            return inbox.wakeup.take()
        }?.resume()
    }

    private func post(_ arrival: Arrival) -> Bool {
        let (accepted, wakeup) = inbox.withLock { inbox -> (Bool, CheckedContinuation<Void, Never>?) in
            guard inbox.open else { return (false, nil) }
            inbox.arrivals.append(arrival)
            return (true, inbox.wakeup.take())
        }
        wakeup?.resume()
        return accepted
    }

    /// Runs the loop until the calling task is canceled.
    /// - Throws: `INTERNAL` when a loop already runs for this engine.
    func host(_ scheduler: JobScheduler) async throws(PollsterError) {
        let opened = inbox.withLock { inbox in
            defer { inbox.open = true }
            return !inbox.open
        }
        guard opened else {
            throw PollsterError(.internal, "Pollster.run() is already running for this engine; run it once")
        }
        await withTaskGroup(of: JobScheduler.StepEnd.self) { group in
            var polls = PollQueue.shared
            group.addTask { await self.mail() }
            while !Task.isCancelled {
                polls.launchDue(scheduler, &group)
                polls.armTimer(&group)
                guard let end = await group.next() else { break }
                take(end, &polls, &group)
            }
            // New calls poll by themselves from here; jobs waiting here go back to their callers,
            // and so do those whose poll is cut short (the poll is sent again by the caller).
            for arrival in takeMail(closing: true).arrivals { handBack(arrival.job, due: arrival.due) }
            for (job, due) in polls.heap.removeAll(where: { _ in true }) { handBack(job, due: due) }
            group.cancelAll()
            while let end = await group.next() {
                if case .mail = end { continue }
                take(end, &polls, &group)
            }
        }
    }

    /// Waits until jobs arrive or a caller is canceled (or the loop is).
    private func mail() async -> JobScheduler.StepEnd {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = inbox.withLock { inbox in
                    if !inbox.arrivals.isEmpty || inbox.sweep || Task.isCancelled { return true }
                    inbox.wakeup = continuation
                    return false
                }
                if now { continuation.resume() }
            }
            return .mail
        } onCancel: {
            inbox.withLock { $0.wakeup.take() }?.resume()
        }
    }

    private func take(
        _ end: JobScheduler.StepEnd, _ polls: inout PollQueue, _ group: inout TaskGroup<JobScheduler.StepEnd>
    ) {
        let stopping = Task.isCancelled
        switch end {
        case .mail:
            let (arrivals, sweep) = takeMail(closing: false)
            for arrival in arrivals { polls.heap.insert(arrival.job, due: arrival.due) }
            if sweep {
                for (job, _) in polls.heap.removeAll(where: { $0.call.waiter?.isCanceled ?? false }) {
                    job.limiters.jobs?.release()
                }
            }
            group.addTask { await self.mail() }
        case .tick(let due):
            polls.tick(due)
        case .wait(let job, let delay):
            polls.running -= 1
            if stopping {
                handBack(job, due: .now + delay)
            } else if job.call.waiter?.isCanceled ?? false {
                job.limiters.jobs?.release()
            } else {
                polls.heap.insert(job, due: .now + delay)
            }
        case .succeeded(let job):
            polls.running -= 1
            giveBack(job, end)
        case .ended(let call, _):
            // The step freed the job's slot when it failed.
            polls.running -= 1
            _ = call.waiter?.deliver(end)
        case .started:
            // Calls start from their callers' tasks, never here.
            break
        }
    }

    /// Gives `job` back to its caller to poll by itself from `due`; drops it when the caller is gone.
    private func handBack(_ job: JobState, due: ContinuousClock.Instant) {
        giveBack(job, .wait(job, max(.zero, due - .now)))
    }

    /// Delivers `end` to the job's caller; drops the job and frees its slot when the caller is gone.
    private func giveBack(_ job: JobState, _ end: JobScheduler.StepEnd) {
        if job.call.waiter?.deliver(end) != true { job.limiters.jobs?.release() }
    }

    /// Takes the jobs that arrived and whether a caller was canceled; `closing` stops taking jobs.
    private func takeMail(closing: Bool) -> (arrivals: [Arrival], sweep: Bool) {
        inbox.withLock { inbox in
            defer {
                inbox.arrivals = []
                inbox.sweep = false
                if closing { inbox.open = false }
            }
            return (inbox.arrivals, inbox.sweep)
        }
    }
}
