import Foundation
import HTTPTypes
import Hummingbird
import Pollster

/// `GET /v1/tasks/{id}/events`: Server-Sent Events, one `task` event per change of the task
/// (state, progress, polls…) until it finishes. Each event's id is the task's `updatedAt` in
/// microseconds; a client reconnecting with `Last-Event-ID` gets only later changes.
struct EventsRoute {
    let api: PollsterAPI

    func respond(_ request: Request, context: some RequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        _ = try await api.visibleTask(id)  // 404 before the stream starts
        let after = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap {
            Int64($0.trimmingCharacters(in: .whitespaces))
        }
        let events = api.service.events(id, checkEvery: api.configuration.eventsCheckEvery)
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: ": task \(id)\nretry: 1000\n\n"))
                do {
                    // Graceful shutdown ends the stream (the client reconnects with Last-Event-ID):
                    // the listener waits for every open response.
                    try await forEach(
                        events,
                        untilGracefulShutdown: { task in
                            let eventID = Self.eventID(task)
                            if let after, eventID <= after { return }
                            try await writer.write(ByteBuffer(bytes: Self.event(task, id: eventID)))
                        })
                } catch is CancellationError {
                    return
                } catch {
                    let problem = APIProblem(.internalServerError, code: "TASK_NOT_FOUND", "\(error)")
                    try await writer.write(
                        ByteBuffer(bytes: Array("event: error\ndata: ".utf8) + problem.body + [10, 10]))
                }
                try await writer.finish(nil)
            })
    }

    /// The event id of a version of the task: `updatedAt` in microseconds.
    static func eventID(_ task: TaskRecord) -> Int64 {
        Int64((task.updatedAt.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// One SSE event.
    static func event(_ task: TaskRecord, id: Int64) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(TaskView.task(task))) ?? Data("{}".utf8)
        return Array("id: \(id)\nevent: task\ndata: ".utf8) + Array(json) + [10, 10]
    }
}
