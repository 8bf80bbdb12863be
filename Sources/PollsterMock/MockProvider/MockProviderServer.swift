import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A real HTTP/1.1 server on loopback that emulates HeyGen, fal.ai, Runway, Replicate, Tencent Cloud
/// (Hunyuan image, VOD AIGC; signed), a Jimeng gateway and Azure-style operations with scripted jobs.
///
/// Every job follows a ``MockJobScript``: the next one from ``enqueue(_:)``, else the default script.
/// Answers carry absolute URLs built from ``baseURL``; output files are served under `/files/`
/// (behind `/redirect/` hops when the script asks for them).
///
/// Route prefixes: `/v2/video/generate` and `/v1/video_status.get` (HeyGen), `/fal-ai/` (fal),
/// `/v1/{image_to_video|…}` and `/v1/tasks/` (Runway), `/v1/predictions`, `/v1/models/` (Replicate),
/// `POST /tencent/hunyuan/` and `POST /tencent/vod/` (Tencent, action in `X-TC-Action`), `/jimeng/v1/`,
/// `/azure/` (Operation-Location) and `/azure-location/` (Location).
///
/// ```swift
/// let server = try await MockProviderServer.start()
/// server.enqueue(MockJobScript(polls: 3, output: MockOutput(kind: .png)))
/// // POST \(server.baseURL)/fal-ai/fast-sdxl with "Authorization: Key test", then poll status_url.
/// try await server.shutdown()
/// ```
public final class MockProviderServer: Sendable {
    /// The URL of the server, e.g. `http://127.0.0.1:54321` (`https://` when it serves TLS), with
    /// no trailing slash.
    public let baseURL: String
    /// The TCP port the server listens on.
    public let port: Int
    /// The key pair the Tencent routes accept (sign requests with it).
    public var tencentCredentials: MockTencentCredentials {
        state.tencentCredentials
    }

    private let serverChannel: any Channel
    private let state: MockProviderState
    private let connections: MockConnectionRegistry

    private init(
        serverChannel: any Channel, port: Int, scheme: String, state: MockProviderState,
        connections: MockConnectionRegistry
    ) {
        self.serverChannel = serverChannel
        self.port = port
        self.baseURL = "\(scheme)://127.0.0.1:\(port)"
        self.state = state
        self.connections = connections
    }

    /// Starts listening on 127.0.0.1.
    /// - Parameters:
    ///   - port: the port to bind; 0 picks any free port.
    ///   - defaultScript: the script for jobs submitted while the queue is empty.
    ///   - tencentCredentials: the key pair Tencent requests must be signed with.
    ///   - tls: serve HTTPS with this certificate; answers then carry `https://` URLs.
    /// - Returns: the running server; call ``shutdown()`` when done.
    /// - Throws: when the port cannot be bound or the certificate cannot be read.
    public static func start(
        port: Int = 0, defaultScript: MockJobScript = .init(),
        tencentCredentials: MockTencentCredentials = .init(), tls: MockTLSIdentity? = nil
    ) async throws -> MockProviderServer {
        let context = try tls.map { try $0.serverContext() }
        let scheme = context == nil ? "http" : "https"
        let state = MockProviderState(defaultScript: defaultScript, tencentCredentials: tencentCredentials)
        let connections = MockConnectionRegistry()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        MockHTTPHandler(state: state, scheme: scheme))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        guard let boundPort = channel.localAddress?.port else {
            try? await channel.close()
            throw ChannelError.unknownLocalAddress
        }
        return MockProviderServer(
            serverChannel: channel, port: boundPort, scheme: scheme, state: state, connections: connections)
    }

    /// Makes the next submitted job follow `script`. Scripts are used first in, first out; when the
    /// queue is empty, jobs follow the default script.
    /// - Parameter script: the behaviour of one future job.
    public func enqueue(_ script: MockJobScript) {
        state.enqueue(script)
    }

    /// A snapshot of the counters and the last requests.
    public var stats: MockProviderStats {
        state.stats
    }

    /// Stops listening and closes every open connection. Calling it again does nothing.
    /// - Throws: when closing the listening socket fails for a reason other than being closed already.
    public func shutdown() async throws {
        do {
            try await serverChannel.close()
        } catch ChannelError.alreadyClosed {
            // Shut down before; the connections below are closed (again) all the same.
        }
        await connections.closeAll()
    }
}

/// The open connections of one server, so ``MockProviderServer/shutdown()`` can close them.
final class MockConnectionRegistry: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { _ in
            self.channels.withLock { _ = $0.removeValue(forKey: key) }
        }
    }

    func closeAll() async {
        let open = channels.withLock { Array($0.values) }
        for channel in open {
            channel.close(promise: nil)
            try? await channel.closeFuture.get()
        }
    }
}
