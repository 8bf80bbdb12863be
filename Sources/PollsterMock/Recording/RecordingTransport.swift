import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Pollster
import PollsterCore
import Synchronization

/// A `Transport` that passes every request to another transport and keeps the exchange, for
/// `pollster record`.
///
/// API answers (`send`: submit, polls, result, cancel) are kept whole. Downloads (`stream`) are
/// passed through untouched and only summarised — size, SHA-256 and MIME type — so a recording
/// never holds an output file. Nothing is redacted here: ``RecordedExchange/fixtureJSON(_:)``
/// does that when the recording is written.
public final class RecordingTransport: Transport {
    private let base: any Transport
    private let recorded = Mutex<[RecordedExchange]>([])

    /// A recorder in front of `base` (usually an `HTTPClientTransport`).
    public init(_ base: any Transport) { self.base = base }

    /// The exchanges so far, in the order their answers arrived.
    public var exchanges: [RecordedExchange] { recorded.withLock { $0 } }

    public func send(_ request: TransportRequest, maxBodyBytes: Int) async throws -> TransportResponse {
        let response = try await base.send(request, maxBodyBytes: maxBodyBytes)
        recorded.withLock {
            $0.append(
                RecordedExchange(
                    request: request, status: response.status, headers: response.headers,
                    body: .bytes(response.body)))
        }
        return response
    }

    public func stream<Result>(
        _ request: TransportRequest, _ handle: (TransportResponseHead, TransportBody) async throws -> Result
    ) async throws -> Result {
        let tally = DownloadTally()
        var head: TransportResponseHead?
        defer {
            if let head {
                let summary = tally.summary(head: head, url: request.url)
                recorded.withLock {
                    $0.append(
                        RecordedExchange(
                            request: request, status: head.status, headers: head.headers, body: summary))
                }
            }
        }
        return try await base.stream(request) { responseHead, body in
            head = responseHead
            return try await handle(responseHead, TransportBody(TallyingBody(base: body, tally: tally)))
        }
    }
}

/// One request and its answer as recorded (not yet redacted).
public struct RecordedExchange: Sendable {
    /// What was kept of the response body.
    public enum Body: Sendable, Equatable {
        /// The whole body (API answers).
        case bytes([UInt8])
        /// A file's summary (downloads): the bytes read, their SHA-256 (hex) and MIME type.
        case omitted(size: Int, sha256: String, mimeType: String)
    }

    /// The request as the engine sent it.
    public var request: TransportRequest
    /// The response status.
    public var status: Int
    /// The response headers.
    public var headers: HTTPHeaders
    /// The response body, or its summary.
    public var body: Body
}

/// Counts and hashes a download as the engine reads it.
private final class DownloadTally: Sendable {
    private struct State {
        var hash = SHA256()
        var size = 0
        var prefix: [UInt8] = []
    }

    private let state = Mutex(State())

    func add(_ chunk: ByteBuffer) {
        state.withLock { state in
            chunk.withUnsafeReadableBytes { state.hash.update(bufferPointer: $0) }
            state.size += chunk.readableBytes
            if state.prefix.count < 64 {
                state.prefix +=
                    chunk.getBytes(
                        at: chunk.readerIndex, length: min(64 - state.prefix.count, chunk.readableBytes))
                    ?? []
            }
        }
    }

    func summary(head: TransportResponseHead, url: String) -> RecordedExchange.Body {
        state.withLock { state in
            let digest = SHA256Hex.hex(state.hash.finalize())
            let mime = MIMEType.resolve(
                contentType: head.headers["Content-Type"].first, prefix: state.prefix, url: url)
            return .omitted(size: state.size, sha256: digest, mimeType: mime)
        }
    }
}

/// A body that feeds every chunk to a ``DownloadTally`` on its way to the reader.
private struct TallyingBody: AsyncSequence {
    typealias Element = ByteBuffer
    typealias Failure = any Error

    let base: TransportBody
    let tally: DownloadTally

    func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator(), tally: tally) }

    struct Iterator: AsyncIteratorProtocol {
        var base: TransportBody.Iterator
        let tally: DownloadTally

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            tally.add(chunk)
            return chunk
        }
    }
}
