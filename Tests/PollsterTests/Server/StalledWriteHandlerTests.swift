import Logging
import NIOCore
import NIOEmbedded
import Pollster
import Testing

/// `StalledWriteHandler`'s rule, on an embedded channel whose writability and clock the test
/// sets: a connection closes once its writes have waited `limit` (2 s here) without a pause.
@Suite("StalledWriteHandler")
struct StalledWriteHandlerTests {
    enum Step: Sendable, CustomStringConvertible {
        /// The channel's buffered writes pass its high-water mark, or drop below the low one.
        case unwritable, writable
        case wait(milliseconds: Int64)
        /// The handler leaves the pipeline.
        case removeHandler

        var description: String {
            switch self {
            case .unwritable: "unwritable"
            case .writable: "writable"
            case .wait(let milliseconds): "\(milliseconds) ms"
            case .removeHandler: "handler removed"
            }
        }
    }

    static let cases: [(String, [Step], closed: Bool)] = [
        ("always writable", [.wait(milliseconds: 10_000)], false),
        ("unwritable for the limit", [.unwritable, .wait(milliseconds: 2000)], true),
        ("unwritable for less than the limit", [.unwritable, .wait(milliseconds: 1990)], false),
        (
            "writable again in time, then unwritable again for less than the limit",
            [.unwritable, .wait(milliseconds: 1500), .writable, .unwritable, .wait(milliseconds: 1500)], false
        ),
        (
            "writable again for a while, then unwritable for the limit",
            [
                .unwritable, .wait(milliseconds: 1500), .writable, .wait(milliseconds: 1000), .unwritable,
                .wait(milliseconds: 2000),
            ],
            true
        ),
        (
            "the handler removed before the limit", [.unwritable, .removeHandler, .wait(milliseconds: 3000)],
            false
        ),
        (
            "a second unwritable report keeps the first deadline",
            [.unwritable, .wait(milliseconds: 1000), .unwritable, .wait(milliseconds: 1000)], true
        ),
    ]

    @Test("closes the connection only after the limit without writability", arguments: cases)
    func closesAfterTheLimit(_ name: String, _ steps: [Step], closed: Bool) async throws {
        let handler = StalledWriteHandler(limit: .seconds(2), logger: Logger(label: "test"))
        let channel = EmbeddedChannel(handler: handler)
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).get()
        for step in steps {
            switch step {
            case .unwritable, .writable:
                channel.isWritable = step.isWritable
                channel.pipeline.fireChannelWritabilityChanged()
            case .wait(let milliseconds):
                channel.embeddedEventLoop.advanceTime(by: .milliseconds(milliseconds))
            case .removeHandler:
                channel.pipeline.syncOperations.removeHandler(handler, promise: nil)
            }
        }
        #expect(!channel.isActive == closed, "\(name): \(steps)")
        if channel.isActive { _ = try channel.finish() }
    }

    @Test("a handler added to a channel that is already unwritable closes it after the limit")
    func addedWhileUnwritable() async throws {
        let channel = EmbeddedChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).get()
        channel.isWritable = false
        try channel.pipeline.syncOperations.addHandler(
            StalledWriteHandler(limit: .seconds(2), logger: Logger(label: "test")))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1990))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(10))
        #expect(!channel.isActive)
    }
}

extension StalledWriteHandlerTests.Step {
    fileprivate var isWritable: Bool {
        if case .writable = self { true } else { false }
    }
}

/// `ConnectionLimitHandler`: connections past the limit are closed as they arrive; a closed
/// one frees its place.
@Suite("ConnectionLimitHandler")
struct ConnectionLimitHandlerTests {
    @Test("the connection past the limit is closed; closing one makes room for the next")
    func capsOpenConnections() async throws {
        let open = OpenConnections(limit: 2, logger: Logger(label: "test"))
        func connection() async throws -> EmbeddedChannel {
            let channel = EmbeddedChannel()
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).get()
            try channel.pipeline.syncOperations.addHandler(ConnectionLimitHandler(open))
            return channel
        }
        let first = try await connection()
        let second = try await connection()
        let third = try await connection()
        #expect(first.isActive && second.isActive)
        #expect(!third.isActive)
        _ = try first.finish()
        let fourth = try await connection()
        #expect(fourth.isActive)
        #expect(!(try await connection()).isActive)
        _ = try second.finish()
        _ = try fourth.finish()
    }
}
