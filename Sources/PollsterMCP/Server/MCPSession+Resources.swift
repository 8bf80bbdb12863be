import Foundation
import MCP
import Pollster
import PollsterCore

extension MCPSession {
    /// `resources/list`: the files of recent succeeded tasks, newest first, 20 tasks a page.
    func listResources(_ params: Value) async throws -> Value {
        let page = 20
        let tasks = try await service.list(
            TaskQuery(states: [.succeeded], limit: page).continuing(after: params["cursor"]?.stringValue))
        var resources: [Value] = []
        for task in tasks {
            for (index, file) in (task.result?.files ?? []).enumerated() {
                var resource: [String: Value] = [
                    "uri": .string(FileResourceURI(taskId: task.id, index: index).text),
                    "name": .string(file.filename), "mimeType": .string(file.mimeType),
                    "description": .string("output \(index) of \(task.tool), task \(task.id)"),
                ]
                if let size = file.size { resource["size"] = .int(size) }
                resources.append(.object(resource))
            }
        }
        var result: [String: Value] = ["resources": .array(resources)]
        if tasks.count == page, let last = tasks.last {
            result["nextCursor"] = .string(TaskPageCursor(after: last).token)
        }
        return .object(result)
    }

    /// `resources/read` of `pollster://tasks/{id}/files/{n}`: the stored file, base64.
    /// - Throws: `-32002` when there is no such file, `-32602` for another URI.
    func readResource(_ params: Value) async throws -> Value {
        guard let text = params["uri"]?.stringValue, let uri = FileResourceURI(text) else {
            throw MCPError.invalidParams("not a Pollster resource URI; expected \(FileResourceURI.template)")
        }
        let task: TaskRecord
        do {
            task = try await service.status(uri.taskId)
        } catch {
            throw Self.notFound(text, "no task \(uri.taskId)")
        }
        guard let files = task.result?.files, files.indices.contains(uri.index) else {
            throw Self.notFound(text, "task \(uri.taskId) (\(task.state.rawValue)) has no file \(uri.index)")
        }
        let file = files[uri.index]
        let bytes: Data
        if let path = file.path {
            let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
            guard let size else { throw Self.notFound(text, "the file of \(text) is gone from disk") }
            guard size <= configuration.maxResourceBytes else {
                throw MCPError.invalidParams(
                    "\(text) is \(size) bytes, more than the \(configuration.maxResourceBytes) that resources/read returns; use the provider URL in structuredContent.files"
                )
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Self.notFound(text, "the file of \(text) cannot be read")
            }
            bytes = data
        } else if let stored = file.bytes {
            bytes = Data(stored)
        } else {
            throw Self.notFound(text, "the file of \(text) was not downloaded")
        }
        return [
            "contents": [
                [
                    "uri": .string(text), "mimeType": .string(file.mimeType),
                    "blob": .string(bytes.base64EncodedString()),
                ]
            ]
        ]
    }

    private static func notFound(_ uri: String, _ reason: String) -> MCPError {
        .serverError(code: -32002, message: "Resource not found: \(uri): \(reason)")
    }
}
