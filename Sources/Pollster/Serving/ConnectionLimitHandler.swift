import Logging
import NIOCore
import Synchronization

/// How many client connections a server has open, shared by the `ConnectionLimitHandler` of
/// each of them.
package final class OpenConnections: Sendable {
    /// The most that may be open at once.
    let limit: Int
    private let open = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let logger: Logger

    package init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    /// Counts a new connection in; false when the limit is reached (the connection is not counted).
    func admit() -> Bool {
        if open.add(1, ordering: .relaxed).newValue <= limit { return true }
        open.subtract(1, ordering: .relaxed)
        let count = refused.add(1, ordering: .relaxed).newValue
        // The 1st, 10th, 100th, …: an attack does not flood the log.
        let digits = String(count)
        if digits.first == "1", digits.dropFirst().allSatisfy({ $0 == "0" }) {
            logger.warning(
                "refused a connection: \(limit) are open (--max-connections); \(count) refused so far")
        }
        return false
    }

    /// A counted connection closed.
    func leave() {
        open.subtract(1, ordering: .relaxed)
    }
}

/// Closes a new connection at once when its server already has as many open as allowed, so
/// that clients cannot take every file descriptor the process has (provider requests, outputs
/// and the task store need them too).
package final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = NIOAny

    private let connections: OpenConnections
    private var counted = false

    package init(_ connections: OpenConnections) {
        self.connections = connections
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        if connections.admit() {
            counted = true
        } else {
            context.close(promise: nil)
        }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        if counted { connections.leave() }
        counted = false
    }
}
