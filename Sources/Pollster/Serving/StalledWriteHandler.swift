import Logging
import NIOCore
import PollsterCore

/// Closes a connection whose writes have waited for its peer longer than a limit.
///
/// A channel stops being writable when more than its high-water mark (64 KiB) waits to be
/// sent, and becomes writable again below its low-water mark (32 KiB). A client that stops
/// reading a large file or an event stream leaves it unwritable: the response's write waits,
/// holding the connection, the open file and the response task. Hummingbird's idle timeout does
/// not apply while a response is being written, so this handler closes such a connection; the
/// waiting write then fails and the response ends.
package final class StalledWriteHandler: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = NIOAny

    private let limit: Duration
    private let logger: Logger
    private var closing: Scheduled<Void>?

    /// A handler closing its connection after `limit` without writability.
    package init(limit: Duration, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive, !context.channel.isWritable { armClose(context) }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        disarmClose()
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            disarmClose()
        } else if closing == nil {
            armClose(context)
        }
        context.fireChannelWritabilityChanged()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        disarmClose()
        context.fireChannelInactive()
    }

    private func armClose(_ context: ChannelHandlerContext) {
        closing = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limit)) { [self] in
            closing = nil
            logger.warning(
                "closing the connection from \(context.remoteAddress?.description ?? "an unknown address"): its client read too little of the response for it to go on for \(limit.seconds) s"
            )
            context.close(promise: nil)
        }
    }

    private func disarmClose() {
        closing?.cancel()
        closing = nil
    }
}
