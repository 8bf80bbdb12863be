// The mock provider as its own process for benchmark scenario 3, plus a TLS front for fal-client.
//
//   peers-mock --port 8089 --tls-port 8443 --cert cert.pem --key key.pem \
//       --duration 10 --size 16384 --stats-file stats.json
//   peers-mock --port 8089 --tls --cert cert.pem --key key.pem …      (HTTPS everywhere)
//
// `--tls` serves HTTPS on `--port` itself (`MockProviderServer.start(tls:)`): every URL the
// mock answers with (status, result and file URLs) is then `https://127.0.0.1:PORT/…`, so every
// client pays TLS for every request, and fal-client's queue host can be the main port.
//
// Every job takes `--duration` seconds of wall time from its submit (whatever the number of
// polls) and outputs one PNG of `--size` bytes. fal-client builds its queue URL as
// `https://{FAL_QUEUE_RUN_HOST}/…` and cannot be told to use plain http, so `--tls-port`
// terminates TLS and forwards the bytes to the plain port; the answers then carry plain
// `http://127.0.0.1:PORT/…` status, response and file URLs (built from the port the request
// reached), so only fal's submit goes over TLS.
//
// When `{--stats-file}.request` appears, the counters (submissions, polls, result fetches,
// downloads) are written to `--stats-file` as JSON and the request file is removed, so the run
// script can count the requests of each driver run.
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PollsterMock

struct Arguments {
    var port = 8089
    var tlsPort: Int?
    var tls = false
    var cert: String?
    var key: String?
    var duration = 10.0
    var size = 16 * 1024
    var statsFile: String?

    init(_ arguments: [String]) {
        var index = 0
        func value() -> String {
            index += 1
            guard index < arguments.count else { fail("missing value after \(arguments[index - 1])") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--port": port = Int(value()) ?? port
            case "--tls-port": tlsPort = Int(value())
            case "--tls": tls = true
            case "--cert": cert = value()
            case "--key": key = value()
            case "--duration": duration = Double(value()) ?? duration
            case "--size": size = Int(value()) ?? size
            case "--stats-file": statsFile = value()
            default: fail("unknown argument \(arguments[index])")
            }
            index += 1
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("peers-mock: \(message)\n".utf8))
    exit(2)
}

/// Copies bytes between two channels on the same event loop, with back-pressure (the pattern of
/// NIO's connect-proxy example).
final class GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    static func matchedPair() -> (GlueHandler, GlueHandler) {
        let first = GlueHandler()
        let second = GlueHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { partner?.context?.write(data, promise: nil) }

    func channelReadComplete(context: ChannelHandlerContext) { partner?.context?.flush() }

    func channelInactive(context: ChannelHandlerContext) { partner?.context?.close(promise: nil) }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { partner?.context?.close(promise: nil) }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            partner?.context?.close(mode: .output, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let partner, partner.pendingRead {
            partner.pendingRead = false
            partner.context?.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if partner?.context?.channel.isWritable ?? false {
            context.read()
        } else {
            pendingRead = true
        }
    }
}

/// Terminates TLS on `port` and forwards each connection to `127.0.0.1:target`.
func startTLSFront(port: Int, target: Int, cert: String, key: String) async throws -> any Channel {
    let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
    let configuration = TLSConfiguration.makeServerConfiguration(
        certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
    let context = try NIOSSLContext(configuration: configuration)
    return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
        .childChannelOption(.allowRemoteHalfClosure, value: true)
        .childChannelInitializer { inbound in
            ClientBootstrap(group: inbound.eventLoop)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .connect(host: "127.0.0.1", port: target)
                .flatMapThrowing { outbound in
                    let (front, back) = GlueHandler.matchedPair()
                    try inbound.pipeline.syncOperations.addHandlers([NIOSSLServerHandler(context: context), front])
                    try outbound.pipeline.syncOperations.addHandler(back)
                }
        }
        .bind(host: "127.0.0.1", port: port).get()
}

func writeStats(_ stats: MockProviderStats, to path: String) {
    let object: [String: Any] = [
        "submissions": stats.submissions, "polls": stats.polls, "result_fetches": stats.resultFetches,
        "downloads": stats.downloads, "redirects": stats.redirects,
        "submissions_by_provider": stats.submissionsByProvider,
    ]
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
    let temporary = path + ".tmp"
    guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
    _ = rename(temporary, path)
}

let arguments = Arguments(Array(CommandLine.arguments.dropFirst()))
let script = MockJobScript(
    duration: .milliseconds(Int(arguments.duration * 1000)), output: MockOutput(kind: .png, size: arguments.size))
var identity: MockTLSIdentity?
if arguments.tls {
    guard let cert = arguments.cert, let key = arguments.key else { fail("--tls needs --cert and --key") }
    identity = MockTLSIdentity(certificateFile: cert, privateKeyFile: key)
}
let server = try await MockProviderServer.start(port: arguments.port, defaultScript: script, tls: identity)
var tlsFront: (any Channel)?
if let tlsPort = arguments.tlsPort {
    guard let cert = arguments.cert, let key = arguments.key else { fail("--tls-port needs --cert and --key") }
    tlsFront = try await startTLSFront(port: tlsPort, target: server.port, cert: cert, key: key)
}

if let statsFile = arguments.statsFile {
    writeStats(server.stats, to: statsFile)
    let request = statsFile + ".request"
    Task.detached {
        while true {
            if FileManager.default.fileExists(atPath: request) {
                writeStats(server.stats, to: statsFile)
                try? FileManager.default.removeItem(atPath: request)
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

let tlsNote = tlsFront.flatMap { $0.localAddress?.port }.map { " tls https://127.0.0.1:\($0)" } ?? ""
FileHandle.standardOutput.write(
    Data("peers-mock listening \(server.baseURL)\(tlsNote) duration \(arguments.duration)s size \(arguments.size)\n".utf8))
while true {
    try await Task.sleep(for: .seconds(3600))
}
