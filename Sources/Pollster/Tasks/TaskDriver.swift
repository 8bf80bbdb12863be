import Foundation
import Logging
import PollsterCore

/// Drives one claimed task to its next resting point: finished, handed back at shutdown, or
/// dropped because another worker took the lease over.
struct TaskDriver {
    let worker: TaskWorker
    /// The task as claimed.
    let task: TaskRecord
    /// The task as it goes, and what the worker tells the driver (`LeaseKeeper`, shutdown).
    let box: RecordBox
    let signals: WorkerSignals

    init(worker: TaskWorker, box: RecordBox, signals: WorkerSignals) {
        self.worker = worker
        self.task = box.current
        self.box = box
        self.signals = signals
    }

    private var store: any TaskStore { worker.store }
    private var logger: Logger { worker.logger }

    /// How the run of the engine ended.
    private enum Ending: Sendable {
        case finished(Result<ToolResult, PollsterError>)
        case cancelRequested
        case stopping
        case leaseLost
    }

    func drive() async {
        let method: ToolMethod
        do {
            guard let found = try await lookUp() else { return }
            method = found
        } catch {
            let failure = PollsterError.mapping(
                error, "\(task.tool): the registry could not be read", from: .registry)
            await finish(.failure(failure))
            return
        }
        if task.cancelRequested {
            await cancel()
            return
        }
        switch task.state {
        case .queued:
            if signals.isStopping { return }
        case .submitting where method.plan.submit.idempotencyHeader != nil:
            logger.notice(
                "resubmitting with the same idempotency key after the previous worker stopped mid-submit",
                metadata: ["task": "\(task.id)"])
        case .submitting where task.checkpoint == nil && method.plan.submit.reconcile != nil:
            guard await reconcile() else { return }
        case .running where task.checkpoint != nil, .downloading where task.checkpoint != nil:
            logger.info(
                "resuming the task from its checkpoint (its previous worker stopped or lost the lease)",
                metadata: ["task": "\(task.id)", "provider": "\(task.providerTaskId ?? "-")"])
        default:
            await finish(.failure(uncertain()))
            return
        }
        if box.current.checkpoint == nil {
            box.change { $0.state = .submitting }
            guard await save() else { return }
        }
        var ending = await run()
        var round = 1
        // The job succeeded and its result is stored: a failed download is tried again from it,
        // never by submitting again.
        while case .finished(.failure(let error)) = ending, error.code == .downloadFailed,
            box.current.checkpoint?.result != nil, round < worker.configuration.downloadRounds,
            !signals.isStopping
        {
            logger.warning(
                "downloading the outputs failed; trying again from the stored result (no new provider job)",
                metadata: ["task": "\(task.id)", "round": "\(round)", "error": "\(error.message)"])
            guard (try? await Task.sleep(for: worker.configuration.downloadRetryDelay)) != nil else { return }
            round += 1
            ending = await run()
        }
        if Task.isCancelled { return }
        switch ending {
        case .finished(let outcome): await finish(outcome)
        case .cancelRequested:
            if let latest = try? await worker.stores.call(
                "reading the task", running: 0,
                { [store, task] in
                    try await store.task(id: task.id)
                })
            {
                box.change { $0 = latest }
            }
            await cancel()
        case .stopping: logger.info("handing the task back at shutdown", metadata: ["task": "\(task.id)"])
        case .leaseLost:
            logger.info(
                "another worker took the task over (this worker's lease lapsed)",
                metadata: ["task": "\(task.id)"])
        }
    }

