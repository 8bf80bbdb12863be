import NIOCore
import NIOHTTP1
import PollsterCore
import Synchronization

/// Answers ``EchoProviderServer``'s routes; used on its channel's event loop only.
final class EchoHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The output file of a successful job: a PNG signature and a few bytes.
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("echo output".utf8)

    private let outcome: EchoProviderServer.Outcome
    private let log: EchoRequestLog
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(outcome: EchoProviderServer.Outcome, log: EchoRequestLog) {
        self.outcome = outcome
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            self.head = nil
            let port = context.channel.localAddress?.port ?? 0
            let (status, contentType, bytes) = answer(head, baseURL: "http://127.0.0.1:\(port)")
            var headers: HTTPHeaders = ["Content-Type": contentType, "Content-Length": String(bytes.count)]
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(
                wrapOutboundOut(
                    .head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
            let keepAlive = head.isKeepAlive
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }

    private func answer(_ head: HTTPRequestHead, baseURL: String) -> (HTTPResponseStatus, String, [UInt8]) {
        let method = head.method.rawValue
        let headerText = head.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        log.entries.withLock {
            $0.append("\(method) \(head.uri)\n\(headerText)\n\n\(String(decoding: body, as: UTF8.self))")
        }
        let path = String(head.uri.prefix { $0 != "?" })
        if path == "/files/result.png" { return (.ok, "image/png", Self.png) }
        let echo = EchoAnswer.object(method: method, target: head.uri, headers: head.headers, body: body)
        let text = EchoAnswer.text(method: method, target: head.uri, headers: head.headers, body: body)
        let refusal = { (status: Int) -> (HTTPResponseStatus, String, [UInt8]) in
            let answer: JSONValue = [
                "error": ["code": "echo_refused", "message": .string("refused: \(text)")], "echo": echo,
            ]
            return (HTTPResponseStatus(statusCode: status), "application/json", EchoAnswer.bytes(answer))
        }
        let json = { (value: JSONValue) in
            (HTTPResponseStatus.ok, "application/json", EchoAnswer.bytes(value))
        }
        if path == "/jobs" {
            if case .submitError(let status) = outcome { return refusal(status) }
            return json(["id": "echo-1", "status": "queued", "echo": echo])
        }
        guard path.hasPrefix("/jobs/") else { return refusal(404) }
        let poll = log.polls.withLock { polls in
            polls[path, default: 0] += 1
            return polls[path]!
        }
        switch outcome {
        case .statusError(let status): return refusal(status)
        case _ where poll == 1:
            // A status word no provider uses, holding the request's header values.
            let values = head.headers.map(\.value).joined(separator: " ")
            return json(["status": .string("echoing \(values)"), "echo": echo])
        case .providerFailure:
            return json(["status": "failed", "error": ["message": .string("failed: \(text)")], "echo": echo])
        case .success, .submitError:
            return json([
                "status": "succeeded", "output": [.string("\(baseURL)/files/result.png")], "echo": echo,
            ])
        }
    }
}
