import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Pollster
import PollsterCore
import PollsterMock
import PollsterPostgres
import PollsterServer
import PollsterTesting
import Testing

/// What the HTTP API keeps besides tasks, shared by every `pollster serve` on one store: API
/// keys, idempotency keys, pending webhooks, the signing secret (SQLite file or PostgreSQL).
@Suite("HTTP API: shared server store", .postgresStores)
struct SharedServerStoreTests {
    enum Kind: String, CaseIterable, Sendable { case sqlite, postgres }

    /// Two stores over one SQLite file or one PostgreSQL database, as two processes have.
    static func twoStores(_ kind: Kind) async throws -> (any ServerStore, any ServerStore) {
        switch kind {
        case .sqlite:
            let path = try temporarySQLitePath()
            return (try SQLiteServerStore(path: path), try SQLiteServerStore(path: path))
        case .postgres:
            let tasks = try #require(try await TaskStoreTests.store(.postgres) as? PostgresTaskStore)
            return (
                PostgresServerStore(database: tasks.database), PostgresServerStore(database: tasks.database)
            )
        }
    }

    @Test(
        "a key, an idempotency key and the signing secret stored by one are seen by the other",
        arguments: Kind.allCases)
    func shared(_ kind: Kind) async throws {
        let (a, b) = try await Self.twoStores(kind)
        try await a.addKey(hash: "h1", tenant: "acme", scopes: [.tasksRead])
        #expect(try await b.tenant(forKeyHash: "h1") == Tenant(name: "acme", scopes: [.tasksRead]))
        #expect(try await b.tenant(forKeyHash: "h2") == nil)

        let first = IdempotencyRecord(tenant: "acme", key: "k", bodyHash: "b1", taskID: "t1")
        #expect(try await a.recordIdempotency(first) == first)
        let clash = IdempotencyRecord(tenant: "acme", key: "k", bodyHash: "b2", taskID: "t2")
        #expect(try await b.recordIdempotency(clash) == first, "the first record holds")
        #expect(try await b.idempotency(tenant: "other", key: "k") == nil, "keys are per tenant")

        let secret = try await a.webhookSecret()
        #expect(secret.hasPrefix("whsec_"))
        #expect(try await b.webhookSecret() == secret)
    }

