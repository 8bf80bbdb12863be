import Foundation
import Logging
import MCP

/// Passes messages through to another transport, adding the `tasks` server capability to the
/// `initialize` result on the way out.
///
/// The SDK's `Server.Capabilities` is a closed struct without `tasks`, and its `initialize` handler
/// is registered by `start`, so the capability is added to the encoded answer instead: the one
/// result that carries `protocolVersion`, `serverInfo` and `capabilities`.
actor TaskCapabilityTransport: Transport {
    /// What 2025-11-25 servers declare for task-augmented `tools/call`, `tasks/list` and `tasks/cancel`.
    static let capability: Value = ["list": [:], "cancel": [:], "requests": ["tools": ["call": [:]]]]

    private let inner: any Transport
    nonisolated let logger: Logger

    /// Wraps `inner`. The SDK logs through this logger; it reports a client that hangs up as an
    /// error, so its messages are kept only when `logger` is at debug level or below.
    init(wrapping inner: any Transport, logger: Logger) {
        self.inner = inner
        var quiet = logger
        if quiet.logLevel > .debug { quiet.logLevel = .critical }
        self.logger = quiet
    }

    /// Connects the inner transport and takes its stream of incoming messages.
    func connect() async throws {
        try await inner.connect()
        innerStream = await inner.receive()
    }

    func disconnect() async { await inner.disconnect() }

    /// The inner transport's stream (taken in `connect`, as the server asks only after it).
    func receive() -> AsyncThrowingStream<Data, any Error> {
        if let innerStream { return innerStream }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
        continuation.finish(throwing: MCPError.internalError("receive() before connect()"))
        return stream
    }

    private var innerStream: AsyncThrowingStream<Data, any Error>?

    func send(_ data: Data) async throws {
        try await inner.send(Self.addingCapability(to: data))
    }

    /// `data` with `result.capabilities.tasks` when it is the `initialize` result, else unchanged.
    static func addingCapability(to data: Data) -> Data {
        guard data.range(of: Data(#""serverInfo""#.utf8)) != nil,
            case .object(var message)? = try? JSONDecoder().decode(Value.self, from: data),
            case .object(var result)? = message["result"], result["protocolVersion"] != nil,
            case .object(var capabilities)? = result["capabilities"]
        else { return data }
        capabilities["tasks"] = capability
        result["capabilities"] = .object(capabilities)
        message["result"] = .object(result)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(Value.object(message))) ?? data
    }
}
