/// How long Streamable HTTP sessions live and how many may be open at once.
///
/// A client that goes away without `DELETE` leaves its session behind; these bound what such
/// sessions hold. A closed session's id then gets 404, and the client starts a new one (as the
/// MCP spec says); its tasks are durable and stay readable from any session.
public struct MCPHTTPSessionLimits: Sendable {
    /// A session with no request and no tool call running for this long is closed.
    public var idleTimeout: Duration
    /// At most this many sessions are open: a new one closes the least recently used idle one
    /// (none idle: 503).
    public var maxSessions: Int

    /// Limits; the defaults close a session after an hour idle and keep at most 1,000.
    public init(idleTimeout: Duration = .seconds(3600), maxSessions: Int = 1000) {
        self.idleTimeout = idleTimeout
        self.maxSessions = max(1, maxSessions)
    }
}
