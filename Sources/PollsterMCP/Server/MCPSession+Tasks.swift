import MCP
import Pollster
import PollsterCore

extension MCPSession {
    /// `tasks/result`: waits until the task finishes, then returns its `CallToolResult`.
    func taskResult(_ params: Value) async throws -> Value {
        let id = try await task(params).id
        while true {
            let current = try await finished(id, within: .seconds(60))
            if current.state.isFinished { return CallResult.of(current, naming: configuration.naming) }
            try Task.checkCancellation()
        }
    }

    /// `tasks/list`: newest first, 50 a page; the cursor is a `TaskPageCursor` token.
    func listTasks(_ params: Value) async throws -> Value {
        let page = 50
        let query = TaskQuery(limit: page).continuing(after: params["cursor"]?.stringValue)
        let tasks = try await outcome { () async throws(PollsterError) in try await service.list(query) }
            .get()
        var result: [String: Value] = ["tasks": .array(tasks.map(TaskSummary.task))]
        if tasks.count == page, let last = tasks.last {
            result["nextCursor"] = .string(TaskPageCursor(after: last).token)
        }
        return .object(result)
    }

    /// `tasks/cancel`: cancels the task (at the provider too, when the method has `cancel:`) and
    /// returns it once canceled, or as it is after a few seconds.
    /// - Throws: `-32602` for an unknown task or one that already finished.
    func cancelTask(_ params: Value) async throws -> Value {
        let task = try await task(params)
        guard !task.state.isFinished else {
            throw MCPError.invalidParams(
                "task \(task.id) is already \(TaskSummary.status(task.state)); it cannot be cancelled")
        }
        switch await outcome({ () async throws(PollsterError) in try await service.cancel(task.id) }) {
        case .success: break
        case .failure(let error) where error.code == .conflict:
            throw MCPError.invalidParams(error.message)
        case .failure(let error): throw error
        }
        return TaskSummary.task(try await finished(task.id, within: .seconds(10)))
    }

    /// The task once finished, or as it is after `limit`.
    private func finished(_ id: String, within limit: Duration) async throws -> TaskRecord {
        let checkEvery = configuration.checkEvery
        return try await outcome { () async throws(PollsterError) in
            try await service.wait(id, timeout: limit, checkEvery: checkEvery)
        }.get()
    }
}
