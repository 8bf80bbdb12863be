import Foundation
import MCP
import Pollster
import PollsterCore

extension MCPSession {
    /// `tools/call`: a durable task either way. Plain: waits for the end, with progress
    /// notifications, and returns the result. Task-augmented (`params.task`): returns the
    /// `CreateTaskResult` at once. Bad arguments and failed jobs are results with `isError`.
    func callTool(_ params: Value) async throws -> Value {
        guard let name = params["name"]?.stringValue else { throw MCPError.invalidParams("name is required") }
        guard let tool = await catalog.toolName(for: name) else {
            throw MCPError.invalidParams("Unknown tool: \(name)")
        }
        let arguments: JSONValue = params["arguments"].map { JSONValue($0) } ?? [:]
        let input: JSONValue = arguments == .null ? [:] : arguments
        let submitted = await outcome { () async throws(PollsterError) in
            try await service.submit(tool, input: input, options: configuration.taskOptions, owner: "mcp")
        }
        let task: TaskRecord
        switch submitted {
        case .success(let stored): task = stored
        case .failure(let error) where error.code == .toolNotFound:
            throw MCPError.invalidParams("Unknown tool: \(name)")
        case .failure(let error): return CallResult.refused(error)
        }
        if case .object = params["task"] {
            watch(task)
            return ["task": TaskSummary.task(task)]
        }
        let token = params["_meta"]?["progressToken"].flatMap(Self.progressToken)
        let finished = try await waitForEnd(of: task.id, progressToken: token)
        return CallResult.of(finished, naming: configuration.naming)
    }

    /// Reads the task until it finishes, sending `notifications/progress` (0–100) when it advances.
    /// A cancelled request (`notifications/cancelled`) cancels the task, at the provider too.
    private func waitForEnd(of id: String, progressToken: ProgressToken?) async throws -> TaskRecord {
        var sent = -1.0
        do {
            for try await task in service.events(id, checkEvery: configuration.checkEvery) {
                let progress = Self.progress(task)
                if let progressToken, progress > sent {
                    sent = progress
                    try? await server.notify(
                        ProgressNotification.message(
                            .init(
                                progressToken: progressToken, progress: progress, total: 100,
                                message: TaskSummary.message(task))))
                }
                if task.state.isFinished { return task }
            }
            return try await service.status(id)
        } catch {
            guard Task.isCancelled else { throw error }
            cancels.yield(id)
            throw CancellationError()
        }
    }

    /// Progress in percent, growing with the state: the provider's own progress maps into 5–90.
    static func progress(_ task: TaskRecord) -> Double {
        switch task.state {
        case .queued: 0
        case .submitting: 2
        case .running: 5 + 0.85 * min(max(task.progress ?? 0, 0), 100)
        case .downloading: 92
        case .succeeded, .failed, .canceled, .timedOut, .submitUncertain: 100
        }
    }

    static func progressToken(_ value: Value) -> ProgressToken? {
        switch value {
        case .string(let text): .string(text)
        case .int(let number): .integer(number)
        default: nil
        }
    }
}
