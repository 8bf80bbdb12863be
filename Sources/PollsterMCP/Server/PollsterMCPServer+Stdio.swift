import MCP

extension PollsterMCPServer {
    /// Serves one session on stdin/stdout until the client closes stdin (or graceful shutdown).
    /// Nothing else may write to stdout meanwhile: it is the protocol channel.
    public func runStdio() async throws {
        try await run(transport: StdioTransport(logger: logger))
    }
}
