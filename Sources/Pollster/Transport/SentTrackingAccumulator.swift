import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// AsyncHTTPClient's `ResponseAccumulator`, noting whether the request's head was written.
///
/// A request that failed before its head was written sent nothing, whatever the error says: a
/// connection reset during the TLS handshake, a deadline that passed while it waited for a
/// connection. Such a failure is `notConnected`, so a submit is sent again rather than reported
/// as possibly created (`SUBMIT_UNCERTAIN`).
final class SentTrackingAccumulator: HTTPClientResponseDelegate {
    typealias Response = HTTPClient.Response

    private let inner: ResponseAccumulator
    private let sent = Atomic<Bool>(false)

    init(_ inner: ResponseAccumulator) { self.inner = inner }

    /// True once the request's head was written to the connection.
    var wasSent: Bool { sent.load(ordering: .acquiring) }

    func didSendRequestHead(task: HTTPClient.Task<Response>, _ head: HTTPRequestHead) {
        sent.store(true, ordering: .releasing)
        inner.didSendRequestHead(task: task, head)
    }

    func didSendRequestPart(task: HTTPClient.Task<Response>, _ part: IOData) {
        inner.didSendRequestPart(task: task, part)
    }

    func didSendRequest(task: HTTPClient.Task<Response>) { inner.didSendRequest(task: task) }

    func didVisitURL(task: HTTPClient.Task<Response>, _ request: HTTPClient.Request, _ head: HTTPResponseHead)
    {
        inner.didVisitURL(task: task, request, head)
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        inner.didReceiveHead(task: task, head)
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        inner.didReceiveBodyPart(task: task, buffer)
    }

    func didReceiveError(task: HTTPClient.Task<Response>, _ error: any Error) {
        inner.didReceiveError(task: task, error)
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        try inner.didFinishRequest(task: task)
    }
}
