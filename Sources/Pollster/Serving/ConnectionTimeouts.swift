/// How long an HTTP server (`pollster serve`, `pollster mcp --http`) keeps a connection that does
/// nothing, so that idle or stalled clients cannot hold connections, open files and response
/// tasks forever.
public struct ConnectionTimeouts: Sendable, Equatable {
    /// A connection with no request in progress and nothing read for this long is closed; this
    /// also bounds a request head sent slowly. Longer than the 60 s for which AsyncHTTPClient
    /// keeps an idle connection, so that it does not reuse one the server is closing.
    public var idle: Duration
    /// A connection whose response writes have waited this long, without a pause, for its
    /// client to read is closed: the client read nothing, or too little for the next write to
    /// go on (Linux lets a waiting writer go on once a third of the socket's send queue, up to
    /// 4 MiB, has been read).
    public var stalledWrite: Duration

    /// Timeouts (75 s idle, 60 s for a stalled write by default).
    public init(idle: Duration = .seconds(75), stalledWrite: Duration = .seconds(60)) {
        self.idle = idle
        self.stalledWrite = stalledWrite
    }
}
