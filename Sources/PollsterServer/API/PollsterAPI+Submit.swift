import Crypto
import Foundation
import HTTPTypes
import Pollster
import PollsterCore
import ServiceLifecycle

extension PollsterAPI {
    /// `POST /v1/tools/{name}/tasks`: validate, store (once per idempotency key), answer 202 — or
    /// 200 with the finished task when `Prefer: wait=N` and it finished in time.
    func createTask(_ input: Operations.CreateTask.Input) async throws -> Operations.CreateTask.Output {
        let tenant = try tenant
        let tool = input.path.name
        guard case .json(let request) = input.body else {
            throw APIProblem(.unsupportedMediaType, code: "BAD_REQUEST", "send the task as application/json")
        }
        let value = try TaskView.json(request.input)
        if let priority = request.priority, !(-1000...1000).contains(priority) {
            throw APIProblem(
                .unprocessableContent, code: "INVALID_INPUT",
                "priority must be from -1000 to 1000, got \(priority)")
        }
        if let webhook = request.webhook { try await checkWebhook(webhook) }
        let key = input.headers.idempotencyKey
        // Only an idempotency key needs the request's digest.
        let bodyHash = key == nil ? "" : Self.hash(tool: tool, request: request)
        var task: TaskRecord
        var created = true
        if let key {
            // The key is reserved (with the id its task will have) before any task exists, so
            // requests racing with one key converge on one task: the store refuses a second
            // task with that id. Nothing is ever created only to be canceled.
            let held = try await reserve(key, tenant: tenant, bodyHash: bodyHash)
            guard held.bodyHash == bodyHash else { throw Self.idempotencyConflict(held) }
            (task, created) = try await taskOnce(id: held.taskID) {
                try await self.create(tool, value, request, tenant: tenant, id: held.taskID)
            }
        } else {
            task = try await create(tool, value, request, tenant: tenant, id: nil)
        }
        if created, let webhook = request.webhook, task.webhookURL == webhook {
            try await state.addWebhook(taskID: task.id, url: webhook, now: Date())
        }
        if let wait = Self.preferredWait(input.headers.prefer, max: configuration.maxPreferWait) {
            // Graceful shutdown ends the wait (the task as it stands, 202): the listener waits for
            // every open request. A wait cut short in a store read answers with the task as stored.
            do {
                task = try await cancelWhenGracefulShutdown {
                    [service, task, checkEvery = configuration.eventsCheckEvery] in
                    try await service.wait(task.id, timeout: wait, checkEvery: checkEvery)
                }
            } catch let error as PollsterError where error.code == .canceled {}
            if task.state.isFinished { return .ok(.init(body: .json(TaskView.task(task)))) }
        }
        return .accepted(.init(body: .json(TaskView.task(task))))
    }

    /// Refuses a submit (429 `TOO_MANY_TASKS`) when the tenant already has
    /// `maxTasksPerTenant` unfinished tasks. Submits racing each other may pass it by a few.
    private func checkTasksInFlight(of tenant: Tenant) async throws {
        let limit = configuration.maxTasksPerTenant
        guard limit > 0 else { return }
        let unfinished = Set(TaskState.allCases.filter { !$0.isFinished })
        let inFlight = try await service.count(
            TaskQuery(states: unfinished, owner: tenant.name, limit: limit))
        guard inFlight < limit else {
            throw APIProblem(
                .tooManyRequests, code: "TOO_MANY_TASKS",
                "tenant \(tenant.name) has \(limit) unfinished tasks, its limit; submit again when some have finished (or cancel some)"
            )
        }
    }

    /// The idempotency record of `key`: the one stored, or a new one naming the id its task will have.
    private func reserve(_ key: String, tenant: Tenant, bodyHash: String) async throws -> IdempotencyRecord {
        if let held = try await state.idempotency(tenant: tenant.name, key: key) { return held }
        return try await state.recordIdempotency(
            IdempotencyRecord(
                tenant: tenant.name, key: key, bodyHash: bodyHash, taskID: UUID().uuidString.lowercased()))
    }

    /// Stores a new task after the tenant's limit check.
    private func create(
        _ tool: String, _ input: JSONValue, _ request: Components.Schemas.TaskRequest, tenant: Tenant,
        id: String?
    ) async throws -> TaskRecord {
        try await checkTasksInFlight(of: tenant)
        let task = try await service.submit(
            tool, input: input, options: configuration.taskOptions, priority: request.priority ?? 0,
            owner: tenant.name, webhookURL: request.webhook, id: id)
        metrics.submitted(tool: tool)
        return task
    }

    /// The task an idempotency key reserved: the stored one, or created now by `create` — unless
    /// a concurrent request with the same key stores it first (`CONFLICT`), then theirs.
    /// - Returns: the task, and whether this request created it.
    private func taskOnce(id: String, create: () async throws -> TaskRecord) async throws -> (
        TaskRecord, Bool
    ) {
        if let stored = try await existingTask(id) { return (stored, false) }
        do {
            return (try await create(), true)
        } catch let error as PollsterError where error.code == .conflict {
            guard let stored = try await existingTask(id) else { throw error }
            return (stored, false)
        }
    }

    /// The tenant's task with `id`, if there is one.
    private func existingTask(_ id: String) async throws -> TaskRecord? {
        do {
            return try await visibleTask(id)
        } catch let problem as APIProblem where problem.code == PollsterError.Code.taskNotFound.rawValue {
            return nil
        }
    }

    /// 409 for a key used before with a different request.
    private static func idempotencyConflict(_ held: IdempotencyRecord) -> APIProblem {
        APIProblem(
            .conflict, code: "IDEMPOTENCY_CONFLICT",
            "this Idempotency-Key was used with a different request (task \(held.taskID)); use a new key")
    }

    /// A webhook URL must be http(s) and pass the URL policy (no private addresses unless allowed).
    private func checkWebhook(_ url: String) async throws {
        do {
            _ = try await configuration.webhookPolicy.check(url, allowHosts: nil, purpose: "send webhooks to")
        } catch let error as PollsterError {
            throw APIProblem(.unprocessableContent, code: error.code.rawValue, "webhook: \(error.message)")
        }
    }

    /// SHA-256 of the tool and the request in canonical JSON (sorted keys).
    static func hash(tool: String, request: Components.Schemas.TaskRequest) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(request)) ?? Data()
        return Hex.lowercase(SHA256.hash(data: Array(tool.utf8) + [0] + Array(body)))
    }

    /// `wait=N` of a `Prefer` header (RFC 7240), capped at `max`.
    static func preferredWait(_ header: String?, max: Duration) -> Duration? {
        guard let header else { return nil }
        for preference in header.split(whereSeparator: { $0 == "," || $0 == ";" }) {
            let parts = preference.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2, parts[0].lowercased() == "wait", let seconds = Double(parts[1]),
                seconds.isFinite, seconds > 0
            else { continue }
            return min(.milliseconds(Int64(seconds * 1000)), max)
        }
        return nil
    }
}
