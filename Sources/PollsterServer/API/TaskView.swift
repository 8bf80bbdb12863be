import Foundation
import OpenAPIRuntime
import Pollster
import PollsterCore

/// How tasks, tools and JSON look in the API's generated types.
enum TaskView {
    /// A task as the API shows it (no lease, no idempotency key, no input echo of secrets: the
    /// input is the caller's own and is left out to keep pages small).
    static func task(_ task: TaskRecord) -> Components.Schemas.Task {
        let files = (task.result?.files ?? []).enumerated().map { index, file in
            Components.Schemas.TaskFile(
                index: index, filename: file.filename, mimeType: file.mimeType, size: file.size,
                sha256: file.sha256, href: "/v1/tasks/\(task.id)/files/\(index)")
        }
        return Components.Schemas.Task(
            id: task.id, tool: task.tool, state: state(task.state), providerTaskId: task.providerTaskId,
            providerStatus: task.providerStatus, progress: task.progress, polls: task.polls,
            attempt: task.attempt,
            error: task.error.map {
                Components.Schemas.TaskError(
                    code: $0.code.rawValue, message: $0.message, httpStatus: $0.httpStatus)
            },
            data: task.result.flatMap { container($0.data) }, files: files, webhook: task.webhookURL,
            createdAt: task.createdAt, updatedAt: task.updatedAt, finishedAt: task.finishedAt)
    }

    /// The API's state enumeration for a task state.
    static func state(_ state: TaskState) -> Components.Schemas.TaskState {
        Components.Schemas.TaskState(rawValue: state.rawValue) ?? .failed
    }

    /// A JSON object as a free-form container (nil for anything but an object).
    static func container(_ value: JSONValue) -> OpenAPIObjectContainer? {
        guard case .object = value, let data = try? JSONEncoder().encode(value) else { return nil }
        return try? JSONDecoder().decode(OpenAPIObjectContainer.self, from: data)
    }

    /// A free-form container as a JSON value.
    static func json(_ container: OpenAPIObjectContainer) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(container))
    }

    /// A tool's summary.
    static func summary(_ method: ToolMethod) -> Components.Schemas.ToolSummary {
        Components.Schemas.ToolSummary(
            name: method.name, inventory: method.inventory, method: method.config.name,
            description: method.config.description)
    }

    /// A tool's detail: config summary and request schema, never headers, auth or secrets.
    static func tool(_ method: ToolMethod) -> Components.Schemas.Tool {
        let config = method.config
        return Components.Schemas.Tool(
            name: method.name, inventory: method.inventory, method: config.name,
            description: config.description,
            httpMethod: config.httpMethod, endpoint: Redactor.stripQuery(config.endpoint),
            baseUrl: method.baseUrl.map { URLCredentials.mask($0) },
            pollIntervalSeconds: config.adapterConfig.polling?.intervalSeconds,
            maxWaitSeconds: config.adapterConfig.polling?.maxWaitSeconds,
            cancelable: config.adapterConfig.cancel != nil, maxConcurrent: method.limits?.maxConcurrent,
            requestSchema: config.requestSchema.flatMap(container))
    }
}
