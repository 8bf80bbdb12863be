import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A minimal MCP client over Streamable HTTP (docs/mcp.md): JSON-RPC requests POSTed to `/mcp`
/// in one session, each answered on a short Server-Sent Events stream that ends with the response.
struct MCPClient: Sendable {
    /// The protocol version `pollster mcp` speaks.
    static let protocolVersion = "2025-11-25"

    let http: HTTPClient
    let url: String
    let sessionID: String
    private let ids: RequestIDs

    /// A failed exchange: an HTTP status other than 200, no response on the stream, or a
    /// JSON-RPC error.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Opens a session: `initialize`, then `notifications/initialized`.
    static func connect(http: HTTPClient, url: String) async throws -> MCPClient {
        let params: [String: Any] = [
            "protocolVersion": protocolVersion, "capabilities": [String: Any](),
            "clientInfo": ["name": "pollster-bench", "version": "1"],
        ]
        let (head, body) = try await post(
            http, url: url, session: nil,
            message: ["jsonrpc": "2.0", "id": 0, "method": "initialize", "params": params])
        guard let session = head.headers.first(name: "Mcp-Session-Id") else {
            throw Failure(
                description: "initialize answered \(head.status) without a session: \(body.prefix(300))")
        }
        let client = MCPClient(http: http, url: url, sessionID: session, ids: RequestIDs())
        _ = try await post(
            http, url: url, session: session,
            message: ["jsonrpc": "2.0", "method": "notifications/initialized"])
        return client
    }

    /// Sends one request and returns its `result`.
    func request(_ method: String, _ params: [String: Any]) async throws -> [String: Any] {
        let id = ids.next()
        let (head, body) = try await Self.post(
            http, url: url, session: sessionID,
            message: ["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        guard head.status == .ok else { throw Failure(description: "\(method): HTTP \(head.status.code)") }
        for line in body.split(whereSeparator: \.isNewline) where line.hasPrefix("data: ") {
            guard
                let message = try? JSONSerialization.jsonObject(with: Data(line.utf8.dropFirst(6)))
                    as? [String: Any],
                (message["id"] as? NSNumber)?.intValue == id
            else { continue }
            if let result = message["result"] as? [String: Any] { return result }
            throw Failure(description: "\(method): \(message["error"] ?? "no result")")
        }
        throw Failure(description: "\(method): no response on the stream")
    }

    /// Ends the session (`DELETE /mcp`).
    func close() async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .DELETE
        request.headers.add(name: "Mcp-Session-Id", value: sessionID)
        request.headers.add(name: "MCP-Protocol-Version", value: Self.protocolVersion)
        _ = try await http.execute(request, timeout: .seconds(30)).body.collect(upTo: 1 << 20)
    }

    /// POSTs one JSON-RPC message and reads the whole answer (JSON, or the SSE stream to its end).
    private static func post(
        _ http: HTTPClient, url: String, session: String?, message: [String: Any]
    ) async throws -> (HTTPClientResponse, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        request.headers.add(name: "MCP-Protocol-Version", value: protocolVersion)
        if let session { request.headers.add(name: "Mcp-Session-Id", value: session) }
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: message)))
        let response = try await http.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (response, String(buffer: body))
    }

    /// Request ids, unique within the session.
    private final class RequestIDs: Sendable {
        private let last = Atomic<Int>(0)
        func next() -> Int { last.add(1, ordering: .relaxed).newValue }
    }
}
