import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Pollster
import PollsterCore
import ServiceLifecycle

/// Posts each finished task to its webhook, signed (Standard Webhooks), retrying failed
/// deliveries with exponential backoff for a bounded time. Pending webhooks and every attempt
/// live in the `ServerStore`, so a restart resumes them. Targets pass the URL policy at every
/// attempt (no private addresses unless allowed).
public struct WebhookDispatcher: Service {
    /// Timing of deliveries.
    public struct Configuration: Sendable {
        /// How often pending webhooks are looked at.
        public var checkEvery: Duration
        /// The pause after the first failed attempt; it doubles after each failure.
        public var firstRetryDelay: Duration
        /// The longest pause between attempts.
        public var maxRetryDelay: Duration
        /// Attempts stop this long after the first one.
        public var giveUpAfter: Duration
        /// Each attempt's timeout.
        public var timeout: Duration

        /// A configuration; the defaults retry for 24 hours.
        public init(
            checkEvery: Duration = .milliseconds(250), firstRetryDelay: Duration = .seconds(5),
            maxRetryDelay: Duration = .seconds(600), giveUpAfter: Duration = .seconds(86_400),
            timeout: Duration = .seconds(10)
        ) {
            self.checkEvery = checkEvery
            self.firstRetryDelay = firstRetryDelay
            self.maxRetryDelay = maxRetryDelay
            self.giveUpAfter = giveUpAfter
            self.timeout = timeout
        }
    }

    let service: TaskService
    let state: any ServerStore
    let policy: URLPolicy
    let configuration: Configuration
    let metrics: ServerMetrics
    let logger: Logger

    /// Delivers until graceful shutdown or cancellation.
    public func run() async throws {
        let signer = try WebhookSigner(secret: try await state.webhookSecret())
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.redirectConfiguration = .disallow
        clientConfiguration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let due = (try? await state.dueWebhooks(now: Date(), limit: 32)) ?? []
                for webhook in due where !Task.isCancelled {
                    do {
                        try await process(webhook, client: client, signer: signer)
                    } catch {
                        logger.warning("webhook for task \(webhook.taskID): \(error)")
                    }
                }
                if due.isEmpty { try? await Task.sleep(for: configuration.checkEvery) }
            }
        }
        try? await client.shutdown()
    }

    private func process(_ webhook: PendingWebhook, client: HTTPClient, signer: WebhookSigner) async throws {
        let now = Date()
        guard let task = try await currentTask(webhook.taskID) else {
            return try await state.finishWebhook(webhook)
        }
        var next = webhook
        guard task.state.isFinished else {
            next.nextAt = now.addingTimeInterval(configuration.checkEvery.seconds)
            return try await state.reschedule(next)
        }
        next.attempts += 1
        next.firstAttemptAt = webhook.firstAttemptAt ?? now
        let (status, failure) = await deliver(task, to: webhook.url, client: client, signer: signer)
        try await state.recordAttempt(
            WebhookAttempt(taskID: task.id, attempt: next.attempts, at: now, status: status, error: failure))
        metrics.webhook(delivered: failure == nil)
        if failure == nil { return try await state.finishWebhook(webhook) }
        let elapsed = now.timeIntervalSince(next.firstAttemptAt ?? now)
        guard elapsed < configuration.giveUpAfter.seconds else {
            logger.error(
                "webhook for task \(task.id) given up after \(next.attempts) attempts: \(failure ?? "")")
            return try await state.finishWebhook(webhook)
        }
        let delay = min(
            configuration.firstRetryDelay.seconds * pow(2, Double(next.attempts - 1)),
            configuration.maxRetryDelay.seconds)
        next.nextAt = now.addingTimeInterval(delay)
        logger.info(
            "webhook for task \(task.id) attempt \(next.attempts) failed (\(failure ?? "")); next in \(delay) s"
        )
        try await state.reschedule(next)
    }

    /// The task, or nil once it was deleted.
    private func currentTask(_ id: String) async throws -> TaskRecord? {
        do {
            return try await service.status(id)
        } catch {
            if error.code == .taskNotFound { return nil }
            throw error
        }
    }

    /// One signed POST; returns the status and, unless it was 2xx, what went wrong.
    private func deliver(_ task: TaskRecord, to url: String, client: HTTPClient, signer: WebhookSigner) async
        -> (
            Int?, String?
        )
    {
        do {
            _ = try await policy.check(url, allowHosts: nil, purpose: "send webhooks to")
        } catch {
            return (nil, "\(error)")
        }
        let body = WebhookPayload.body(task)
        let id = "\(task.id)_\(task.attempt)"
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "webhook-id", value: id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(
            name: "webhook-signature", value: signer.signature(id: id, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(
                request, timeout: .seconds(Int64(configuration.timeout.seconds.rounded(.up))))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let code = Int(response.status.code)
            return (code, (200..<300).contains(code) ? nil : "the receiver answered \(code)")
        } catch {
            return (nil, "\(error)")
        }
    }
}

/// The JSON a webhook posts: `{type: "task.<state>", timestamp, data: <Task>}`.
enum WebhookPayload {
    static func body(_ task: TaskRecord) -> [UInt8] {
        struct Payload: Encodable {
            var type: String
            var timestamp: Date
            var data: Components.Schemas.Task
        }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload = Payload(
            type: "task.\(task.state.rawValue)", timestamp: Date(), data: TaskView.task(task))
        return (try? encoder.encode(payload)).map { Array($0) } ?? []
    }
}
