import Foundation
import NIOCore
import NIOPosix

/// A TCP client that sends a request and never reads the answer: once the socket buffers are
/// full, the server's writes wait, as for a client whose network stalled.
struct StalledReader {
    let channel: any Channel

    /// Connects to the host and port of `base` (`http://host:port`).
    static func connect(to base: String) async throws -> StalledReader {
        guard let url = URL(string: base), let host = url.host, let port = url.port else {
            throw BadBase(base: base)
        }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: false)
            .channelOption(.socketOption(.so_rcvbuf), value: 4096)
            .connect(host: host, port: port).get()
        return StalledReader(channel: channel)
    }

    struct BadBase: Error {
        let base: String
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Closes the connection (without waiting for it).
    func close() {
        channel.close(promise: nil)
    }
}
