import Foundation
import Logging
import PollsterCore

/// Drives one claimed task to its next resting point: finished, handed back at shutdown, or
/// dropped because another worker took the lease over.
///
/// A class, so that its async frames and the closures of its child tasks hold one reference,
/// not copies of the worker and the task: a worker may drive thousands of tasks at once.
final class TaskDriver: Sendable {
    let worker: TaskWorker
    /// The task's id and tool method, which never change (the rest of the task is read from
    /// `box`: a driver keeps no second copy of the record for as long as its job runs).
    let id: String
    let tool: String
    /// The task as it goes, and what the worker tells the driver (`LeaseKeeper`, shutdown).
    let box: RecordBox
    let signals: WorkerSignals

    init(worker: TaskWorker, box: RecordBox, signals: WorkerSignals) {
        self.worker = worker
        (id, tool) = box.identity
        self.box = box
        self.signals = signals
    }

    private var store: any TaskStore { worker.store }
    private var logger: Logger { worker.logger }

    /// How the run of the engine ended.
    private enum Ending: Sendable {
        /// Boxed: every frame holding an `Ending` would otherwise keep room for a result and an error.
        indirect case finished(Result<ToolResult, PollsterError>)
        case cancelRequested
        case stopping
        case leaseLost

        /// The ending an interruption gives.
        init(_ interruption: RecordBox.Interruption) {
            switch interruption {
            case .leaseLost: self = .leaseLost
            case .cancelRequested: self = .cancelRequested
            case .stopping: self = .stopping
            }
        }
    }

