import Foundation
import PollsterCore

/// Durable tasks: submit now, get the result later, from this process or any other that
/// shares the store. Workers (`TaskWorker`) do the running.
///
/// ```swift
/// let tasks = TaskService(store: try SQLiteTaskStore(path: "pollster.sqlite"), pollster: pollster)
/// let task = try await tasks.submit("fal.fast_sdxl", input: ["prompt": "a lighthouse"])
/// // … a worker runs it …
/// let done = try await tasks.wait(task.id, timeout: .seconds(600))
/// ```
public struct TaskService: Sendable {
    /// Where tasks live.
    public let store: any TaskStore
    /// The engine: its registry checks tools and inputs before anything is stored.
    public let pollster: Pollster
    /// The largest input accepted, as JSON bytes.
    public let maxInputBytes: Int
    /// What `wait` and `events` callers follow, read together.
    let watch: TaskWatch

    /// A service over `store`.
    public init(store: any TaskStore, pollster: Pollster, maxInputBytes: Int = 1 << 20) {
        self.store = store
        self.pollster = pollster
        self.maxInputBytes = maxInputBytes
        self.watch = TaskWatch(store: store)
    }

    /// Checks `tool` and `input` (the method's `requestSchema` included) and stores a queued task.
    /// Nothing is stored or sent when a check fails. `owner` and `webhookURL` are kept with the
    /// task for front doors (the HTTP API) that act on them. `id` chooses the task's id (else a new
    /// UUID): two submits with one id store one task, the second fails with `CONFLICT`.
    /// - Throws: `TOOL_NOT_FOUND`, `INVALID_INPUT`, `CONFLICT` when a task with `id` exists, or
    ///   `STORE_ERROR` when the store fails.
    public func submit(
        _ tool: String, input: JSONValue, options: TaskOptions = TaskOptions(), priority: Int = 0,
        owner: String? = nil, runAfter: Date? = nil, webhookURL: String? = nil, id: String? = nil
    ) async throws(PollsterError) -> TaskRecord {
        let size = input.description.utf8.count
        guard size <= maxInputBytes else {
            throw PollsterError(
                .invalidInput,
                "\(tool): the input is \(size) bytes of JSON, more than the \(maxInputBytes)-byte limit; pass large media by URL. Nothing was stored."
            )
        }
        _ = try await pollster.validateInput(tool, input: input)
        var task = TaskRecord(
            tool: tool, input: input, priority: priority, options: options, owner: owner,
            webhookURL: webhookURL)
        if let id { task.id = id }
        if let runAfter { task.runAfter = runAfter }
        try await storing("storing the task") { try await store.insert(task) }
        return task
    }

    /// The task with `id`.
    /// - Throws: `TASK_NOT_FOUND` when there is none.
    public func status(_ id: String) async throws(PollsterError) -> TaskRecord {
        guard let task = try await storing("reading task \(id)", { try await store.task(id: id) }) else {
            throw Self.notFound(id)
        }
        return task
    }

    /// The task with `id` when it was saved since `follow` last saw it (read whole only then), or
    /// nil when it was not. Its stored update time comes from a reading of the store that
    /// started after `follow`'s last check ended, shared with every other task this service's
    /// callers follow (`wait`, `events`, and callers of this method): one small store call for
    /// all of them per refresh. For a caller that checks many tasks over and over.
    ///
    /// ```swift
    /// var follow = TaskFollow()
    /// while true {
    ///     if let task = try await tasks.changed(id, &follow) { print(task.state) }
    ///     try await Task.sleep(for: .milliseconds(200))
    /// }
    /// ```
    /// - Throws: `TASK_NOT_FOUND` when there is none; `STORE_ERROR` when the store cannot be read
    ///   (`follow` still expects the change then); `CANCELED`.
    public func changed(_ id: String, _ follow: inout TaskFollow) async throws(PollsterError) -> TaskRecord? {
        defer { follow.checked = .now }
        let time = try await watch.updateTime(of: id, readSince: follow.checked)
        guard time != follow.saved else { return nil }
        let task = try await status(id)
        follow.saved = time
        return task
    }

    /// Waits until the task is finished or `timeout` has passed, and returns it as it is then.
    /// Its update time is read every `checkEvery`, together with every other task this
    /// service's callers follow (`TaskWatch`); the task is read whole when that changed.
    public func wait(_ id: String, timeout: Duration, checkEvery: Duration = .milliseconds(200))
        async throws(PollsterError) -> TaskRecord
    {
        let deadline = ContinuousClock.now + timeout
        var follow = TaskFollow()
        var last: TaskRecord?
        while true {
            // The first call always reads the task: no update time was seen before it.
            guard let task = try await changed(id, &follow) ?? last else {
                throw PollsterError(.internal, "internal error: task \(id) was never read")
            }
            last = task
            if task.state.isFinished || ContinuousClock.now >= deadline { return task }
            do {
                try await Task.sleep(for: min(checkEvery, deadline - .now))
            } catch {
                return task
            }
        }
    }

