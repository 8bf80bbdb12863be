import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy on loopback that tests can pause: while paused no byte moves in either
/// direction and new connections are held silent — a database (or provider) that stops
/// answering without closing anything, as in a network partition.
///
/// ```swift
/// let proxy = try await TCPProxy.start(to: "127.0.0.1", port: 5432)
/// proxy.pause()   // calls through 127.0.0.1:\(proxy.port) now hang
/// proxy.resume()
/// ```
public final class TCPProxy: Sendable {
    /// The port the proxy listens on (127.0.0.1).
    public let port: Int
    private let server: any Channel
    private let state: ProxyState

    private init(server: any Channel, port: Int, state: ProxyState) {
        self.server = server
        self.port = port
        self.state = state
    }

    /// Starts a proxy to `host:port`.
    public static func start(to host: String, port targetPort: Int) async throws -> TCPProxy {
        let state = ProxyState()
        let group = MultiThreadedEventLoopGroup.singleton
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop)
                    .channelOption(.autoRead, value: false)
                    .connect(host: host, port: targetPort)
                    .flatMap { outbound in
                        let (left, right) = GlueHandler.pair(paused: { state.isPaused })
                        return inbound.pipeline.addHandler(left).and(outbound.pipeline.addHandler(right)).map
                        { _ in
                            state.add(inbound)
                            state.add(outbound)
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TCPProxy(server: server, port: server.localAddress?.port ?? 0, state: state)
    }

    /// Stops moving bytes; connections stay open and silent.
    public func pause() { state.setPaused(true) }

    /// Moves bytes again.
    public func resume() { state.setPaused(false) }

    /// Closes the proxy and every connection through it.
    public func shutdown() async throws {
        try? await server.close()
        state.closeAll()
    }
}

/// The proxy's connections and whether it is paused.
private final class ProxyState: Sendable {
    private let paused = Atomic<Bool>(false)
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    var isPaused: Bool { paused.load(ordering: .sequentiallyConsistent) }

    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { _ in self.channels.withLock { _ = $0.removeValue(forKey: key) } }
    }

    func setPaused(_ value: Bool) {
        paused.store(value, ordering: .sequentiallyConsistent)
        guard !value else { return }
        for channel in channels.withLock({ Array($0.values) }) {
            channel.eventLoop.execute { channel.pipeline.fireUserInboundEventTriggered(ProxyResumed()) }
        }
    }

    func closeAll() {
        for channel in channels.withLock({ Array($0.values) }) { channel.close(promise: nil) }
    }
}

/// Tells a connection's handler that the proxy moves bytes again.
private struct ProxyResumed {}

/// Forwards what one side reads to the other side; asks for more only while not paused.
///
/// A read asked for before the pause may still deliver bytes: they are held until the resume,
/// so not even one answer passes a paused proxy.
private final class GlueHandler: ChannelDuplexHandler, @unchecked Sendable {
    // @unchecked Sendable: each handler is used only on its channel's event loop; `partner` is set
    // once before either is added to a pipeline, and a pair shares one event loop.
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private let paused: @Sendable () -> Bool
    /// Bytes read while paused, forwarded on resume.
    private var held: [NIOAny] = []

    private init(paused: @escaping @Sendable () -> Bool) { self.paused = paused }

    /// Two handlers that forward to each other (until either is removed).
    static func pair(paused: @escaping @Sendable () -> Bool) -> (GlueHandler, GlueHandler) {
        let left = GlueHandler(paused: paused)
        let right = GlueHandler(paused: paused)
        left.partner = right
        right.partner = left
        return (left, right)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive && !paused() { context.read() }
    }

    func channelActive(context: ChannelHandlerContext) {
        if !paused() { context.read() }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if paused() {
            held.append(data)
        } else {
            partner?.context?.write(data, promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
        if !paused() { context.read() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ProxyResumed else { return context.fireUserInboundEventTriggered(event) }
        for data in held { partner?.context?.write(data, promise: nil) }
        held.removeAll()
        partner?.context?.flush()
        context.read()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
