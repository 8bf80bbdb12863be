import Logging
import NIOCore

/// What an HTTP server (`pollster serve`, `pollster mcp --http`) allows its client connections,
/// so that clients that are idle, stalled or too many cannot hold connections, open files and
/// response tasks forever, or take the file descriptors the engine needs.
public struct ConnectionLimits: Sendable, Equatable {
    /// A connection with no request in progress and nothing read for this long is closed; this
    /// also bounds a request head sent slowly. Longer than the 60 s for which AsyncHTTPClient
    /// keeps an idle connection, so that it does not reuse one the server is closing.
    public var idle: Duration
    /// A connection whose response writes have waited this long, without a pause, for its
    /// client to read is closed: the client read nothing, or too little for the next write to
    /// go on (Linux lets a waiting writer go on once a third of the socket's send queue, up to
    /// 4 MiB, has been read).
    public var stalledWrite: Duration
    /// Client connections open at once; one more is closed as it arrives. nil: a third of the
    /// process's open-file limit when the server starts (a connection that downloads a file
    /// holds the file open too; the rest stays for provider requests, outputs and the task store).
    public var maxConnections: Int?

    /// Limits: 75 s idle, 60 s for a stalled write, and by default a third of the open-file limit
    /// for connections.
    public init(
        idle: Duration = .seconds(75), stalledWrite: Duration = .seconds(60), maxConnections: Int? = nil
    ) {
        self.idle = idle
        self.stalledWrite = stalledWrite
        self.maxConnections = maxConnections
    }
}

extension ConnectionLimits {
    /// Makes the handlers of each client connection's pipeline, a new set per call: the cap on
    /// open connections (counted across every connection of this one maker) and the stalled-write
    /// timer. For Hummingbird's `HTTP1Channel.Configuration(additionalChannelHandlers:)`, whose
    /// parameter is an autoclosure: `additionalChannelHandlers: handlers()` calls this maker's
    /// result once per connection.
    package func channelHandlers(logger: Logger) -> @Sendable () -> [any RemovableChannelHandler] {
        let open = OpenConnections(
            limit: maxConnections ?? max(1, FileDescriptorLimit.current / 3), logger: logger)
        let stalledWrite = self.stalledWrite
        return { [ConnectionLimitHandler(open), StalledWriteHandler(limit: stalledWrite, logger: logger)] }
    }
}
