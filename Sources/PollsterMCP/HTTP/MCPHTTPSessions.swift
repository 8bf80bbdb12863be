import Foundation
import Logging
import MCP

/// The Streamable HTTP sessions of one server: an SDK `Server` and a
/// `StatefulHTTPServerTransport` per `MCP-Session-Id`, created by an `initialize` POST and ended
/// by DELETE, by `MCPHTTPSessionLimits` (idle too long, or the least recently used when too many
/// are open), or when the listener stops. The worker is shared by all of them. Every request
/// passes `MCPHTTPAccess` first (bearer token, then the SDK's Host/Origin checks).
actor MCPHTTPSessions {
    private struct Entry {
        let transport: StatefulHTTPServerTransport
        let session: MCPSession
        /// When the client last sent a request in this session.
        var lastUsed: ContinuousClock.Instant

        /// Neither a request nor a tool call in this session since `since`.
        func isIdle(since: ContinuousClock.Instant) -> Bool {
            lastUsed < since && !session.isCalling
        }
    }

    private struct FixedSessionID: SessionIDGenerator {
        let id: String
        func generateSessionID() -> String { id }
    }

    private let owner: PollsterMCPServer
    private let access: MCPHTTPAccess
    private let cancels: AsyncStream<String>.Continuation
    private let logger: Logger
    private let limits: MCPHTTPSessionLimits
    private var sessions: [String: Entry] = [:]
    /// When idle sessions were last looked for.
    private var swept = ContinuousClock.now
    /// True once the listener shuts down: no request is served any more.
    private var closed = false
    /// Sessions as they start, for the listener to run their status notifications.
    nonisolated let started: AsyncStream<MCPSession>
    private let startedSink: AsyncStream<MCPSession>.Continuation

    init(
        owner: PollsterMCPServer, access: MCPHTTPAccess, limits: MCPHTTPSessionLimits,
        cancels: AsyncStream<String>.Continuation, logger: Logger
    ) {
        self.owner = owner
        self.access = access
        self.limits = limits
        self.cancels = cancels
        self.logger = logger
        (started, startedSink) = AsyncStream.makeStream(of: MCPSession.self)
    }

    /// Routes one HTTP request to its session, or starts a session for an `initialize`.
    func handle(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        if let refusal = access.refusal(request) { return refusal }
        if closed { return Self.shuttingDown }
        let now = ContinuousClock.now
        if now - swept >= min(limits.idleTimeout / 4, .seconds(60)) { await closeIdle(at: now) }
        let id = request.header(HTTPHeaderName.sessionID)
        if let id, let entry = sessions[id] {
            sessions[id]?.lastUsed = now
            let response = await entry.transport.handleRequest(request)
            if request.method.uppercased() == "DELETE" && response.statusCode == 200 {
                sessions[id] = nil
                await close(entry)
            }
            return response
        }
        if request.method.uppercased() == "POST", Self.isInitialize(request.body) {
            return await start(request)
        }
        if id != nil {
            return .error(statusCode: 404, .invalidRequest("Not Found: session not found or expired"))
        }
        return .error(
            statusCode: 400, .invalidRequest("Bad Request: missing \(HTTPHeaderName.sessionID) header"))
    }

    /// Stops every session and the stream of started ones; later requests get 503.
    func closeAll() async {
        closed = true
        startedSink.finish()
        let entries = sessions.values
        sessions = [:]
        for entry in entries { await close(entry) }
    }

    /// Closes the sessions idle for longer than `limits.idleTimeout`.
    private func closeIdle(at now: ContinuousClock.Instant) async {
        swept = now
        let idle = sessions.filter { $0.value.isIdle(since: now - limits.idleTimeout) }
        for (id, entry) in idle {
            sessions[id] = nil
            logger.info("mcp session closed: idle", metadata: ["session": "\(id)"])
            await close(entry)
        }
    }

    /// Makes room for a new session: closes the least recently used idle one when
    /// `limits.maxSessions` are open.
    /// - Returns: false when every open session is busy.
    private func makeRoom() async -> Bool {
        guard sessions.count >= limits.maxSessions else { return true }
        let now = ContinuousClock.now
        guard
            let (id, entry) = sessions.filter({ $0.value.isIdle(since: now) })
                .min(by: { $0.value.lastUsed < $1.value.lastUsed })
        else { return false }
        sessions[id] = nil
        logger.info("mcp session closed: too many open", metadata: ["session": "\(id)"])
        await close(entry)
        return true
    }

    private func start(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        guard await makeRoom() else {
            return .error(
                statusCode: 503,
                .internalError(
                    "Service Unavailable: \(limits.maxSessions) sessions are open and each is running a tool call; end unused sessions with DELETE or try again later"
                ))
        }
        let id = UUID().uuidString
        let transport = StatefulHTTPServerTransport(
            sessionIDGenerator: FixedSessionID(id: id), validationPipeline: access.validationPipeline,
            logger: logger)
        let session = await owner.makeSession(cancels: cancels)
        do {
            try await session.server.start(
                transport: TaskCapabilityTransport(wrapping: transport, logger: logger))
        } catch {
            return .error(statusCode: 500, .internalError("cannot start a session: \(error)"))
        }
        let response = await transport.handleRequest(request)
        let entry = Entry(transport: transport, session: session, lastUsed: .now)
        // Not kept when refused, or when the listener began shutting down meanwhile (nothing
        // would close it then).
        if case .error = response {
            await close(entry)
            return response
        }
        if closed {
            await close(entry)
            return Self.shuttingDown
        }
        sessions[id] = entry
        startedSink.yield(session)
        return response
    }

    private func close(_ entry: Entry) async {
        entry.session.stop()
        await entry.session.server.stop()
    }

    /// The answer once the listener is shutting down.
    private static let shuttingDown = MCP.HTTPResponse.error(
        statusCode: 503,
        .internalError("Service Unavailable: the server is shutting down; connect again later"))

    /// Whether `body` is a JSON-RPC `initialize` request.
    static func isInitialize(_ body: Data?) -> Bool {
        guard let body, case .object(let message)? = try? JSONDecoder().decode(Value.self, from: body) else {
            return false
        }
        return message["method"] == "initialize"
    }
}
