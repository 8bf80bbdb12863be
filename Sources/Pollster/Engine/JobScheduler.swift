import PollsterCore

/// Drives invocations from one task. A job between two polls is an entry in a timer heap (its
/// `JobState`), not a suspended task; each step — the submit, one poll, the result and outputs —
/// runs in a short-lived child task, at most `maxStepsInFlight` at once, and hands back what comes
/// next. `Pollster.invokeEach` (and `invokeBatch`) run their calls through the loop (`run`);
/// `Pollster.invoke` runs the same steps for its one call from the caller's task (`invoke`).
///
/// ```
///  calls ──start──▶ [submit step] ──delay──▶ timer heap ──due──▶ [poll step] ──delay──┐
///                                    ▲                                                 │
///                                    └─────────────────────────────────────────────────┘
///                   [poll step] ──succeeded──▶ [result + outputs step] ──▶ onOutcome
/// ```
struct JobScheduler {
    /// One call to run.
    struct Call: Sendable {
        var index: Int
        var item: BatchItem
        var options: InvokeOptions
        /// The caller of a single `invoke`, waiting while the shared scheduler polls its job;
        /// nil for the calls of `invokeEach`.
        var waiter: PollWaiter? = nil
    }

    /// At most this many polls and result steps run at once; due polls beyond wait in the heap, as data.
    static let maxStepsInFlight = 512
    /// At most this many calls start at once. Counted apart from the other steps: a start may wait
    /// for its inventory's `maxConcurrent` slot, which only the polls of running jobs free.
    static let maxStartsInFlight = 256

    let adapter: HttpAdapter
    /// The loop single `invoke` calls share while `Pollster.run` hosts it.
    let shared: SharedScheduler
    /// Finds and checks the tool of a call (`Pollster.validateInput`).
    let resolve: @Sendable (_ tool: String, _ input: JSONValue) async throws -> ToolMethod

    /// What a step hands back to the loop.
    enum StepEnd: Sendable {
        /// The job waits this long before its next poll.
        case wait(JobState, Duration)
        /// The job succeeded: its result and outputs come next.
        case succeeded(JobState)
        /// The call is over: it succeeded (its result is read from the `JobState`, so that no
        /// `ToolResult` takes room in a waiting frame) or failed.
        case ended(Call, Ending)
        /// A timer child woke up for the poll due at this time.
        case tick(ContinuousClock.Instant)
        /// A start step ended as `StepEnd` says.
        indirect case started(StepEnd)
        /// Jobs arrived at the shared scheduler, or a caller waiting there was canceled.
        case mail
    }

    /// How a job ended.
    enum Ending: Sendable {
        case succeeded(JobState)
        case failed(any Error)

        var outcome: Result<ToolResult, any Error> {
            switch self {
            case .succeeded(let job): Result { try job.result() }
            case .failed(let error): .failure(error)
            }
        }
    }

    /// Runs one call and returns its result: the same steps as `run`, each in a child task. While
    /// `Pollster.run` hosts the shared scheduler, the job waits there between its submit and its
    /// result and the caller's task waits once; otherwise the caller's task sleeps between polls.
    /// One job needs no heap and no loop of its own, and a waiting `invoke` keeps only this frame
    /// (a task keeps the slabs of its deepest calls until it ends).
    func invoke(_ tool: String, input: JSONValue, options: InvokeOptions) async throws -> ToolResult {
        // Only a job that may go to the shared scheduler needs a waiter.
        let waiter = shared.isHosting ? PollWaiter() : nil
        var end = await Self.inChildTask {
            await self.start(
                Call(index: 0, item: BatchItem(tool: tool, input: input), options: options, waiter: waiter))
        }
        while true {
            switch end {
            case .wait(let job, let delay):
                // (Checked here first so that a job without a waiter makes no call at all.)
                if job.call.waiter != nil, let back = await shared.polls(job, after: delay) {
                    end = back
                    continue
                }
                let due = ContinuousClock.now + delay
                // Canceled while asleep: the poll step sees it and ends the job (and its slot).
                // One timer per poll, here: the poll's child starts when it is due.
                try? await Self.sleep(until: due)
                end = await Self.inChildTask { await self.poll(job) }
            case .succeeded(let job):
                end = await Self.inChildTask { await self.finish(job) }
            case .ended(_, .succeeded(let job)):
                return try job.result()
            case .ended(_, .failed(let error)):
                throw error
            case .tick, .started, .mail:
                throw PollsterError(
                    .internal, "internal error: a step of \(tool) ended as only the loop's do")
            }
        }
    }

    /// Runs `step` in a child task that ends with it (not inlined: its temporaries take room only
    /// while a step runs, not in the frame that waits).
    @inline(never)
    private static func inChildTask(_ step: @escaping @Sendable () async -> StepEnd) async -> StepEnd {
        await withTaskGroup(of: StepEnd.self) { group in
            group.addTask(operation: step)
            // Never nil: the group has the one task just added.
            return await group.next() ?? .tick(.now)
        }
    }

    /// `Task.sleep` until `deadline` unless it has passed (not inlined, like `inChildTask`).
    @inline(never)
    private static func sleep(until deadline: ContinuousClock.Instant) async throws {
        guard deadline > .now else { return }
        try await Task.sleep(until: deadline, clock: .continuous)
    }

