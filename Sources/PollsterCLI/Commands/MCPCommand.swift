import ArgumentParser
import Foundation
import Logging
import Pollster
import PollsterCore
import PollsterMCP
import ServiceLifecycle

/// `pollster mcp`: the tool methods as an MCP server (stdio, or Streamable HTTP with `--http`).
/// Every call is a durable task in the task store, run by a worker inside this process.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract:
            "Serve every tool method to MCP clients (agent hosts) over stdio, or Streamable HTTP with --http.",
        discussion: "Logs go to stderr; stdout is the protocol. See docs/mcp.md."
    )

    @Option(
        help: ArgumentHelp(
            "Serve Streamable HTTP on http://host:port/mcp instead of stdio (port 0 picks one; the address is printed to stderr).",
            valueName: "host:port"))
    var http: String?

    @Option(
        name: .customLong("tool-separator"),
        help: "What joins inventory and method in tool names (default '.'; '__' for hosts that refuse dots).")
    var toolSeparator = "."

    @Option(name: .customLong("poll-interval"), help: "Seconds between polls (default: each method's).")
    var pollInterval: Double?

    @Option(help: "Where outputs are written, one directory per task.")
    var files = "pollster-files"

    @Option(help: "Seconds a task stays leased by this server's worker without renewal.")
    var lease: Double = 6

    @Flag(name: .customLong("no-worker"), help: "Run no worker here (another process works the store).")
    var noWorker = false

    @Option(help: "Tasks the in-process worker runs at once.")
    var concurrency = 16

    @Option(
        name: .customLong("allow-host"),
        help: ArgumentHelp(
            "With --http: a Host header to accept besides loopback's (repeat; a bare name accepts any port).",
            valueName: "host"))
    var allowHosts: [String] = []

    @Option(
        name: .customLong("allow-origin"),
        help: ArgumentHelp(
            "With --http: a browser Origin to accept besides loopback's (repeat).", valueName: "origin"))
    var allowOrigins: [String] = []

    @Option(
        name: .customLong("session-idle-timeout"),
        help: ArgumentHelp(
            "With --http: close a session with no request and no tool call running for this many seconds.",
            valueName: "seconds"))
    var sessionIdleTimeout: Double = 3600

    @Option(
        name: .customLong("max-sessions"),
        help: "With --http: sessions open at once; a new one closes the least recently used idle one.")
    var maxSessions = 1000

    @OptionGroup var engine: EngineOptions
    @OptionGroup var store: TaskStoreOptions
    @OptionGroup var connections: ConnectionOptions
    @OptionGroup var shutdown: ShutdownOptions

    func validate() throws {
        guard toolSeparator.range(of: "^[A-Za-z0-9_.-]+$", options: .regularExpression) != nil else {
            throw ValidationError("--tool-separator may only use A-Z a-z 0-9 _ - .")
        }
        guard concurrency > 0 else {
            throw ValidationError("--concurrency must be at least 1 (or use --no-worker)")
        }
        try SecondsOption.check(sessionIdleTimeout, option: "--session-idle-timeout")
        try SecondsOption.check(lease, option: "--lease")
        guard maxSessions > 0 else {
            throw ValidationError("--max-sessions must be greater than 0")
        }
        if let http {
            guard let address = MCPListenAddress(http) else {
                throw ValidationError("--http takes host:port, e.g. 127.0.0.1:8765")
            }
            if !address.isLoopback || !allowHosts.isEmpty, Self.token == nil {
                throw ValidationError(
                    "--http on \(address.host)\(allowHosts.isEmpty ? "" : " with --allow-host") can be reached from other machines: set \(Self.tokenVariable) to a secret that clients send as Authorization: Bearer <token>, or listen on 127.0.0.1"
                )
            }
        }
    }

    /// The environment variable holding the bearer token of `--http` (never a flag: flags show in
    /// process listings).
    static let tokenVariable = "POLLSTER_MCP_TOKEN"

    static var token: String? {
        Environment.value(tokenVariable).flatMap { $0.isEmpty ? nil : $0 }
    }

    func run() async throws {
        let logger = Logger(label: "pollster.mcp")
        try await LiveSetup.with(engine, store, logger: logger) { setup in
            let (taskStore, place) = (setup.store, setup.place)
            try await engine.withEngine(registry: setup.registry) { pollster in
                let server = PollsterMCPServer(
                    service: TaskService(store: taskStore, pollster: pollster),
                    configuration: configuration(), logger: logger)
                logger.info("MCP server over tasks in \(place)")
                let session = MCPService(
                    server: server, http: http.flatMap(MCPListenAddress.init),
                    access: MCPHTTPAccess(
                        bearerToken: Self.token, allowedHosts: allowHosts, allowedOrigins: allowOrigins),
                    sessions: MCPHTTPSessionLimits(
                        idleTimeout: .milliseconds(Int64(sessionIdleTimeout * 1000)), maxSessions: maxSessions
                    ),
                    connections: connections.limits)
                try await shutdown.run(
                    setup.services.map { .init(service: $0) }
                        + [.init(service: session, successTerminationBehavior: .gracefullyShutdownGroup)],
                    logger: logger)
            }
        }
    }

    private func configuration() -> PollsterMCPServer.Configuration {
        PollsterMCPServer.Configuration(
            naming: ToolNaming(separator: toolSeparator),
            taskOptions: TaskOptions(baseUrlOverride: engine.baseUrl, pollIntervalSeconds: pollInterval),
            worker: noWorker
                ? nil
                : TaskWorker.Configuration(
                    concurrency: concurrency, lease: .milliseconds(Int64(lease * 1000)), filesDirectory: files
                ))
    }
}

/// `host:port` of `--http`.
struct MCPListenAddress {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port), colon > text.startIndex
        else { return nil }
        self.host = String(text[..<colon])
        self.port = port
    }

    /// Whether only this machine can connect.
    var isLoopback: Bool { AddressPolicy.isLoopback(host: host) }
}

/// One MCP session (stdio) or listener (HTTP) as a service, so SIGTERM/SIGINT end it gracefully.
struct MCPService: Service {
    let server: PollsterMCPServer
    let http: MCPListenAddress?
    let access: MCPHTTPAccess
    let sessions: MCPHTTPSessionLimits
    let connections: ConnectionLimits

    func run() async throws {
        guard let http else { return try await server.runStdio() }
        try await server.runHTTP(
            host: http.host, port: http.port, access: access, sessions: sessions,
            connections: connections
        ) {
            port in
            let auth = access.bearerToken == nil ? "no token: loopback only" : "bearer token required"
            Console.error("pollster mcp: listening on http://\(http.host):\(port)/mcp (\(auth))")
        }
    }
}