    /// The task's tool method. A tool this worker does not know yet (added after its registry
    /// was read, and not yet seen through a reload) is waited for up to `unknownToolGrace`,
    /// keeping the lease, before the task fails with `TOOL_NOT_FOUND`.
    /// - Returns: nil when the worker is stopping meanwhile (the task is handed back) or the
    ///   lease was lost.
    private func lookUp() async throws -> ToolMethod? {
        let deadline = ContinuousClock.now + worker.configuration.unknownToolGrace
        let found = try await keepingLease { [worker, task, signals, logger] () async throws -> ToolMethod? in
            var waiting = false
            while true {
                do {
                    return try await worker.pollster.registry.method(named: task.tool)
                } catch let error as PollsterError
                    where error.code == .toolNotFound && ContinuousClock.now < deadline
                {
                    if signals.isStopping { return nil }
                    if !waiting {
                        logger.info(
                            "tool not known to this worker yet; waiting for its registry to catch up",
                            metadata: ["task": "\(task.id)", "tool": "\(task.tool)"])
                        waiting = true
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
        guard case .done(let method) = found else { return nil }
        return method
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
    private func run() async -> Ending {
        await withTaskGroup(of: Ending.self) { group in
            group.addTask { await invoke() }
            group.addTask {
                switch await box.interruption(among: [.leaseLost, .cancelRequested, .stopping]) {
                case .leaseLost: .leaseLost
                case .cancelRequested: .cancelRequested
                case .stopping, nil: .stopping
                }
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
    }

    private func invoke() async -> Ending {
        let snapshot = box.current
        let (events, continuation) = AsyncStream.makeStream(of: ToolEvent.self)
        var options = InvokeOptions(
            outputDirectory: "\(worker.configuration.filesDirectory)/\(snapshot.id)",
            baseUrlOverride: snapshot.options.baseUrlOverride,
            pollInterval: snapshot.options.pollIntervalSeconds.map { .milliseconds(Int64($0 * 1000)) },
            maxWait: snapshot.options.maxWaitSeconds.map { .milliseconds(Int64($0 * 1000)) },
            idempotencyKey: snapshot.idempotencyKey, events: continuation)
        options.resume = snapshot.checkpoint
        // Saved with the next record the poll's event makes worth saving.
        options.onPolled = { progress in box.change { $0.checkpoint?.polling = progress } }
        options.onResult = { result in
            box.change {
                $0.checkpoint?.result = result
                $0.state = .downloading
            }
            guard await saveDurably() else { throw CancellationError() }
        }
        options.onAccepted = { checkpoint in
            box.change {
                $0.checkpoint = checkpoint
                $0.state = .running
            }
            guard await saveDurably() else { throw CancellationError() }
            box.markAccepted()
        }
        if snapshot.checkpoint != nil { box.markAccepted() }
        async let outcome = worker.pollster.invoke(snapshot.tool, input: snapshot.input, options: options)
        for await event in events {
            if record(event) { _ = await save() }
        }
        do {
            return .finished(.success(try await outcome))
        } catch {
            return .finished(.failure(PollsterError.mapping(error, snapshot.tool, from: .transport)))
        }
    }

    /// Applies an engine event to the record; true when it is worth saving.
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
    private func cancel() async {
        let current = box.current
        var message = "canceled on request"
        if current.state == .submitting && current.checkpoint == nil {
            message += "; its submit was interrupted, so a provider job may exist: check the provider"
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
                    "task": "\(task.id)", "tool": "\(task.tool)", "state": "\(box.current.state.rawValue)",
                ])
        }
    }

    /// Finds the job of a submit the previous worker sent but never stored the answer of, by
    /// the task's client reference, and stores it as the task's checkpoint.
    /// - Returns: true when the job was found and stored (the task resumes from it).
    private func reconcile() async -> Bool {
        do {
            let found = try await keepingLease { [worker, task] in
                try await worker.pollster.findSubmitted(
                    task.tool, input: task.input, reference: task.idempotencyKey,
                    baseUrlOverride: task.options.baseUrlOverride)
            }
            guard case .done(let job) = found else {
                logger.info(
                    "another worker took the task over while its job was looked up; leaving it to that worker",
                    metadata: ["task": "\(task.id)"])
                return false
            }
            guard let checkpoint = job else { return false }
            logger.notice(
                "found the provider job of an interrupted submit by its client reference; resuming it",
                metadata: ["task": "\(task.id)", "provider": "\(checkpoint.providerTaskId ?? "-")"])
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

    private func uncertain(lookup: String? = nil) -> PollsterError {
        PollsterError(
            .submitUncertain,
            "\(task.tool): the worker running task \(task.id) stopped after storing 'submitting' and before storing the provider's answer, so a provider job may exist.\(lookup.map { " \($0)." } ?? "") It was not submitted again, to avoid a second paid job; check the provider, then `pollster retry \(task.id)` if needed, or declare submit.idempotencyHeader (or submit.reconcile) so this resolves itself"
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

    private func attemptSave() async -> SaveOutcome {
        box.change { $0.updatedAt = Date() }
        let record = box.current
        do {
            let saved = try await worker.stores.call("saving a task", running: signals.drivingCount) {
                [store, worker] in
                try await store.save(record, worker: worker.configuration.id)
            }
            if !saved {
                logger.info(
                    "not saved: another worker holds the task now", metadata: ["task": "\(task.id)"])
            }
            return saved ? .saved : .leaseLost
        } catch is CancellationError {
            return .leaseLost
        } catch {
            // The outage itself is reported once by the store guard.
            logger.debug("saving the task failed: \(error)", metadata: ["task": "\(task.id)"])
            return .storeFailed
        }
    }
}