    /// Runs `calls`, at most `width` jobs at once, and reports each outcome as it comes.
    ///
    /// When the calling task is canceled, running steps end as they do on cancellation, waiting
    /// jobs end with `CancellationError` without another request, and calls not started yet end
    /// the same way at once.
    func run(
        _ calls: some Sequence<Call>, width: Int, onStart: (Int) -> Void = { _ in },
        onOutcome: (Call, Result<ToolResult, any Error>) -> Void
    ) async {
        await withTaskGroup(of: StepEnd.self) { group in
            var loop = Loop(calls: calls.makeIterator(), width: max(1, width))
            while true {
                if Task.isCancelled { loop.cancelWaiting(onOutcome) }
                // Due polls of jobs in progress go before new submits.
                loop.polls.launchDue(self, &group)
                loop.startCalls(self, &group, onStart)
                guard loop.active > 0 else { break }
                if loop.polls.running == 0 && loop.starting == 0 {
                    // Only waiting jobs: sleep here until the next is due.
                    guard let next = loop.polls.nextWake else { break }
                    do {
                        try await Task.sleep(until: next, clock: .continuous)
                    } catch {
                        loop.cancelWaiting(onOutcome)
                    }
                    continue
                }
                loop.polls.armTimer(&group)
                guard let end = await group.next() else { break }
                loop.take(end, self, &group, onOutcome)
            }
            group.cancelAll()
        }
    }

    /// The loop's state: all of it lives in the one task that runs `run`.
    private struct Loop<Calls: IteratorProtocol<Call>> {
        var calls: Calls
        let width: Int
        /// Jobs between two polls, and the poll and result steps running.
        var polls = PollQueue.batch
        /// Jobs started and not ended.
        var active = 0
        /// Start children in flight.
        var starting = 0

        init(calls: Calls, width: Int) {
            self.calls = calls
            self.width = width
        }

        mutating func startCalls(
            _ scheduler: JobScheduler, _ group: inout TaskGroup<StepEnd>, _ onStart: (Int) -> Void
        ) {
            while active < width, starting < JobScheduler.maxStartsInFlight, let call = calls.next() {
                onStart(call.index)
                active += 1
                starting += 1
                group.addTask { .started(await scheduler.start(call)) }
            }
        }

        mutating func take(
            _ end: StepEnd, _ scheduler: JobScheduler, _ group: inout TaskGroup<StepEnd>,
            _ onOutcome: (Call, Result<ToolResult, any Error>) -> Void
        ) {
            switch end {
            case .started(let end):
                // From here the job's steps count as running ones.
                starting -= 1
                polls.running += 1
                take(end, scheduler, &group, onOutcome)
            case .tick(let due):
                polls.tick(due)
            case .wait(let job, let delay):
                polls.running -= 1
                polls.heap.insert(job, due: .now + delay)
            case .succeeded(let job):
                group.addTask { await scheduler.finish(job) }
            case .ended(let call, let ending):
                polls.running -= 1
                close(call, ending.outcome, onOutcome)
            case .mail:
                // Only the shared scheduler gets mail.
                break
            }
        }

        /// Ends every waiting job with `CancellationError`; no call starts any more.
        mutating func cancelWaiting(_ onOutcome: (Call, Result<ToolResult, any Error>) -> Void) {
            for job in polls.heap.removeAll() {
                job.limiters.jobs?.release()
                close(job.call, .failure(CancellationError()), onOutcome)
            }
        }

        private mutating func close(
            _ call: Call, _ outcome: Result<ToolResult, any Error>,
            _ onOutcome: (Call, Result<ToolResult, any Error>) -> Void
        ) {
            active -= 1
            onOutcome(call, outcome)
        }
    }

    // The steps, each run in a child task of the loop.

    private func start(_ call: Call) async -> StepEnd {
        let job: JobState
        do {
            try Task.checkCancellation()
            let method = try await resolve(call.item.tool, call.item.input)
            job = try adapter.prepare(method, call: call)
        } catch {
            return .ended(call, .failed(error))
        }
        do {
            // limits.maxConcurrent: a slot is held from before the submit until the outputs are in.
            try await job.limiters.jobs?.acquire()
        } catch {
            return .ended(call, .failed(error))
        }
        return await step(job) { try await job.step { try await adapter.start(&$0) } }
    }

    /// - Parameter handBackOnCancel: a poll cut short by cancellation hands the job back to be
    ///   polled again (`.wait` with no delay) instead of ending it: for the shared scheduler,
    ///   whose cancellation is not the caller's.
    func poll(_ job: JobState, handBackOnCancel: Bool = false) async -> StepEnd {
        await step(job, handBackOnCancel: handBackOnCancel) {
            try Task.checkCancellation()
            return try await job.step { try await adapter.pollStep(&$0) }
        }
    }

    private func finish(_ job: JobState) async -> StepEnd {
        defer { job.limiters.jobs?.release() }
        do {
            try await inStepSlot(job) { try await job.step { try await adapter.finish(&$0) } }
            return .ended(job.call, .succeeded(job))
        } catch {
            return .ended(job.call, .failed(error))
        }
    }

    /// Runs a submit or poll step: the delay before the next poll, or nil when the job succeeded.
    private func step(
        _ job: JobState, handBackOnCancel: Bool = false, _ body: () async throws -> Duration?
    ) async -> StepEnd {
        do {
            guard let delay = try await inStepSlot(job, body) else { return .succeeded(job) }
            return .wait(job, delay)
        } catch is CancellationError where handBackOnCancel {
            return .wait(job, .zero)
        } catch {
            job.limiters.jobs?.release()
            return .ended(job.call, .failed(error))
        }
    }

    /// Runs `body` once the inventory has a step slot free (`ProviderLimits.stepsPerInventory`).
    private func inStepSlot<Result>(_ job: JobState, _ body: () async throws -> Result) async throws -> Result
    {
        try await job.limiters.steps.acquire()
        defer { job.limiters.steps.release() }
        return try await body()
    }
}
