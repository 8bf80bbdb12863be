import Foundation
import MCP
import Pollster
import PollsterCore

/// A finished durable task as a `CallToolResult`: a text summary, `structuredContent` with the
/// result JSON, and a `resource_link` per output file; or `isError: true` with the error's code
/// and message. Everything comes from the engine's results, whose messages are already redacted.
enum CallResult {
    /// The result of a finished task (a task still running is reported as such, with `isError`).
    static func of(_ task: TaskRecord, naming: ToolNaming) -> Value {
        if task.state == .succeeded, let result = task.result { return success(task, result, naming: naming) }
        if let error = task.error {
            return failure(
                code: error.code.rawValue, message: error.message, httpStatus: error.httpStatus, task: task)
        }
        return failure(
            code: "TASK_NOT_FINISHED", message: "task \(task.id) is \(task.state.rawValue); ask again later",
            httpStatus: nil, task: task)
    }

    /// A tool error for a call that was refused before any task existed (`INVALID_INPUT`, …).
    static func refused(_ error: PollsterError) -> Value {
        failure(code: error.code.rawValue, message: error.message, httpStatus: error.httpStatus, task: nil)
    }

    private static func success(_ task: TaskRecord, _ result: ToolResult, naming: ToolNaming) -> Value {
        var content: [Value] = [.object(["type": "text", "text": .string(summary(task, result))])]
        var files: [Value] = []
        for (index, file) in result.files.enumerated() {
            let uri = FileResourceURI(taskId: task.id, index: index).text
            var link: [String: Value] = [
                "type": "resource_link", "uri": .string(uri), "name": .string(file.filename),
                "mimeType": .string(file.mimeType),
                "description": .string("output \(index) of \(task.tool), task \(task.id)"),
            ]
            if let size = file.size { link["size"] = .int(size) }
            content.append(.object(link))
            var entry: [String: Value] = [
                "uri": .string(uri), "filename": .string(file.filename), "mimeType": .string(file.mimeType),
                "url": .string(file.url),
            ]
            if let size = file.size { entry["size"] = .int(size) }
            if let sha256 = file.sha256 { entry["sha256"] = .string(sha256) }
            files.append(.object(entry))
        }
        var structured: [String: Value] = [
            "taskId": .string(task.id), "tool": .string(naming.mcpName(of: task.tool)),
            "state": .string(task.state.rawValue), "data": Value(result.data), "files": .array(files),
            "warnings": .array(
                result.warnings.map { ["code": .string($0.code.rawValue), "message": .string($0.message)] }),
        ]
        if let provider = result.taskId { structured["providerTaskId"] = .string(provider) }
        return [
            "content": .array(content), "structuredContent": .object(structured), "isError": false,
            "_meta": TaskSummary.relatedMeta(task.id),
        ]
    }

    private static func failure(code: String, message: String, httpStatus: Int?, task: TaskRecord?) -> Value {
        var error: [String: Value] = ["code": .string(code), "message": .string(message)]
        if let httpStatus { error["httpStatus"] = .int(httpStatus) }
        var structured: [String: Value] = ["error": .object(error)]
        var text = "\(code): \(message)"
        var result: [String: Value] = ["isError": true]
        if let task {
            structured["taskId"] = .string(task.id)
            structured["state"] = .string(task.state.rawValue)
            if let provider = task.providerTaskId { structured["providerTaskId"] = .string(provider) }
            text += "\n(task \(task.id), \(task.state.rawValue))"
            result["_meta"] = TaskSummary.relatedMeta(task.id)
        }
        result["content"] = [["type": "text", "text": .string(text)]]
        result["structuredContent"] = .object(structured)
        return .object(result)
    }

    /// `succeeded: fal.fast_sdxl, task …, provider task …, 1 file (image/png, 4096 bytes); id from …`.
    static func summary(_ task: TaskRecord, _ result: ToolResult) -> String {
        var lines = ["\(task.state.rawValue): \(task.tool), task \(task.id)"]
        if let provider = result.taskId { lines.append("provider task: \(provider)") }
        lines.append(
            "files: "
                + (result.files.isEmpty
                    ? "none"
                    : result.files.enumerated().map { index, file in
                        "\(index): \(file.filename) (\(file.mimeType), \(file.size.map { "\($0) bytes" } ?? "size unknown"))"
                    }.joined(separator: "; ")))
        let detection = result.detection
        var found: [String] = []
        if let id = detection.taskId { found.append("id from \(id)") }
        if let status = detection.statusPath { found.append("status from \(status)") }
        if let rule = detection.statusRule { found.append("rule \(rule)") }
        if !detection.outputs.isEmpty {
            found.append("outputs from \(detection.outputs.joined(separator: ", "))")
        }
        if !found.isEmpty { lines.append("detection: " + found.joined(separator: "; ")) }
        for warning in result.warnings {
            lines.append("warning \(warning.code.rawValue): \(warning.message)")
        }
        lines.append("The result JSON is in structuredContent; read the files with resources/read.")
        return lines.joined(separator: "\n")
    }
}
