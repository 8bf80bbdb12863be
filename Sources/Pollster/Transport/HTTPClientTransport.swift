import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PollsterCore
import Synchronization

/// The real network, through one shared AsyncHTTPClient.
///
/// Redirects are never followed automatically (the downloader follows them itself so
/// that each hop passes the URL policy, and API calls must not carry credentials to
/// another origin). Call `shutdown()` when done.
public final class HTTPClientTransport: Transport {
    private let client: HTTPClient
    private let budget: ReadAheadBudget?
    private let streams: ConcurrencyLimiter?
    /// Why the configuration cannot be used (an unreadable certificates file); every request fails with it.
    private let unusable: String?
    /// Set by `shutdown`: the client then answers requests with a task that never tells its
    /// delegate, so a stream would wait for its head forever.
    private let isShutDown = Atomic(false)

    /// Connection and idle-read limits.
    public struct Configuration: Sendable {
        /// Time allowed to open a connection.
        public var connectTimeout: Duration = .seconds(10)
        /// Time allowed between two reads once the response started (bodies can stall).
        public var readTimeout: Duration = .seconds(60)
        /// Idle connections kept per host.
        public var maxConnectionsPerHost: Int = 64
        /// Bytes all streamed bodies together may read ahead of their readers (downloads); 0:
        /// each body only by its own limit (docs/benchmarks.md, scenario 4).
        public var readAheadBudgetBytes: Int = 4 << 20
        /// Streamed bodies (downloads) in flight at once; later ones wait their turn before their
        /// request is sent. Each connection that carries a body keeps read buffers of up to
        /// 64 KiB per part in flight, so this bounds the memory of many outputs downloading at
        /// once (docs/benchmarks.md, scenario 4); a body that stalls holds its turn until
        /// `readTimeout`. 0: no limit (AsyncHTTPClient's connection pool still queues).
        public var maxConcurrentStreams: Int = 16
        /// AsyncHTTPClient's span per request, sent to the tracer bootstrapped through
        /// swift-distributed-tracing's `InstrumentationSystem`. Off by default: even with no tracer
        /// bootstrapped, each request made a no-op span (about 5 % of a poll's CPU).
        public var requestSpans = false
        /// A PEM file of CA certificates to trust besides the system's (a company's own CA, a
        /// provider simulator's self-signed certificate). A file that cannot be read fails every
        /// request at once with `TRANSPORT_ERROR` naming the file (nothing is sent).
        public var trustedCertificatesFile: String?

        /// Default limits.
        public init() {}
    }

