import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Pollster
import PollsterCore
import PollsterServer
import PollsterTesting
import Synchronization
import Testing

/// Webhooks: delivered when the task finishes, retried after a failure, signed the Standard
/// Webhooks way (checked here from the spec, and by the `standardwebhooks` package when the
/// venv has it).
@Suite("HTTP API webhooks", .serialized)
struct WebhookTests {
    @Test func finishedTaskIsPostedSignedAndRetriedAfterAFailure() async throws {
        try await withWebhookReceiver(failFirst: 1) { receiver in
            try await withServer { server in
                let body = #"{"input": \#(runwayInput), "webhook": "\#(receiver.url)"}"#
                let id = try #require(try await server.submit(body: body).1["id"]?.stringValue)
                let delivery = try #require(await receiver.next())
                let payload = try JSONDecoder().decode(JSONValue.self, from: Data(delivery.body))
                #expect(payload["type"]?.stringValue == "task.succeeded")
                #expect(payload["data"]?["id"]?.stringValue == id)
                let secret = try await server.state.webhookSecret()
                #expect(try Self.verify(delivery, secret: secret))
                var forged = delivery
                forged.body[0] ^= 1
                #expect(try !Self.verify(forged, secret: secret))
                if let python = PythonClients.interpreter {
                    #expect(
                        try await Self.verifyWithStandardWebhooks(delivery, secret: secret, python: python))
                }
                // The dispatcher stores the successful attempt after the receiver has answered it.
                var attempts = try await server.state.attempts(taskID: id)
                let deadline = ContinuousClock.now + .seconds(10)
                while attempts.count < 2, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                    attempts = try await server.state.attempts(taskID: id)
                }
                #expect(attempts.map(\.status) == [500, 200])
            }
        }
    }

    @Test func privateWebhookTargetsAreRefusedUnlessAllowed() async throws {
        try await withServer { server in
            // The harness allows private networks; a literal non-http URL is refused anyway.
            let (status, problem) = try await server.submit(
                body: #"{"input": \#(runwayInput), "webhook": "ftp://x/y"}"#)
            #expect(status == 422)
            #expect(problem["code"]?.stringValue == "UNSAFE_URL")
        }
        let strict = URLPolicy(allowPrivateNetworks: false)
        await #expect(throws: PollsterError.self) {
            _ = try await strict.check(
                "http://127.0.0.1:9/hook", allowHosts: nil, purpose: "send webhooks to")
        }
    }

    /// The Standard Webhooks check, written from the spec: HMAC-SHA256 over `id.timestamp.body`
    /// with the base64-decoded bytes after `whsec_`, base64 in `v1,<signature>`.
    static func verify(_ delivery: Delivery, secret: String) throws -> Bool {
        let key = SymmetricKey(
            data: try #require(Data(base64Encoded: String(secret.dropFirst("whsec_".count)))))
        let id = try #require(delivery.headers["webhook-id"])
        let timestamp = try #require(delivery.headers["webhook-timestamp"])
        let signed = Array("\(id).\(timestamp).".utf8) + delivery.body
        let expected =
            "v1," + Data(HMAC<SHA256>.authenticationCode(for: signed, using: key)).base64EncodedString()
        let sent = try #require(delivery.headers["webhook-signature"]).split(separator: " ").map(String.init)
        return sent.contains(expected)
    }

    /// The same check by the `standardwebhooks` PyPI package.
    static func verifyWithStandardWebhooks(_ delivery: Delivery, secret: String, python: String) async throws
        -> Bool
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pollster-wh-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(delivery.body).write(to: directory.appendingPathComponent("body"))
        let headers = try JSONEncoder().encode(delivery.headers)
        try headers.write(to: directory.appendingPathComponent("headers.json"))
        let script = """
            import json, sys
            from standardwebhooks.webhooks import Webhook
            body = open('body', 'rb').read()
            headers = json.load(open('headers.json'))
            Webhook(sys.argv[1]).verify(body, headers)
            print('verified')
            """
        let run = try await ProcessRun.run(
            URL(fileURLWithPath: python), ["-c", script, secret], in: directory)
        if run.status != 0 { Issue.record("standardwebhooks: \(run.error)") }
        return run.output.contains("verified")
    }
}

/// One request the receiver got.
struct Delivery: Sendable {
    var headers: [String: String]
    var body: [UInt8]
}

/// A webhook receiver on loopback: answers 500 to the first `failFirst` deliveries, 200 after.
struct WebhookReceiver: Sendable {
    let url: String
    let deliveries: AsyncStream<Delivery>

    func next() async -> Delivery? {
        var iterator = deliveries.makeAsyncIterator()
        return await iterator.next()
    }
}

func withWebhookReceiver<T: Sendable>(
    failFirst: Int, _ body: @escaping @Sendable (WebhookReceiver) async throws -> T
)
    async throws -> T
{
    let (deliveries, continuation) = AsyncStream.makeStream(of: Delivery.self)
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let seen = DeliveryCount()
    let router = Router()
    router.post("/hook") { request, _ in
        var request = request
        let bytes = Array(buffer: try await request.collectBody(upTo: 1 << 20))
        let count = seen.value.withLock { count in
            count += 1
            return count
        }
        guard count > failFirst else { return Response(status: .internalServerError) }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        continuation.yield(Delivery(headers: headers, body: bytes))
        return Response(status: .ok)
    }
    let app = Application(
        router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
        logger: quietLogger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        defer { group.cancelAll() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return try await body(WebhookReceiver(url: "http://127.0.0.1:\(port)/hook", deliveries: deliveries))
    }
}

/// How many deliveries the receiver saw (a class: a `Mutex` cannot be captured by the route).
final class DeliveryCount: Sendable {
    let value = Mutex(0)
}
