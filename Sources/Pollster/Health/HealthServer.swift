import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PollsterCore
import ServiceLifecycle
import Synchronization

/// What `/readyz` reports, computed by the health server once a second.
public protocol ReadinessCheck: Sendable {
    /// Whether the process can do its work now, and why not.
    func readiness() async -> (ready: Bool, detail: String)
}

/// `GET /healthz` (the process is up) and `GET /readyz` (it can work: see `ReadinessCheck`)
/// on a loopback or private address, for process supervisors and orchestrators.
public final class HealthServer: Service {
    private let host: String
    private let port: Int
    private let check: any ReadinessCheck
    private let logger: Logger
    private let requestTimeout: TimeAmount
    private let status = HealthStatus()

    /// A server for `address` (`host:port`).
    /// - Parameter requestTimeout: a connection that has not sent a whole request this long after
    ///   it opened is closed (each answer closes its connection anyway).
    /// - Throws: `INVALID_CONFIG` when the address is not `host:port`.
    public init(
        address: String, logger: Logger, check: any ReadinessCheck, requestTimeout: Duration = .seconds(10)
    ) throws(PollsterError) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw PollsterError(.invalidConfig, "--health '\(address)' is not host:port, e.g. 127.0.0.1:9090")
        }
        self.host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
        self.check = check
        self.logger = logger
        self.requestTimeout = TimeAmount(requestTimeout)
    }

    /// Serves until graceful shutdown or cancellation.
    public func run() async throws {
        let (status, requestTimeout) = (self.status, self.requestTimeout)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        HealthHandler(status: status, requestTimeout: requestTimeout))
                }
            }
            .bind(host: host, port: port).get()
        logger.info(
            "health endpoints on http://\(host):\(channel.localAddress?.port ?? port)/healthz and /readyz")
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let current = await self.check.readiness()
                status.value.withLock { $0 = current }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        try? await channel.close()
    }
}

/// The readiness last computed, shared with the connections.
private final class HealthStatus: Sendable {
    let value = Mutex<(ready: Bool, detail: String)>((false, "starting"))
}

/// Answers the two paths from the cached status, once per connection; closes a connection that
/// sends no whole request in time (a client that connects and waits, or sends slowly, would
/// otherwise hold it forever).
private final class HealthHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let status: HealthStatus
    private let requestTimeout: TimeAmount
    private var path = ""
    private var closing: Scheduled<Void>?

    init(status: HealthStatus, requestTimeout: TimeAmount) {
        self.status = status
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armClose(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armClose(context)
        context.fireChannelActive()
    }

    private func armClose(_ context: ChannelHandlerContext) {
        guard closing == nil else { return }
        closing = context.eventLoop.assumeIsolated().scheduleTask(in: requestTimeout) {
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing?.cancel()
        closing = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): path = String(head.uri.prefix { $0 != "?" })
        case .body: break
        case .end:
            let (code, body): (HTTPResponseStatus, JSONValue)
            switch path {
            case "/healthz": (code, body) = (.ok, ["status": "ok"])
            case "/readyz":
                let (ready, detail) = status.value.withLock { $0 }
                (code, body) = (
                    ready ? .ok : .serviceUnavailable, ["ready": .bool(ready), "detail": .string(detail)]
                )
            default: (code, body) = (.notFound, ["error": "not found; try /healthz or /readyz"])
            }
            let bytes = JSONWriter.bytes(body)
            var headers = HTTPHeaders([
                ("Content-Type", "application/json"), ("Content-Length", "\(bytes.count)"),
            ])
            headers.add(name: "Connection", value: "close")
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: code, headers: headers))),
                promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil)
            }
        }
    }
}