    /// A transport with its own client.
    public init(configuration: Configuration = Configuration()) {
        var config = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .nanoseconds(Int64(configuration.connectTimeout.seconds * 1e9)),
                read: .nanoseconds(Int64(configuration.readTimeout.seconds * 1e9))))
        config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.maxConnectionsPerHost
        if !configuration.requestSpans { config.tracing.tracer = nil }
        var unusable: String?
        if let file = configuration.trustedCertificatesFile {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(file)
                if certificates.isEmpty { throw NIOSSLError.failedToLoadCertificate }
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.additionalTrustRoots = [.certificates(certificates)]
                config.tlsConfiguration = tls
            } catch {
                unusable =
                    "the certificates to trust cannot be read from \(file) (\(error)); check trustedCertificatesFile (the CLI's --ca-file or $SSL_CERT_FILE): a PEM file of CA certificates"
            }
        }
        self.unusable = unusable
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: config)
        budget =
            configuration.readAheadBudgetBytes > 0
            ? ReadAheadBudget(limit: configuration.readAheadBudgetBytes) : nil
        streams =
            configuration.maxConcurrentStreams > 0
            ? ConcurrencyLimiter(limit: configuration.maxConcurrentStreams) : nil
    }

    /// Bytes streamed bodies hold read ahead of their readers now.
    public var readAheadBytes: Int { budget?.used ?? 0 }

    /// Closes the client's connections.
    public func shutdown() async throws {
        isShutDown.store(true, ordering: .relaxed)
        try await client.shutdown()
    }

    /// Streams the response body with read-ahead (`ReadAheadDelegate`).
    public func stream<Result>(
        _ request: TransportRequest, _ handle: (TransportResponseHead, TransportBody) async throws -> Result
    ) async throws -> Result {
        try checkUsable(request)
        if let streams { try await streams.acquire() }
        defer { streams?.release() }
        // Before the delegate: a delegate dropped unused leaves its head promise and its body's
        // source unfinished, which NIO treats as a fatal error.
        let outgoing: HTTPClient.Request
        do {
            outgoing = try Self.outgoing(request)
        } catch {
            throw Self.failure(error, request: request)
        }
        let eventLoop = client.eventLoopGroup.next()
        let delegate = ReadAheadDelegate(eventLoop: eventLoop, budget: budget)
        let body = delegate.makeBody()
        // The deadline covers the whole exchange, body included (as in `send`).
        let task = client.execute(
            request: outgoing, delegate: delegate, eventLoop: .delegate(on: eventLoop),
            deadline: Self.deadline(request))
        delegate.attach(task)
        let head: HTTPResponseHead
        do {
            head = try await withTaskCancellationHandler {
                try await delegate.head.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            throw Self.failure(error, request: request)
        }
        return try await withTaskCancellationHandler {
            try await handle(
                TransportResponseHead(status: Int(head.status.code), headers: head.headers),
                TransportBody(
                    ReadAheadBody(
                        base: body, taken: { delegate.taken($0) },
                        transform: { Self.failure($0, request: request) })))
        } onCancel: {
            task.cancel()
        }
    }

    /// Sends `request` and collects its body, through AsyncHTTPClient's future-based API: the
    /// response is read on the event loop and the calling task resumes once, with the whole answer,
    /// instead of once per part of it (fewer thread hops, a shallow async stack while waiting).
    public func send(_ request: TransportRequest, maxBodyBytes: Int) async throws -> TransportResponse {
        try checkUsable(request)
        let task: HTTPClient.Task<HTTPClient.Response>
        let delegate: SentTrackingAccumulator
        do {
            let outgoing = try Self.outgoing(request)
            delegate = SentTrackingAccumulator(
                ResponseAccumulator(request: outgoing, maxBodySize: maxBodyBytes))
            // This API's deadline covers the whole exchange, body included (it fails the task in
            // every state; HTTPClientTransportTests.trickledBodyTimesOut), so no timer of our own:
            // one set from this thread would wake the event loop to schedule and to cancel it.
            task = client.execute(request: outgoing, delegate: delegate, deadline: Self.deadline(request))
        } catch {
            throw Self.failure(error, request: request)
        }
        let response: HTTPClient.Response
        do {
            response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch is ResponseAccumulator.ResponseTooBigError {
            throw PollsterError.tooLarge(request, limit: maxBodyBytes)
        } catch {
            throw Self.failure(error, request: request, sent: delegate.wasSent)
        }
        return TransportResponse(
            status: Int(response.status.code), headers: response.headers,
            body: response.body.map { Array(buffer: $0) } ?? [])
    }

    /// Fails before sending anything when the configuration cannot be used.
    private func checkUsable(_ request: TransportRequest) throws {
        if isShutDown.load(ordering: .relaxed) {
            throw TransportFailure(
                .notConnected,
                "\(request.method) \(Redactor.stripQuery(request.url)): the transport was shut down")
        }
        guard let unusable else { return }
        throw TransportFailure(
            .notConnected, "\(request.method) \(Redactor.stripQuery(request.url)): \(unusable)")
    }

    private static func outgoing(_ request: TransportRequest) throws -> HTTPClient.Request {
        try HTTPClient.Request(
            url: request.url, method: HTTPMethod(rawValue: request.method), headers: request.headers,
            body: request.body.map { .bytes($0) })
    }

    private static func deadline(_ request: TransportRequest) -> NIODeadline {
        .now() + .nanoseconds(Int64(request.timeout.seconds * 1e9))
    }

    /// Maps client and NIO errors to what the engine needs to know: was the request sent? With
    /// `sent` false (its head was never written), nothing was, whatever the error.
    static func failure(_ error: any Error, request: TransportRequest, sent: Bool) -> any Error {
        let mapped = failure(error, request: request)
        guard !sent, var failure = mapped as? TransportFailure,
            [.connectionLost, .timeout, .other].contains(failure.kind)
        else { return mapped }
        failure.kind = .notConnected
        failure.message += " (before the request was sent)"
        return failure
    }

    /// Maps client and NIO errors to what the engine needs to know: was the request sent?
    static func failure(_ error: any Error, request: TransportRequest) -> any Error {
        if error is PollsterError || error is TransportFailure || error is CancellationError { return error }
        // A request cancelled with its task fails with the client's own error; it is the cancellation.
        if Task.isCancelled { return CancellationError() }
        let target = "\(request.method) \(Redactor.stripQuery(request.url))"
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout,
                .httpProxyHandshakeTimeout, .proxyAuthenticationRequired:
                // The request is written only once the connection (proxy, TLS) is up: nothing was sent.
                return TransportFailure(.notConnected, "\(target): could not connect (\(clientError))")
            case .readTimeout, .deadlineExceeded, .writeTimeout:
                return TransportFailure(.timeout, "\(target): timed out (\(clientError))")
            case .remoteConnectionClosed:
                return TransportFailure(.connectionLost, "\(target): the server closed the connection")
            case .invalidURL, .emptyHost, .emptyScheme:
                return TransportFailure(.notConnected, "\(target): invalid URL")
            default:
                return TransportFailure(.other, "\(target): \(clientError)")
            }
        }
        if let tlsError = error as? NIOSSLError, let failure = Self.tlsSetupFailure(tlsError, target: target)
        {
            return failure
        }
        if error is NIOConnectionError || error is SocketAddressError {
            return TransportFailure(.notConnected, "\(target): could not connect (\(error))")
        }
        if let ioError = error as? IOError {
            if [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(ioError.errnoCode) {
                return TransportFailure(.notConnected, "\(target): connection refused (\(ioError))")
            }
            return TransportFailure(.connectionLost, "\(target): \(ioError)")
        }
        if let channelError = error as? ChannelError {
            if case .connectTimeout = channelError {
                return TransportFailure(.notConnected, "\(target): could not connect (\(channelError))")
            }
            return TransportFailure(.connectionLost, "\(target): \(channelError)")
        }
        return TransportFailure(.other, "\(target): \(error)")
    }

    /// A TLS error before the connection was up — the handshake, the certificates to trust — as
    /// a failure that sent no request (the request is written only once TLS is established).
    /// A refusal by either side's TLS stack (an untrusted or mismatched certificate, a server
    /// that does not speak TLS) is `tlsFailed`: asking again fails the same way. A connection
    /// that closed during the handshake (a server restarting, a load balancer shedding) is not.
    private static func tlsSetupFailure(_ error: NIOSSLError, target: String) -> TransportFailure? {
        let kind: TransportFailure.Kind
        switch error {
        case .handshakeFailed(.sslError(let stack))
        where !stack.isEmpty && !stack.contains(.eofDuringHandshake):
            kind = .tlsFailed
        case .cannotMatchULabel, .noCertificateToValidate, .unableToValidateCertificate:
            kind = .tlsFailed
        case .handshakeFailed:
            kind = .notConnected
        default:
            return nil
        }
        let hint =
            kind == .tlsFailed
            ? "; if the server's certificate is issued by a private CA, trust it (the CLI's --ca-file or $SSL_CERT_FILE; HTTPClientTransport.Configuration.trustedCertificatesFile in Swift)"
            : ""
        return TransportFailure(kind, "\(target): the TLS handshake failed (\(error))\(hint)")
    }
}

/// The chunks of a streamed body: each taken one is reported (the read-ahead budget), and
/// errors pass through a function.
private struct ReadAheadBody<Base: AsyncSequence>: AsyncSequence where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    typealias Failure = any Error
    let base: Base
    let taken: @Sendable (Int) -> Void
    let transform: @Sendable (any Error) -> any Error

    func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), taken: taken, transform: transform)
    }

    struct Iterator: AsyncIteratorProtocol {
        typealias Element = ByteBuffer
        typealias Failure = any Error
        var base: Base.AsyncIterator
        let taken: @Sendable (Int) -> Void
        let transform: @Sendable (any Error) -> any Error

        mutating func next() async throws -> ByteBuffer? {
            do {
                let part = try await base.next()
                if let part { taken(part.readableBytes) }
                return part
            } catch {
                throw transform(error)
            }
        }
    }
}
