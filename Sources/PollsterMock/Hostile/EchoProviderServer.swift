import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A provider on 127.0.0.1 that answers with the request it got: every answer of its submit,
/// status and error endpoints echoes each request header, the query string and the body, as they
/// came and re-encoded (``EchoAnswer``). A secret sent to it comes back in every form a careless
/// provider could use, which is what the canary-secret tests need.
///
/// Routes: `POST /jobs` answers `{"id": "echo-1", "status": "queued", "echo": …}`;
/// `GET /jobs/echo-1` answers an unknown status that echoes the header values once, then the
/// ``Outcome``; `GET /files/result.png` is the
/// output file of a success.
///
/// ```swift
/// let server = try await EchoProviderServer.start(outcome: .providerFailure)
/// // adapter: endpoint /jobs, polling.statusUrl /jobs/{id}, baseUrl server.baseURL
/// try await server.shutdown()
/// ```
public final class EchoProviderServer: Sendable {
    /// How the job ends.
    public enum Outcome: Sendable, Equatable {
        /// `succeeded`, with one output URL (a PNG this server serves).
        case success
        /// `failed`, with an error message that echoes the status request.
        case providerFailure
        /// The submit is answered with this HTTP status and an error body that echoes it.
        case submitError(status: Int)
        /// Status requests are answered with this HTTP status and an error body that echoes them.
        case statusError(status: Int)
    }

    /// The URL of the server, e.g. `http://127.0.0.1:54321`, with no trailing slash.
    public let baseURL: String
    private let channel: any Channel
    private let log: EchoRequestLog

    private init(channel: any Channel, port: Int, log: EchoRequestLog) {
        self.channel = channel
        self.baseURL = "http://127.0.0.1:\(port)"
        self.log = log
    }

    /// Starts listening on 127.0.0.1, on any free port.
    /// - Parameter outcome: how every job ends.
    /// - Throws: when no port can be bound.
    public static func start(outcome: Outcome) async throws -> EchoProviderServer {
        let log = EchoRequestLog()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        EchoHTTPHandler(outcome: outcome, log: log))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw ChannelError.unknownLocalAddress
        }
        return EchoProviderServer(channel: channel, port: port, log: log)
    }

    /// Every request received so far, as text (`METHOD target`, headers, body): what reached the
    /// provider, so a test can check the secret was really sent.
    public var requests: [String] { log.entries.withLock { $0 } }

    /// Stops listening (open connections end with their clients).
    public func shutdown() async throws {
        do { try await channel.close() } catch ChannelError.alreadyClosed {}
    }
}

/// The requests an ``EchoProviderServer`` received.
final class EchoRequestLog: Sendable {
    let entries = Mutex<[String]>([])
    /// Status requests per job id.
    let polls = Mutex<[String: Int]>([:])
}
