import Foundation
import Logging
import MCP
import Pollster
import PollsterCore
import Synchronization

/// What the handlers of one MCP session share: the SDK server, the task service, the tasks whose
/// status the client is told about, and the way cancels reach the store.
final class MCPSession: Sendable {
    let server: Server
    let service: TaskService
    let configuration: PollsterMCPServer.Configuration
    let catalog: ToolCatalog
    let logger: Logger
    /// Ids of tasks to cancel: handled by a child task of the session that is never cancelled
    /// itself (a cancelled request handler cannot reach the store any more).
    let cancels: AsyncStream<String>.Continuation
    /// Task-augmented tasks still running → the last status sent for them.
    private let watched = Mutex<[String: Value]>([:])
    private let stopping = Atomic<Bool>(false)
    /// `tools/call` requests running (a session waiting on one is not idle).
    private let calls = Atomic<Int>(0)

    init(
        server: Server, service: TaskService, configuration: PollsterMCPServer.Configuration,
        cancels: AsyncStream<String>.Continuation, logger: Logger
    ) {
        self.server = server
        self.service = service
        self.configuration = configuration
        self.catalog = ToolCatalog(registry: service.pollster.registry, naming: configuration.naming)
        self.cancels = cancels
        self.logger = logger
    }

    /// Registers every handler on the server (before `start`).
    func register() async {
        await server.withMethodHandler(ListToolsMethod.self) { _ in try await self.catalog.list() }
        await server.withMethodHandler(CallToolMethod.self) { params in
            self.calls.add(1, ordering: .relaxed)
            defer { self.calls.subtract(1, ordering: .relaxed) }
            return try await self.callTool(params)
        }
        await server.withMethodHandler(GetTaskMethod.self) { params in try await self.getTask(params) }
        await server.withMethodHandler(TaskResultMethod.self) { params in try await self.taskResult(params) }
        await server.withMethodHandler(ListTasksMethod.self) { params in try await self.listTasks(params) }
        await server.withMethodHandler(CancelTaskMethod.self) { params in try await self.cancelTask(params) }
        await server.withMethodHandler(ListResourcesMethod.self) { params in
            try await self.listResources(params)
        }
        await server.withMethodHandler(ListResourceTemplatesMethod.self) { _ in Self.resourceTemplates() }
        await server.withMethodHandler(ReadResourceMethod.self) { params in
            try await self.readResource(params)
        }
    }

    /// `tasks/get`.
    func getTask(_ params: Value) async throws -> Value {
        TaskSummary.task(try await task(params))
    }

    /// `resources/templates/list`: the one template of task files.
    static func resourceTemplates() -> Value {
        let template: Value = [
            "uriTemplate": .string(FileResourceURI.template), "name": "task-file",
            "description": "Output file {index} of durable task {taskId}.",
        ]
        return ["resourceTemplates": [template]]
    }

    /// Starts telling the client about `task` with `notifications/tasks/status`.
    func watch(_ task: TaskRecord) {
        setWatched(task.id, Self.statusKey(TaskSummary.task(task)))
    }

    /// Whether a `tools/call` of this session is running.
    var isCalling: Bool { calls.load(ordering: .relaxed) > 0 }

    /// Ends `watchStatuses`.
    func stop() { stopping.store(true, ordering: .relaxed) }

    /// Runs `watchStatuses` and `watchTools` until `stop()` or cancellation.
    func watch() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.watchStatuses() }
            group.addTask { await self.watchTools() }
        }
    }

    /// Sends `notifications/tools/list_changed` when the registry's tool list changes (a live
    /// registry: PostgreSQL rows edited by an admin), reading it every `toolsCheckEvery`.
    func watchTools() async {
        var last = try? await catalog.list()
        var waited = Duration.zero
        while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
            try? await Task.sleep(for: configuration.checkEvery)
            waited += configuration.checkEvery
            guard waited >= configuration.toolsCheckEvery else { continue }
            waited = .zero
            guard let now = try? await catalog.list(), now != last else { continue }
            last = now
            do {
                try await server.notify(ToolListChangedNotification.message())
            } catch {
                logger.debug("tools/list_changed notification failed: \(error)")
            }
        }
    }

    /// Sends `notifications/tasks/status` whenever a watched task's status or message changes,
    /// until `stop()` or cancellation.
    func watchStatuses() async {
        // What the checks of each task have seen: a task is read whole only when it changed.
        var follows: [String: TaskFollow] = [:]
        while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
            try? await Task.sleep(for: configuration.checkEvery)
            let watching = watchedNow()
            follows = follows.filter { watching[$0.key] != nil }
            // Their update times are read together: one refresh of the service serves them all.
            for (id, last) in watching {
                let task: TaskRecord?
                do {
                    task = try await service.changed(id, &follows[id, default: TaskFollow()])
                } catch {
                    // A task that is gone is no longer watched; after a store error it is read
                    // again next time, so an outage does not end its notifications.
                    if error.code == .taskNotFound { stopWatching(id) }
                    logger.debug("watching task \(id) failed: \(error)")
                    continue
                }
                if let task { await notify(task, last: last) }
            }
        }
    }

    /// The watched tasks and what was last sent for each.
    private func watchedNow() -> [String: Value] {
        watched.withLock { state in state }
    }

    /// Notifies the client when `task` changed since `last`.
    private func notify(_ task: TaskRecord, last: Value) async {
        let now = TaskSummary.task(task)
        let key = Self.statusKey(now)
        guard key != last else { return }
        if task.state.isFinished {
            stopWatching(task.id)
        } else {
            setWatched(task.id, key)
        }
        do {
            try await server.notify(TaskStatusNotification.message(now))
        } catch {
            logger.debug("task status notification failed: \(error)")
        }
    }

    /// Remembers `key` as what was last sent for task `id`.
    private func setWatched(_ id: String, _ key: Value) {
        watched.withLock { $0[id] = key }
    }

    /// Stops watching task `id`. Its own function, not `setWatched(id, nil)`: MCP's `Value` is
    /// `ExpressibleByNilLiteral`, so a `nil` there can become `Value.null` and keep the task
    /// watched (it did: every finished task stayed watched for the whole session).
    private func stopWatching(_ id: String) {
        _ = watched.withLock { $0.removeValue(forKey: id) }
    }

    /// What a status notification reports: status and message.
    private static func statusKey(_ task: Value) -> Value {
        .array([task["status"] ?? .null, task["statusMessage"] ?? .null])
    }

    /// The task named by `params.taskId`.
    /// - Throws: `-32602` when there is no such task.
    func task(_ params: Value) async throws -> TaskRecord {
        guard let id = params["taskId"]?.stringValue else {
            throw MCPError.invalidParams("taskId is required")
        }
        switch await outcome({ () async throws(PollsterError) in try await service.status(id) }) {
        case .success(let task): return task
        case .failure(let error) where error.code == .taskNotFound:
            throw MCPError.invalidParams("no task \(id)")
        case .failure(let error): throw error
        }
    }

    /// The result of `body` as a value (typed `catch` clauses crash the 6.3 compiler here).
    func outcome<T>(_ body: () async throws(PollsterError) -> T) async -> Result<T, PollsterError> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }
}
