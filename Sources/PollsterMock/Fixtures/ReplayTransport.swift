import NIOCore
import Pollster
import PollsterCore
import Synchronization

/// A `Transport` that serves a fixture's responses in order.
///
/// A request that is not the next one recorded (method and URL must match) is refused
/// with a `TransportFailure` and remembered in `unexpectedRequests`, so a test can fail on it.
public final class ReplayTransport: Transport {
    private struct State {
        var next = 0
        var unexpected: [String] = []
    }

    private let fixture: Fixture
    private let state = Mutex(State())

    /// A transport replaying `fixture`.
    public init(fixture: Fixture) { self.fixture = fixture }

    /// Requests that did not match the next exchange, as `METHOD URL (expected …)`.
    public var unexpectedRequests: [String] { state.withLock { $0.unexpected } }

    /// Exchanges not yet served.
    public var remainingExchanges: Int { state.withLock { fixture.exchanges.count - $0.next } }

    public func stream<Result>(
        _ request: TransportRequest, _ handle: (TransportResponseHead, TransportBody) async throws -> Result
    ) async throws -> Result {
        let exchange: Fixture.Exchange = try state.withLock { state in
            guard state.next < fixture.exchanges.count else {
                let message = "\(request.method) \(request.url) (the fixture has no more exchanges)"
                state.unexpected.append(message)
                throw TransportFailure(.other, "unexpected request: \(message)")
            }
            let expected = fixture.exchanges[state.next]
            guard expected.method == request.method.uppercased(), expected.url == request.url else {
                let message = "\(request.method) \(request.url) (expected \(expected.method) \(expected.url))"
                state.unexpected.append(message)
                throw TransportFailure(.other, "unexpected request: \(message)")
            }
            state.next += 1
            return expected
        }
        var chunks: [ByteBuffer] = []
        var offset = 0
        while offset < exchange.body.count {
            let end = min(offset + 64 * 1024, exchange.body.count)
            chunks.append(ByteBuffer(bytes: exchange.body[offset..<end]))
            offset = end
        }
        return try await handle(
            TransportResponseHead(status: exchange.status, headers: exchange.headers),
            TransportBody(chunks: chunks))
    }
}
