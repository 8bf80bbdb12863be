import Foundation
import MCP
import Pollster
import PollsterCore

/// A durable task as an MCP `Task` (the result of `tasks/get`, `tasks/cancel`, the entries of
/// `tasks/list`, `CreateTaskResult.task` and `notifications/tasks/status`).
///
/// | durable state | MCP status |
/// |---|---|
/// | queued, submitting, running, downloading | working |
/// | succeeded | completed |
/// | failed, timed_out, submit_uncertain | failed |
/// | canceled | cancelled |
enum TaskSummary {
    /// The client polls no faster than this (milliseconds).
    static let pollInterval = 1000

    /// The MCP status of `state`.
    static func status(_ state: TaskState) -> String {
        switch state {
        case .queued, .submitting, .running, .downloading: "working"
        case .succeeded: "completed"
        case .failed, .timedOut, .submitUncertain: "failed"
        case .canceled: "cancelled"
        }
    }

    /// The task object. Tasks stay until they are purged, so `ttl` is null (unlimited).
    static func task(_ task: TaskRecord) -> Value {
        [
            "taskId": .string(task.id),
            "status": .string(status(task.state)),
            "statusMessage": .string(message(task)),
            "createdAt": .string(timestamp(task.createdAt)),
            "lastUpdatedAt": .string(timestamp(task.updatedAt)),
            "ttl": .null,
            "pollInterval": .int(pollInterval),
        ]
    }

    /// One line for people: the durable state, the provider's status and progress, or the error.
    static func message(_ task: TaskRecord) -> String {
        var parts = ["\(task.tool): \(task.state.rawValue)"]
        if let status = task.providerStatus { parts.append("provider status \(status)") }
        if let progress = task.progress { parts.append("\(Int(progress))%") }
        if let error = task.error { parts.append("\(error.code.rawValue): \(error.message)") }
        return parts.joined(separator: ", ")
    }

    /// ISO 8601 with milliseconds, in UTC.
    static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    /// `_meta` that ties a message to task `id`.
    static func relatedMeta(_ id: String) -> Value {
        ["io.modelcontextprotocol/related-task": ["taskId": .string(id)]]
    }
}
