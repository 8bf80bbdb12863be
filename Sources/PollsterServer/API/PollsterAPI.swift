import Foundation
import HTTPTypes
import OpenAPIRuntime
import Pollster
import PollsterCore

/// The generated `APIProtocol`: the JSON operations of openapi.yaml over a `TaskService`.
/// Handlers throw `APIProblem` or `PollsterError`; `ProblemMiddleware` renders them.
struct PollsterAPI: APIProtocol {
    let service: TaskService
    let state: any ServerStore
    let configuration: PollsterServer.Configuration
    let metrics: ServerMetrics

    var registry: any ToolRegistry { service.pollster.registry }

    /// The caller (always set by `AuthMiddleware`).
    var tenant: Tenant {
        get throws {
            guard let tenant = Tenant.current else { throw APIProblem.unauthorized("no API key") }
            return tenant
        }
    }

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        let tools: Int
        do {
            try await service.checkStore()
            tools = try await registry.methods().count
        } catch {
            throw APIProblem(.serviceUnavailable, code: "NOT_READY", "not ready: \(error)")
        }
        return .ok(.init(body: .json(.init(status: "ready", tools: tools))))
    }

    func listTools(_ input: Operations.ListTools.Input) async throws -> Operations.ListTools.Output {
        let methods = try await engine { try await registry.methods() }
        return .ok(.init(body: .json(.init(tools: methods.map(TaskView.summary)))))
    }

    func getTool(_ input: Operations.GetTool.Input) async throws -> Operations.GetTool.Output {
        let method = try await engine { try await registry.method(named: input.path.name) }
        return .ok(.init(body: .json(TaskView.tool(method))))
    }

    func getTask(_ input: Operations.GetTask.Input) async throws -> Operations.GetTask.Output {
        .ok(.init(body: .json(TaskView.task(try await visibleTask(input.path.id)))))
    }

    func listTasks(_ input: Operations.ListTasks.Input) async throws -> Operations.ListTasks.Output {
        let limit = input.query.limit ?? 50
        guard (1...200).contains(limit) else {
            throw APIProblem(.badRequest, code: "BAD_REQUEST", "limit must be from 1 to 200, got \(limit)")
        }
        let states = input.query.state.flatMap { TaskState(rawValue: $0.rawValue) }.map { Set([$0]) } ?? []
        let owner = try tenant.name
        let page = try await service.list(
            TaskQuery(states: states, tool: input.query.tool, owner: owner, limit: limit + 1)
                .continuing(after: input.query.cursor))
        let shown = page.prefix(limit)
        let next = page.count > limit ? shown.last.map { TaskPageCursor(after: $0).token } : nil
        return .ok(.init(body: .json(.init(tasks: shown.map(TaskView.task), nextCursor: next))))
    }

    func cancelTask(_ input: Operations.CancelTask.Input) async throws -> Operations.CancelTask.Output {
        let task = try await visibleTask(input.path.id)
        let canceled = try await service.cancel(task.id)
        return .ok(.init(body: .json(TaskView.task(canceled))))
    }

    func retryTask(_ input: Operations.RetryTask.Input) async throws -> Operations.RetryTask.Output {
        let task = try await visibleTask(input.path.id)
        let queued = try await service.retry(task.id)
        if let url = queued.webhookURL {
            try await state.addWebhook(taskID: queued.id, url: url, now: Date())
        }
        return .accepted(.init(body: .json(TaskView.task(queued))))
    }

    /// The task `id` if the caller owns it; 404 otherwise (another tenant's task looks absent).
    func visibleTask(_ id: String) async throws -> TaskRecord {
        let found: TaskRecord?
        do {
            found = try await service.status(id)
        } catch {
            if error.code != .taskNotFound { throw error }
            found = nil
        }
        guard let task = found else { throw APIProblem.taskNotFound(id) }
        let owner = try tenant.name
        guard task.owner == owner else { throw APIProblem.taskNotFound(id) }
        return task
    }

    /// Runs a registry call, turning its errors into engine errors.
    func engine<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw PollsterError.mapping(error, "the tool registry failed", from: .registry)
        }
    }
}
