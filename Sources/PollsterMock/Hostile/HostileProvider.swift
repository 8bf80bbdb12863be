import NIOCore
import NIOHTTP1
import Pollster
import PollsterCore
import Synchronization

/// A `Transport` that plays a provider whose answers are written by the test: for the security
/// tests, which need answers no honest provider gives (a `Content-Disposition` naming a user's
/// file, a body that echoes a secret, …).
///
/// ```swift
/// let provider = HostileProvider { request in
///     request.url.hasSuffix("/submit")
///         ? .json(#"{"id": "t1", "status": "done", "video_url": "https://cdn.test/v.mp4"}"#)
///         : HostileProvider.Answer(status: 200, headers: ["Content-Disposition": "attachment; filename=notes.txt"], body: [1, 2])
/// }
/// ```
public final class HostileProvider: Transport {
    /// One response.
    public struct Answer: Sendable {
        /// The HTTP status.
        public var status: Int
        /// The headers.
        public var headers: HTTPHeaders
        /// The body.
        public var body: [UInt8]

        /// An answer from its parts.
        public init(status: Int = 200, headers: HTTPHeaders = [:], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// A JSON answer.
        public static func json(_ text: String, status: Int = 200) -> Answer {
            Answer(status: status, headers: ["Content-Type": "application/json"], body: Array(text.utf8))
        }
    }

    private let answer: @Sendable (TransportRequest) -> Answer
    private let sent = Mutex<[TransportRequest]>([])

    /// A provider answering each request with `answer(request)`.
    public init(_ answer: @escaping @Sendable (TransportRequest) -> Answer) { self.answer = answer }

    /// Every request received, in order.
    public var requests: [TransportRequest] { sent.withLock { $0 } }

    public func stream<Result>(
        _ request: TransportRequest, _ handle: (TransportResponseHead, TransportBody) async throws -> Result
    ) async throws -> Result {
        sent.withLock { $0.append(request) }
        let reply = answer(request)
        return try await handle(
            TransportResponseHead(status: reply.status, headers: reply.headers),
            TransportBody(chunks: reply.body.isEmpty ? [] : [ByteBuffer(bytes: reply.body)]))
    }
}
