import NIOCore
import NIOHTTP1
import PollsterCore

/// Sends HTTP requests for the engine: the real network, recorded fixtures, or anything else.
///
/// Implementations must provide `stream`; `send` collects a bounded body on top of it unless the
/// implementation has a cheaper way (`HTTPClientTransport` does).
public protocol Transport: Sendable {
    /// Sends `request` and hands the response (head and streaming body) to `handle`.
    ///
    /// The body must be consumed or abandoned inside `handle`.
    /// - Throws: `TransportFailure` when no response arrived, or what `handle` throws.
    func stream<Result>(
        _ request: TransportRequest, _ handle: (TransportResponseHead, TransportBody) async throws -> Result
    ) async throws -> Result

    /// Sends `request` and collects the body.
    /// - Throws: `RESPONSE_TOO_LARGE` when the body exceeds `maxBodyBytes`; `TransportFailure`.
    func send(_ request: TransportRequest, maxBodyBytes: Int) async throws -> TransportResponse
}

extension Transport {
    /// The largest body `send(_:)` collects: API answers, not files.
    public static var defaultMaxBodyBytes: Int { 16 * 1024 * 1024 }

    /// Sends `request` and collects a body of up to `defaultMaxBodyBytes`.
    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        try await send(request, maxBodyBytes: Self.defaultMaxBodyBytes)
    }

    /// Collects the body from `stream`.
    public func send(_ request: TransportRequest, maxBodyBytes: Int) async throws -> TransportResponse {
        try await stream(request) { head, body in
            if let length = head.headers.first(name: "Content-Length").flatMap(Int.init),
                length > maxBodyBytes
            {
                throw PollsterError(
                    .responseTooLarge,
                    "\(request.method) \(Redactor.redactURL(request.url)) answered \(length) bytes, more than the \(maxBodyBytes)-byte limit"
                )
            }
            var collected = ByteBuffer()
            for try await chunk in body {
                guard collected.readableBytes + chunk.readableBytes <= maxBodyBytes else {
                    throw PollsterError.tooLarge(request, limit: maxBodyBytes)
                }
                var chunk = chunk
                collected.writeBuffer(&chunk)
            }
            return TransportResponse(
                status: head.status, headers: head.headers, body: Array(buffer: collected))
        }
    }
}

/// One request as the engine builds it.
public struct TransportRequest: Sendable, Equatable {
    /// `GET`, `POST`, …
    public var method: String
    /// The absolute URL.
    public var url: String
    /// Headers to send.
    public var headers: HTTPHeaders
    /// The body, if any.
    public var body: [UInt8]?
    /// Time allowed for the whole exchange up to the end of the body.
    public var timeout: Duration

    /// A request from its parts.
    public init(
        method: String, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil,
        timeout: Duration = .seconds(60)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// Status and headers of a response.
public struct TransportResponseHead: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The response headers.
    public var headers: HTTPHeaders

    /// A head from its parts.
    public init(status: Int, headers: HTTPHeaders) {
        self.status = status
        self.headers = headers
    }
}

/// A response with its whole body.
public struct TransportResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The response headers.
    public var headers: HTTPHeaders
    /// The body bytes.
    public var body: [UInt8]

    /// A response from its parts.
    public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A response body as a sequence of chunks.
public struct TransportBody: AsyncSequence {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error

    private let base: any AsyncSequence<ByteBuffer, any Error>

    /// Wraps any sequence of chunks.
    public init(_ base: some AsyncSequence<ByteBuffer, any Error>) { self.base = base }

    /// A body made of the given chunks.
    public init(chunks: [ByteBuffer]) { self.init(ChunkSequence(chunks: chunks)) }

    public func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator()) }

    /// Iterates the chunks.
    public struct Iterator: AsyncIteratorProtocol {
        var base: any AsyncIteratorProtocol<ByteBuffer, any Error>

        public mutating func next() async throws -> ByteBuffer? { try await base.next() }
    }

    private struct ChunkSequence: AsyncSequence {
        typealias Element = ByteBuffer
        typealias Failure = any Error
        let chunks: [ByteBuffer]
        func makeAsyncIterator() -> ChunkIterator { ChunkIterator(chunks: chunks) }
    }

    private struct ChunkIterator: AsyncIteratorProtocol {
        typealias Element = ByteBuffer
        typealias Failure = any Error
        var chunks: [ByteBuffer]
        var index = 0
        mutating func next() async throws -> ByteBuffer? {
            guard index < chunks.count else { return nil }
            defer { index += 1 }
            return chunks[index]
        }
    }
}

/// A request that got no HTTP response.
public struct TransportFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The connection was never made (refused, DNS failure): the request was not sent.
        case notConnected
        /// The TLS handshake failed — the server's certificate is not trusted or does not match
        /// its name, or the server does not speak TLS: the request was not sent, and sending it
        /// again fails the same way until the configuration changes.
        case tlsFailed
        /// The time ran out.
        case timeout
        /// The connection broke after the request may have been sent.
        case connectionLost
        /// Anything else.
        case other
    }

    /// The kind.
    public var kind: Kind
    /// A short description without secrets.
    public var message: String

    /// A failure from its parts.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// True when the request certainly did not reach the server.
    public var requestWasNotSent: Bool { kind == .notConnected || kind == .tlsFailed }

    /// True when sending the request again cannot succeed as things are configured.
    public var isPermanent: Bool { kind == .tlsFailed }

    public var description: String { message }
}

extension PollsterError {
    /// `RESPONSE_TOO_LARGE` for a body longer than `send`'s limit.
    static func tooLarge(_ request: TransportRequest, limit: Int) -> PollsterError {
        PollsterError(
            .responseTooLarge,
            "\(request.method) \(Redactor.redactURL(request.url)) answered more than the \(limit)-byte limit")
    }
}

extension HTTPHeaders {
    /// The first value of a header (case-insensitive).
    package func first(name: String) -> String? { self[name].first }
}
