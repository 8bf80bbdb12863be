import NIOCore
import NIOHTTP1
import PollsterCore

/// Reads whole requests, asks ``MockProviderRoutes`` for the answer and writes it; generated files are
/// streamed in chunks as the channel becomes writable, so a 1 GiB file never sits in memory.
///
/// Sits after NIO's HTTP server pipeline (which orders pipelined requests); used on its event loop only.
final class MockHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Request bodies larger than this are refused with 413.
    static let maxRequestBodySize = 32 * 1024 * 1024
    /// Bytes per body write when streaming a file.
    static let chunkSize = MockFileContent.templateSize

    private struct FileStream {
        let content: MockFileContent
        var offset: Int
        /// Where sending stops (exclusive).
        let end: Int
        /// Close the connection at `end` instead of ending the answer (a cut body).
        let cut: Bool
        let keepAlive: Bool
    }

    private let state: MockProviderState
    private var routes: MockProviderRoutes?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    private var stream: FileStream?
    private var isPumping = false

    private let scheme: String

    /// A handler for one connection; `scheme` (`http` or `https`) starts the URLs it answers with.
    init(state: MockProviderState, scheme: String = "http") {
        self.state = state
        self.scheme = scheme
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let port = context.channel.localAddress?.port ?? 0
        routes = MockProviderRoutes(state: state, baseURL: "\(scheme)://127.0.0.1:\(port)")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            bodyTooLarge = false
        case .body(let buffer):
            if body.count + buffer.readableBytes > Self.maxRequestBodySize {
                bodyTooLarge = true
            } else {
                body.append(contentsOf: buffer.readableBytesView)
            }
        case .end:
            guard let head, let routes else { return }
            self.head = nil
            let request = MockRequest(head: head, body: body)
            body = []
            state.record(request.recorded)
            let response =
                bodyTooLarge
                ? MockResponse.json(["error": "request body too large"], status: .payloadTooLarge)
                : routes.respond(to: request)
            write(response, for: head, context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stream = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        stream = nil
        context.close(promise: nil)
    }

    private func write(_ response: MockResponse, for request: HTTPRequestHead, context: ChannelHandlerContext)
    {
        let keepAlive = request.isKeepAlive
        var headers = response.headers
        headers.replaceOrAdd(name: "Server", value: "pollster-mock")
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = { (length: Int) in
            headers.replaceOrAdd(name: "Content-Length", value: String(length))
            return HTTPResponseHead(version: request.version, status: response.status, headers: headers)
        }
        switch response.body {
        case .closeConnection:
            context.close(promise: nil)
        case .noAnswer:
            break
        case .trickle(let bytes, let bytesPerSecond):
            context.writeAndFlush(wrapOutboundOut(.head(head(bytes.count))), promise: nil)
            trickle(bytes[...], bytesPerSecond: bytesPerSecond, keepAlive: keepAlive, context: context)
        case .bytes(let bytes):
            context.write(wrapOutboundOut(.head(head(bytes.count))), promise: nil)
            if !bytes.isEmpty {
                var buffer = context.channel.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
            finish(context: context, keepAlive: keepAlive)
        case .file(let content, let slice):
            let end = min(slice.end ?? content.size, content.size)
            context.write(wrapOutboundOut(.head(head(max(end - slice.start, 0)))), promise: nil)
            let stop = min(slice.closeAt ?? end, end)
            stream = FileStream(
                content: content, offset: slice.start, end: stop, cut: stop < end, keepAlive: keepAlive)
            pump(context: context)
        }
    }

    /// Writes file chunks while the channel accepts them; resumes from `channelWritabilityChanged`.
    private func pump(context: ChannelHandlerContext) {
        guard !isPumping else { return }
        isPumping = true
        defer { isPumping = false }
        while let current = stream, current.offset < current.end,
            context.channel.isActive, context.channel.isWritable
        {
            let length = min(Self.chunkSize, current.end - current.offset)
            let chunk = current.content.chunk(
                at: current.offset, length: length, allocator: context.channel.allocator)
            stream?.offset += length
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil)
        }
        if let current = stream, current.offset >= current.end {
            stream = nil
            if current.cut {
                let channel = context.channel
                context.flush()
                channel.close(promise: nil)
            } else {
                finish(context: context, keepAlive: current.keepAlive)
            }
        }
    }

    /// Writes `bytesPerSecond` bytes of `rest` now and the others a second later, until the body
    /// is sent or the connection is gone; scheduled on the channel's event loop.
    private func trickle(
        _ rest: ArraySlice<UInt8>, bytesPerSecond: Int, keepAlive: Bool, context: ChannelHandlerContext
    ) {
        guard context.channel.isActive else { return }
        guard !rest.isEmpty else { return finish(context: context, keepAlive: keepAlive) }
        let chunk = rest.prefix(bytesPerSecond)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: chunk)))), promise: nil)
        context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) {
            self.trickle(
                rest.dropFirst(chunk.count), bytesPerSecond: bytesPerSecond, keepAlive: keepAlive,
                context: context)
        }
    }

    private func finish(context: ChannelHandlerContext, keepAlive: Bool) {
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
