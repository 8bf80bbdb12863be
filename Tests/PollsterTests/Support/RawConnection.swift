import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A TCP client sending raw bytes, for clients that misbehave: one that never reads the answer
/// (once the socket buffers are full, the server's writes wait, as for a client whose network
/// stalled), or one that sends a request head and stops.
struct RawConnection {
    let channel: any Channel
    private let received: ReceivedBytes

    /// Connects to the host and port of `base` (`http://host:port`).
    /// - Parameter reading: false: nothing is read until `readToEnd`, with a small receive buffer.
    static func connect(to base: String, reading: Bool = true) async throws -> RawConnection {
        guard let url = URL(string: base), let host = url.host, let port = url.port else {
            throw BadBase(base: base)
        }
        let received = ReceivedBytes(allowed: reading ? .max : 0)
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: reading)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteCounter(received: received))
                }
            }
        if !reading { bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: 4096) }
        let channel = try await bootstrap.connect(host: host, port: port).get()
        return RawConnection(channel: channel, received: received)
    }

    struct BadBase: Error {
        let base: String
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Lets a connection opened with `reading: false` read `bytes` more, then stop again.
    /// - Returns: whether the connection is still open.
    func read(_ bytes: Int) async throws -> Bool {
        received.allowed.add(bytes, ordering: .relaxed)
        try await channel.setOption(.autoRead, value: true).get()
        return channel.isActive
    }

    /// Reads what the server sends until it closes the connection or `limit` passes.
    /// - Returns: the bytes received since the connection opened, and whether the server closed it.
    func readToEnd(within limit: Duration) async throws -> (bytes: Int, closed: Bool) {
        received.allowed.store(.max, ordering: .relaxed)
        if channel.isActive {
            // It may close meanwhile: then there is nothing more to read.
            try? await channel.setOption(.autoRead, value: true).get()
            channel.read()
        }
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while channel.isActive, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        return (received.count.load(ordering: .relaxed), !channel.isActive)
    }

    /// The first 4 KiB received, as text.
    var start: String { String(decoding: received.start.withLock { $0 }, as: UTF8.self) }

    /// Closes the connection (without waiting for it).
    func close() {
        channel.close(promise: nil)
    }
}

/// How many bytes a `RawConnection` received, and may receive before it stops reading.
private final class ReceivedBytes: Sendable {
    let count = Atomic<Int>(0)
    /// The first 4 KiB received.
    let start = Mutex<[UInt8]>([])
    let allowed: Atomic<Int>

    init(allowed: Int) { self.allowed = Atomic(allowed) }
}

/// Counts the bytes read and drops them; turns `autoRead` off once the bytes allowed arrived.
private final class ByteCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let received: ReceivedBytes

    init(received: ReceivedBytes) { self.received = received }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        received.start.withLock { start in
            start += buffer.readableBytesView.prefix(max(0, 4096 - start.count))
        }
        let count = received.count.add(buffer.readableBytes, ordering: .relaxed).newValue
        if count >= received.allowed.load(ordering: .relaxed) {
            try? context.channel.syncOptions?.setOption(.autoRead, value: false)
        }
    }
}
