import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import MCP
import NIOCore
import Pollster
import ServiceLifecycle

extension PollsterMCPServer {
    /// Serves Streamable HTTP on `http://host:port/mcp` until graceful shutdown (or cancellation),
    /// one MCP session per `MCP-Session-Id`, all sharing one worker.
    /// - Parameters:
    ///   - access: the bearer token and the hosts and origins accepted besides loopback's.
    ///   - sessions: how long idle sessions live and how many may be open.
    ///   - connections: when idle and stalled client connections are closed, and how many may be open.
    ///   - onListening: called with the bound port once the listener runs (port 0 picks one).
    public func runHTTP(
        host: String, port: Int, access: MCPHTTPAccess = MCPHTTPAccess(),
        sessions limits: MCPHTTPSessionLimits = MCPHTTPSessionLimits(),
        connections: ConnectionLimits = ConnectionLimits(),
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        try await withRuntime { cancels in
            let sessions = MCPHTTPSessions(
                owner: self, access: access, limits: limits, cancels: cancels, logger: logger)
            let router = Router()
            let handlers = connections.channelHandlers(logger: logger)
            for method in [HTTPTypes.HTTPRequest.Method.post, .get, .delete] {
                router.on("mcp", method: method) { request, _ -> Hummingbird.Response in
                    Self.response(await sessions.handle(try await Self.request(request)))
                }
            }
            let app = Application(
                router: router,
                server: .http1(
                    configuration: HTTP1Channel.Configuration(
                        additionalChannelHandlers: handlers(), idleTimeout: TimeAmount(connections.idle))),
                configuration: .init(address: .hostname(host, port: port), serverName: "pollster"),
                onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
                logger: logger)
            let (shutdown, shutdownSink) = AsyncStream.makeStream(of: Void.self)
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    defer { shutdownSink.finish() }
                    do {
                        try await withGracefulShutdownHandler {
                            try await app.run()
                        } onGracefulShutdown: {
                            shutdownSink.yield()
                        }
                    } catch {
                        await sessions.closeAll()
                        throw error
                    }
                    await sessions.closeAll()
                }
                group.addTask {
                    // Graceful shutdown ends the sessions first: the listener waits for every open
                    // response, and a GET stream stays open until its client hangs up.
                    if await shutdown.first(where: { _ in true }) != nil { await sessions.closeAll() }
                }
                for await session in sessions.started {
                    group.addTask { await session.watch() }
                }
            }
        }
    }

    /// The SDK's framework-neutral request (bodies up to 16 MiB).
    static func request(_ request: Hummingbird.Request) async throws -> MCP.HTTPRequest {
        var headers: [String: String] = [:]
        for field in request.headers {
            headers[field.name.canonicalName] =
                headers[field.name.canonicalName].map { "\($0), \(field.value)" } ?? field.value
        }
        // HTTP/1 `Host` arrives as the authority, not a header field; the SDK's DNS-rebinding
        // check reads it as `Host`.
        if let authority = request.head.authority { headers["Host"] = authority }
        let buffer = try await request.body.collect(upTo: 16 << 20)
        return MCP.HTTPRequest(
            method: request.method.rawValue, headers: headers,
            body: buffer.readableBytes == 0 ? nil : Data(buffer.readableBytesView), path: request.uri.path)
    }

    /// Hummingbird's response for the SDK's: JSON bodies, or the SSE stream written as it comes.
    static func response(_ response: MCP.HTTPResponse) -> Hummingbird.Response {
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let status = HTTPTypes.HTTPResponse.Status(code: response.statusCode)
        switch response {
        case .stream(let stream, _):
            return Hummingbird.Response(
                status: status, headers: fields,
                body: ResponseBody { writer in
                    for try await chunk in stream { try await writer.write(ByteBuffer(bytes: chunk)) }
                    try await writer.finish(nil)
                })
        default:
            let body =
                response.bodyData.map { ResponseBody(byteBuffer: ByteBuffer(bytes: $0)) } ?? ResponseBody()
            return Hummingbird.Response(status: status, headers: fields, body: body)
        }
    }
}
