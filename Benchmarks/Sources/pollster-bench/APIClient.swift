import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Requests of the HTTP task API (docs/http-api.md) that the load generators send.
struct APIClient: Sendable {
    let http: HTTPClient
    /// The server's base URL, e.g. `http://127.0.0.1:8080`.
    let url: String
    /// The API key sent as `Authorization: Bearer`.
    let key: String
    /// The tool tasks are submitted to.
    let tool: String

    init(http: HTTPClient, options: APIOptions) {
        self.http = http
        (url, key, tool) = (options.url, options.key, options.tool)
    }

    /// One answer to a submit: its HTTP status and the task id when it was accepted.
    struct Submitted: Sendable {
        var status: UInt
        var taskID: String?
    }

    /// `POST /v1/tools/{tool}/tasks` with `{"input": {"n": index}}`.
    func submit(_ index: Int) async throws -> Submitted {
        var request = HTTPClientRequest(url: "\(url)/v1/tools/\(tool)/tasks")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"input":{"n":\#(index)}}"#))
        let response = try await http.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return Submitted(status: response.status.code, taskID: object?["id"] as? String)
    }

    /// `GET /v1/tasks/{id}/events`, answered with the response head (the body is the stream).
    func events(_ taskID: String) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: "\(url)/v1/tasks/\(taskID)/events")
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        return try await http.execute(request, timeout: .seconds(600))
    }
}