    /// Drives the task.
    ///
    /// Its frame stays alive while the engine runs, which for a video job is minutes, for every
    /// task the worker drives: so it only calls the phases, each in a frame of its own
    /// (`@inline(never)`; an async frame keeps room for every temporary of the code inlined
    /// into it). `prepare()` runs in a child task: a task keeps the memory its deepest frames
    /// took until it ends, and the child's ends before the job's long wait.
    func drive() async {
        let ready = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.prepare() }
            return await group.next() ?? false
        }
        guard ready else { return }
        let ending = await retryingDownloads(after: await run())
        if Task.isCancelled { return }
        await conclude(ending)
    }

    /// Everything before the engine runs: the tool, a cancel already requested, what the
    /// stored state allows (resume, resubmit with the same key, reconcile), and `submitting`
    /// stored before a submit.
    /// - Returns: false when the task is done with here (finished, handed back, or lost).
    @inline(never)
    private func prepare() async -> Bool {
        // As claimed: read before anything changes it.
        let task = box.current
        let recovery: SubmitRecovery
        do {
            guard let found = try await lookUp() else { return false }
            recovery = found
        } catch {
            let failure = PollsterError.mapping(
                error, "\(tool): the registry could not be read", from: .registry)
            await finish(.failure(failure))
            return false
        }
        if box.isCancelRequested {
            await cancel()
            return false
        }
        switch task.state {
        case .queued:
            if signals.isStopping { return false }
        case .submitting where recovery.resubmits:
            logger.notice(
                "resubmitting with the same idempotency key after the previous worker stopped mid-submit",
                metadata: ["task": "\(id)"])
        case .submitting where task.checkpoint == nil && recovery.reconciles:
            guard await reconcile() else { return false }
        case .running where task.checkpoint != nil, .downloading where task.checkpoint != nil:
            logger.info(
                "resuming the task from its checkpoint (its previous worker stopped or lost the lease)",
                metadata: ["task": "\(id)", "provider": "\(task.providerTaskId ?? "-")"])
        default:
            await finish(.failure(uncertain()))
            return false
        }
        if box.current.checkpoint == nil {
            // A cancel the lease keeper found since the first check (a lookup, or a tool the
            // registry does not know yet, can take seconds): nothing is submitted.
            if box.isCancelRequested {
                await cancel()
                return false
            }
            box.change { $0.state = .submitting }
            guard await save() else { return false }
        }
        return true
    }

    /// The job succeeded and its result is stored: a failed download is tried again from it,
    /// never by submitting again, up to `downloadRounds` runs in all.
    @inline(never)
    private func retryingDownloads(after first: Ending) async -> Ending {
        var ending = first
        var round = 1
        while case .finished(.failure(let error)) = ending, error.code == .downloadFailed,
            box.current.checkpoint?.result != nil, round < worker.configuration.downloadRounds,
            !signals.isStopping
        {
            logger.warning(
                "downloading the outputs failed; trying again from the stored result (no new provider job)",
                metadata: ["task": "\(id)", "round": "\(round)", "error": "\(error.message)"])
            guard (try? await Task.sleep(for: worker.configuration.downloadRetryDelay)) != nil else {
                return .stopping
            }
            round += 1
            ending = await run()
        }
        return ending
    }

    /// Stores how the run ended, cancels the provider job on request, or leaves the task to
    /// the worker that resumes it.
    @inline(never)
    private func conclude(_ ending: Ending) async {
        switch ending {
        case .finished(let outcome): await finish(outcome)
        case .cancelRequested:
            if let latest = try? await worker.stores.call(
                "reading the task", running: 0,
                { [store, id] in
                    try await store.task(id: id)
                })
            {
                box.change { $0 = latest }
            }
            await cancel()
        case .stopping: logger.info("handing the task back at shutdown", metadata: ["task": "\(id)"])
        case .leaseLost:
            logger.info(
                "another worker took the task over (this worker's lease lapsed)",
                metadata: ["task": "\(id)"])
        }
    }

    /// What the driver needs of a tool method: how an interrupted submit may be recovered.
    private struct SubmitRecovery: Sendable {
        /// `submit.idempotencyHeader`: sent again with the same key.
        var resubmits: Bool
        /// `submit.reconcile`: looked up by the client reference.
        var reconciles: Bool
    }

    /// Looks the task's tool method up. A tool this worker does not know yet (added after its
    /// registry was read, and not yet seen through a reload) is waited for up to
    /// `unknownToolGrace`, keeping the lease, before the task fails with `TOOL_NOT_FOUND`.
    /// - Returns: nil when the worker is stopping meanwhile (the task is handed back) or the
    ///   lease was lost.
    @inline(never)
    private func lookUp() async throws -> SubmitRecovery? {
        let deadline = ContinuousClock.now + worker.configuration.unknownToolGrace
        let found = try await keepingLease {
            [worker, id, tool, signals, logger] () async throws -> SubmitRecovery? in
            var waiting = false
            while true {
                do {
                    let submit = try await worker.pollster.registry.method(named: tool).plan.submit
                    return SubmitRecovery(
                        resubmits: submit.idempotencyHeader != nil, reconciles: submit.reconcile != nil)
                } catch let error as PollsterError
                    where error.code == .toolNotFound && ContinuousClock.now < deadline
                {
                    if signals.isStopping { return nil }
                    if !waiting {
                        logger.info(
                            "tool not known to this worker yet; waiting for its registry to catch up",
                            metadata: ["task": "\(id)", "tool": "\(tool)"])
                        waiting = true
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
        guard case .done(let recovery) = found else { return nil }
        return recovery
    }

    /// How `keepingLease` ended.
    private enum Leased<Value: Sendable>: Sendable {
        case done(Value)
        case lost
    }

    /// Runs `body` — what the worker waits on before the engine runs (a tool not known yet, a
    /// reconcile lookup) while the lease keeper renews the lease — unless the lease is lost first.
    /// - Returns: what `body` returned, or `.lost` when a renewal found the lease gone
    ///   (`body` is cancelled then).
    /// - Throws: what `body` throws; `CancellationError` when cancelled.
    private func keepingLease<Value: Sendable>(
        _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Leased<Value> {
        try await withThrowingTaskGroup(of: Leased<Value>?.self) { group in
            group.addTask { .done(try await body()) }
            group.addTask { [box] in await box.interruption(among: [.leaseLost]).map { _ in .lost } }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let next { return next }
            }
            throw CancellationError()
        }
    }

    /// Runs the engine until it ends, or the lease keeper finds the lease lost or a cancel
    /// requested, or the worker stops and the task can be resumed by another.
    ///
    /// Two tasks while the job runs: this one, which saves what the engine's events make worth
    /// saving, and the engine's call. An interruption ends the event stream, without a task of
    /// its own waiting for it, and the engine's call is cancelled. A save under way then is
    /// finished first (within the store's timeout); the events after it are not saved.
    @inline(never)
    private func run() async -> Ending {
        let (events, continuation) = AsyncStream.makeStream(of: ToolEvent.self)
        let wanted: Set<RecordBox.Interruption> = [.leaseLost, .cancelRequested, .stopping]
        if let now = box.whenInterrupted(among: wanted, { continuation.finish() }) { return Ending(now) }
        return await withTaskGroup(of: Ending.self) { group in
            group.addTask { await self.invoke(events: continuation) }
            var ended = false
            for await event in events {
                if case .finished = event { ended = true }
                if record(event) && !box.isInterrupted { _ = await save() }
            }
            // An engine whose last event came keeps its ending, whatever came since.
            if let interruption = box.stopWaiting(), !ended {
                group.cancelAll()
                return Ending(interruption)
            }
            // The engine closed the stream (or this task was cancelled, and the engine's call with it).
            return await group.next() ?? .stopping
        }
    }

    /// Runs the engine on the task, resumed from its checkpoint if it has one; its events go to
    /// `events`, which it closes when it ends.
    @inline(never)
    private func invoke(events: AsyncStream<ToolEvent>.Continuation) async -> Ending {
        let (tool, input) = (tool, box.input)
        do {
            return .finished(
                .success(
                    try await worker.pollster.invoke(
                        tool, input: input, options: invokeOptions(events: events))))
        } catch {
            return .finished(.failure(error))
        }
    }

    /// The options of the engine's call: the task's own, its checkpoint, and the hooks that
    /// store the submit's answer and the job's result before the engine goes on.
    @inline(never)
    private func invokeOptions(events: AsyncStream<ToolEvent>.Continuation) -> InvokeOptions {
        let snapshot = box.current
        var options = InvokeOptions(
            outputDirectory: "\(worker.configuration.filesDirectory)/\(snapshot.id)",
            baseUrlOverride: snapshot.options.baseUrlOverride,
            pollInterval: snapshot.options.pollIntervalSeconds.map { .milliseconds(Int64($0 * 1000)) },
            maxWait: snapshot.options.maxWaitSeconds.map { .milliseconds(Int64($0 * 1000)) },
            idempotencyKey: snapshot.idempotencyKey, events: events)
        options.resume = snapshot.checkpoint
        // Saved with the next record the poll's event makes worth saving.
        options.onPolled = { [box] progress in box.change { $0.checkpoint?.polling = progress } }
        options.onResult = { [self] result in
            box.change {
                $0.checkpoint?.result = result
                $0.state = .downloading
            }
            guard await saveDurably() else { throw CancellationError() }
        }
        options.onAccepted = { [self] checkpoint in
            box.change {
                $0.checkpoint = checkpoint
                $0.state = .running
            }
            guard await saveDurably() else { throw CancellationError() }
            box.markAccepted()
        }
        if snapshot.checkpoint != nil { box.markAccepted() }
        return options
    }

    /// Applies an engine event to the record; true when it is worth saving.
    @inline(never)
    private func record(_ event: ToolEvent) -> Bool {
        switch event {
        case .polled(_, _, let status, let progress, let error):
            let before = box.current
            box.change {
                $0.polls += 1
                if error == nil {
                    $0.providerStatus = status ?? $0.providerStatus
                    $0.progress = progress ?? $0.progress
                }
            }
            let after = box.current
            // Status or progress changed; else every 10th poll keeps the count roughly current.
            return before.providerStatus != after.providerStatus || before.progress != after.progress
                || after.polls % 10 == 1
        case .downloading where box.current.state != .downloading:
            box.change { $0.state = .downloading }
            return true
        default:
            return false
        }
    }

    /// Cancels the provider job, if there is one, and marks the task canceled.
    @inline(never)
    private func cancel() async {
        let current = box.current
        var message = "canceled on request"
        if current.state == .submitting && current.checkpoint == nil {
            message += "; its submit was interrupted, so a provider job may exist: check the provider"
        } else if current.state == .downloading || current.checkpoint?.result != nil {
            // The provider's job has succeeded: a cancel there could only delete its outputs
            // (Runway's DELETE does), so nothing is sent.
            message += "; the provider job had already succeeded, so it was left alone there"
        } else if let providerTaskId = current.providerTaskId {
            let response = current.checkpoint.flatMap { try? JSONParser.parse($0.body) }
            do {
                let result = try await worker.pollster.cancel(
                    current.tool, taskId: providerTaskId, response: response,
                    baseUrlOverride: current.options.baseUrlOverride)
                message +=
                    result.confirmed
                    ? "; the provider confirmed it (HTTP \(result.httpStatus))"
                    : "; the provider did not confirm it (HTTP \(result.httpStatus)), its job \(providerTaskId) may still run"
            } catch {
                message += "; the provider job \(providerTaskId) may still run: \(error.message)"
            }
        }
        await finish(.failure(PollsterError(.taskCanceled, "\(current.tool): \(message)")))
    }

    @inline(never)
    private func finish(_ outcome: Result<ToolResult, PollsterError>) async {
        box.change { task in
            switch outcome {
            case .success(let result):
                task.state = .succeeded
                task.result = result
                task.progress = 100
                task.error = nil
            case .failure(let error):
                task.state = TaskState.after(error.code)
                task.error = TaskError(error)
            }
            task.finishedAt = Date()
        }
        if await saveDurably() {
            logger.info(
                "task finished",
                metadata: [
                    "task": "\(id)", "tool": "\(tool)", "state": "\(box.current.state.rawValue)",
                ])
        }
    }

    /// Finds the job of a submit the previous worker sent but never stored the answer of, by
    /// the task's client reference, and stores it as the task's checkpoint.
    /// - Returns: true when the job was found and stored (the task resumes from it).
    @inline(never)
    private func reconcile() async -> Bool {
        do {
            let task = box.current
            let found = try await keepingLease { [worker, task] in
                try await worker.pollster.findSubmitted(
                    task.tool, input: task.input, reference: task.idempotencyKey,
                    baseUrlOverride: task.options.baseUrlOverride)
            }
            guard case .done(let job) = found else {
                logger.info(
                    "another worker took the task over while its job was looked up; leaving it to that worker",
                    metadata: ["task": "\(id)"])
                return false
            }
            guard let checkpoint = job else { return false }
            logger.notice(
                "found the provider job of an interrupted submit by its client reference; resuming it",
                metadata: ["task": "\(id)", "provider": "\(checkpoint.providerTaskId ?? "-")"])
            box.change {
                $0.checkpoint = checkpoint
                $0.state = .running
            }
            return await saveDurably()
        } catch let error as PollsterError {
            // Stopping: hand the task back as it is; the next worker looks again.
            if Task.isCancelled || signals.isStopping || error.code == .canceled { return false }
            await finish(.failure(uncertain(lookup: error.message)))
            return false
        } catch {
            return false  // cancelled (nothing else is thrown): as when stopping
        }
    }

    @inline(never)
    private func uncertain(lookup: String? = nil) -> PollsterError {
        PollsterError(
            .submitUncertain,
            "\(tool): the worker running task \(id) stopped after storing 'submitting' and before storing the provider's answer, so a provider job may exist.\(lookup.map { " \($0)." } ?? "") It was not submitted again, to avoid a second paid job; check the provider, then `pollster retry \(id)` if needed, or declare submit.idempotencyHeader (or submit.reconcile) so this resolves itself"
        )
    }

    /// Saves the record under this worker's lease; false when the lease is gone.
    private func save() async -> Bool {
        await attemptSave() == .saved
    }

    /// Saves what must not be lost — the provider's answer, the job's result, the final
    /// outcome — trying again through a store outage until it is stored, the lease is gone
    /// (another worker has the task), the worker is shutting down or the driver is cancelled.
    /// Whatever is not saved is found again by the worker that resumes the task from its lease.
    private func saveDurably() async -> Bool {
        while true {
            switch await attemptSave() {
            case .saved: return true
            case .leaseLost: return false
            case .storeFailed:
                if signals.isStopping { return false }
                guard (try? await Task.sleep(for: .seconds(1))) != nil else { return false }
            }
        }
    }

    private enum SaveOutcome { case saved, leaseLost, storeFailed }

    @inline(never)
    private func attemptSave() async -> SaveOutcome {
        do {
            let saved = try await worker.stores.call("saving a task", running: signals.drivingCount, saving())
            if !saved { logNotSaved() }
            return saved ? .saved : .leaseLost
        } catch is CancellationError {
            return .leaseLost
        } catch {
            logSaveFailed(error)
            return .storeFailed
        }
    }

    // Synchronous and not inlined: the record and the log lines' temporaries stay out of the
    // async frame of `attemptSave()`, which a task keeps for as long as it runs.

    /// The store call that saves the record as it is now.
    @inline(never)
    private func saving() -> @Sendable () async throws -> Bool {
        box.change { $0.updatedAt = Date() }
        return { [store, worker, record = box.current] in
            try await store.save(record, worker: worker.configuration.id)
        }
    }

    @inline(never)
    private func logNotSaved() {
        logger.info("not saved: another worker holds the task now", metadata: ["task": "\(id)"])
    }

    @inline(never)
    private func logSaveFailed(_ error: any Error) {
        // The outage itself is reported once by the store guard.
        logger.debug("saving the task failed: \(error)", metadata: ["task": "\(id)"])
    }
}