    @Test("a due webhook is taken by one process at a time; its attempts are shared")
    func webhookLease() async throws {
        let (a, b) = try await Self.twoStores(.postgres)
        let now = Date()
        try await a.addWebhook(taskID: "t1", url: "https://hooks.example/x", now: now)
        let taken = try await a.dueWebhooks(now: now, limit: 10)
        #expect(taken.map(\.taskID) == ["t1"])
        #expect(try await b.dueWebhooks(now: now, limit: 10).isEmpty, "leased by the first process")

        var next = try #require(taken.first)
        next.attempts = 1
        next.firstAttemptAt = now
        next.nextAt = now
        try await a.reschedule(next)
        try await a.recordAttempt(
            WebhookAttempt(taskID: "t1", attempt: 1, at: now, status: 500, error: "500"))
        let again = try await b.dueWebhooks(now: now.addingTimeInterval(0.001), limit: 10)
        #expect(again.map(\.attempts) == [1])
        #expect(try await b.attempts(taskID: "t1").map(\.status) == [500])
        try await b.finishWebhook(try #require(again.first))
        #expect(try await a.dueWebhooks(now: now.addingTimeInterval(3600), limit: 10).isEmpty)
    }

    @Test(
        "a webhook asked for again while one process delivers the old one is neither finished nor moved by it",
        arguments: Kind.allCases)
    func rearmedWebhookSurvivesTheOldHolder(_ kind: Kind) async throws {
        let (a, b) = try await Self.twoStores(kind)
        let now = Date()
        try await a.addWebhook(taskID: "t1", url: "https://hooks.example/x", now: now)
        let old = try #require(try await a.dueWebhooks(now: now, limit: 10).first)
        // The task is retried: its next outcome must be posted too.
        let later = now.addingTimeInterval(5)
        try await b.addWebhook(taskID: "t1", url: "https://hooks.example/y", now: later)
        var moved = old
        moved.nextAt = later.addingTimeInterval(3600)
        try await a.reschedule(moved)
        try await a.finishWebhook(old)
        let due = try await b.dueWebhooks(now: later, limit: 10)
        #expect(due.map(\.url) == ["https://hooks.example/y"])
        #expect(due.map(\.attempts) == [0])
    }

    @Test(
        "two pollster serve processes on one PostgreSQL: one key, one idempotent task, one webhook delivery")
    func twoServeProcesses() async throws {
        let tasks = try #require(try await TaskStoreTests.store(.postgres) as? PostgresTaskStore)
        let url = tasks.database.url.description
        let created = try await CLITests.run(["keys", "create", "--tenant", "acme", "--database-url", url])
        #expect(created.status == 0, "\(created.error)")
        let key = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        try await withMockEngine { _, mock in
            let arguments = [
                "serve", "--listen", "127.0.0.1:0", "--database-url", url, "--adapters", Repository.adapters,
                "--base-url", mock.baseURL, "--allow-private-networks", "--lease", "2",
                "--files",
                FileManager.default.temporaryDirectory.appendingPathComponent("pollster-serve-\(UUID())")
                    .path,
            ]
            let environment = ["RUNWAYML_API_SECRET": "runway-test-key"]
            let servers = try [
                CLIProcess(arguments, environment: environment),
                CLIProcess(arguments, environment: environment),
            ]
            defer { for server in servers { _ = server.stop() } }
            let client = HTTPClient.shared
            let bases = [try await Self.listening(servers[0]), try await Self.listening(servers[1])]

            try await withWebhookReceiver(failFirst: 0) { receiver in
                let body = #"{"input": \#(runwayInput), "webhook": "\#(receiver.url)"}"#
                let (status, task) = try await Self.post(
                    client, bases[0] + "/v1/tools/\(runwayTool)/tasks", key: key, body: body,
                    idempotencyKey: "order-7")
                #expect(status == 202)
                let id = try #require(task["id"]?.stringValue)
                let (_, again) = try await Self.post(
                    client, bases[1] + "/v1/tools/\(runwayTool)/tasks", key: key, body: body,
                    idempotencyKey: "order-7")
                #expect(again["id"]?.stringValue == id, "the same task through the other process")

                let delivery = try #require(await receiver.next())
                let payload = try JSONParser.parse(delivery.body)
                #expect(payload["data"]?["id"]?.stringValue == id)
                #expect(payload["type"]?.stringValue == "task.succeeded")
                let state = PostgresServerStore(database: tasks.database)
                try await until(timeout: .seconds(10)) {
                    try await state.dueWebhooks(now: Date().addingTimeInterval(3600), limit: 10).isEmpty
                }
                #expect(try await state.attempts(taskID: id).count == 1, "delivered once, by one process")
                let (readStatus, read) = try await Self.get(client, bases[1] + "/v1/tasks/\(id)", key: key)
                #expect(readStatus == 200 && read["state"]?.stringValue == "succeeded")
            }
        }
    }

    /// The base URL a `pollster serve` process prints once it listens.
    static func listening(_ server: CLIProcess) async throws -> String {
        var found: String?
        try await until(timeout: .seconds(30)) {
            found =
                server.log.split(separator: "\n").compactMap { line in
                    line.range(of: "pollster serving ").map {
                        String(line[$0.upperBound...].prefix { $0 != " " })
                    }
                }.first
            return found != nil || !server.isRunning
        }
        return try #require(found, "serve did not start: \(server.log)")
    }

    static func post(_ client: HTTPClient, _ url: String, key: String, body: String, idempotencyKey: String)
        async throws -> (Int, JSONValue)
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "idempotency-key", value: idempotencyKey)
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(client, request)
    }

    static func get(_ client: HTTPClient, _ url: String, key: String) async throws -> (Int, JSONValue) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        return try await send(client, request)
    }

    private static func send(_ client: HTTPClient, _ request: HTTPClientRequest) async throws -> (
        Int, JSONValue
    ) {
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), try JSONParser.parse(Array(buffer: body)))
    }
}