    /// The task each time it changes, until it is finished (then the sequence ends).
    public func events(_ id: String, checkEvery: Duration = .milliseconds(200)) -> TaskEvents {
        TaskEvents(service: self, id: id, checkEvery: checkEvery)
    }

    /// Cancels a task. A queued (or uncertain) task is canceled at once; a running one is
    /// marked, and its worker cancels the provider job and records the outcome.
    /// - Returns: the task after the change.
    /// - Throws: `TASK_NOT_FOUND`; `CONFLICT` when it already finished.
    public func cancel(_ id: String) async throws(PollsterError) -> TaskRecord {
        let now = Date()
        let changed = try await storing("canceling task \(id)") {
            try await store.update(id: id) { task in
                guard task.state == .queued || task.state == .submitUncertain else { return }
                task.state = .canceled
                task.error = TaskError(
                    PollsterError(.taskCanceled, "\(task.tool): canceled on request before it was submitted"))
                task.leaseOwner = nil
                task.leaseExpiresAt = nil
                task.finishedAt = now
                task.updatedAt = now
            }
        }
        guard let changed else { throw Self.notFound(id) }
        if changed.state == .canceled { return changed }
        if changed.state.isFinished {
            throw PollsterError(
                .conflict,
                "task \(id) already finished (\(changed.state.rawValue)); there is nothing to cancel")
        }
        _ = try await storing("canceling task \(id)") { try await store.requestCancel(id: id) }
        return try await status(id)
    }

    /// Queues a failed, timed-out, canceled or uncertain task again as a new attempt: a new
    /// provider job with a new idempotency key. The earlier attempt goes into `history`.
    ///
    /// A task whose job succeeded but whose outputs could not be downloaded (`DOWNLOAD_FAILED`
    /// with its result stored) keeps its provider job: the new attempt only downloads again.
    /// - Throws: `TASK_NOT_FOUND`; `CONFLICT` when the task is not in a retryable state.
    public func retry(_ id: String) async throws(PollsterError) -> TaskRecord {
        let now = Date()
        let changed = try await storing("retrying task \(id)") {
            try await store.update(id: id) { task in
                guard task.state.isRetryable else {
                    throw PollsterError(
                        .conflict,
                        "task \(id) is \(task.state.rawValue); only failed, timed_out, canceled or submit_uncertain tasks can be retried"
                    )
                }
                task.history.append(
                    TaskAttempt(
                        attempt: task.attempt, state: task.state, providerTaskId: task.providerTaskId,
                        polls: task.polls, error: task.error, finishedAt: task.finishedAt))
                task.attempt += 1
                task.state = .queued
                let downloadOnly = task.error?.code == .downloadFailed && task.checkpoint?.result != nil
                if !downloadOnly {
                    task.idempotencyKey = UUID().uuidString.lowercased()
                    task.checkpoint = nil
                    task.providerStatus = nil
                    task.progress = nil
                    task.polls = 0
                }
                task.error = nil
                task.result = nil
                task.leaseOwner = nil
                task.leaseExpiresAt = nil
                task.cancelRequested = false
                task.runAfter = now
                task.finishedAt = nil
                task.updatedAt = now
            }
        }
        guard let changed else { throw Self.notFound(id) }
        return changed
    }

    /// Tasks matching `query`, newest first.
    public func list(_ query: TaskQuery = TaskQuery()) async throws(PollsterError) -> [TaskRecord] {
        try await storing("listing tasks") { try await store.list(query) }
    }

    /// How many tasks `list(query)` returns, counted without reading them (a row whose record
    /// cannot be read is counted, though `list` leaves it out).
    public func count(_ query: TaskQuery) async throws(PollsterError) -> Int {
        try await storing("counting tasks") { try await store.count(query) }
    }

    /// Deletes tasks that finished before `date`, and their output files.
    /// - Returns: how many were deleted.
    public func purge(finishedBefore date: Date) async throws(PollsterError) -> Int {
        let removed = try await storing("deleting old tasks") { try await store.deleteFinished(before: date) }
        for task in removed {
            for path in task.result?.files.compactMap(\.path) ?? [] {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        return removed.count
    }

    static func notFound(_ id: String) -> PollsterError {
        PollsterError(
            .taskNotFound, "no task \(id) in the task store; check the id (pollster tasks lists them)")
    }

    /// Checks that the store answers within `limit` (readiness checks): a database that stopped
    /// answering must make a probe fail, not hang it.
    /// - Throws: `STORE_ERROR`.
    public func checkStore(within limit: Duration = .seconds(2)) async throws(PollsterError) {
        let store = self.store
        do {
            // Counted, not read: one task whose record cannot be read must not fail the check.
            _ = try await StoreGuard.withTimeout(limit) { try await store.count(TaskQuery(limit: 1)) }
        } catch {
            throw StoreGuard.storeError("a readiness check", error, timeout: limit)
        }
    }

    private func storing<T>(_ what: String, _ body: () async throws -> T) async throws(PollsterError) -> T {
        do {
            return try await body()
        } catch {
            throw PollsterError.mapping(error, "task store: \(what) failed", from: .store)
        }
    }
}
