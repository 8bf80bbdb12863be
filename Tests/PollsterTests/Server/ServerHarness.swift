import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Pollster
import PollsterCore
import PollsterMock
import PollsterServer
import Testing

/// A running `pollster serve` equivalent on an ephemeral loopback port: the HTTP API, a worker,
/// the mock provider behind the tools, two tenants with keys, and an HTTP client.
struct ServerHarness {
    let tasks: TaskHarness
    let state: SQLiteServerStore
    let baseURL: String
    let client: HTTPClient
    let keyA: String
    let keyB: String

    /// A request to `path` with tenant A's key (or `key`; nil sends none).
    func request(
        _ method: HTTPMethodName, _ path: String, key: String?? = .none, body: String? = nil,
        headers: [(String, String)] = []
    ) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method.nio
        let key = key ?? keyA
        if let key { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return request
    }

    /// Sends a request and returns the status, the headers and the whole body.
    func send(_ request: HTTPClientRequest) async throws -> Reply {
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: body))
    }

    /// Sends a request and decodes the JSON body.
    func json(_ request: HTTPClientRequest) async throws -> (Int, JSONValue) {
        let reply = try await send(request)
        return (reply.status, try JSONDecoder().decode(JSONValue.self, from: Data(reply.body)))
    }

    /// Submits runway's sample input as tenant A (or `key`) and returns the task JSON.
    func submit(key: String? = nil, body: String? = nil, headers: [(String, String)] = []) async throws
        -> (Int, JSONValue)
    {
        try await json(
            request(
                .post, "/v1/tools/\(runwayTool)/tasks", key: key.map { .some($0) } ?? .none,
                body: body ?? #"{"input": \#(runwayInput)}"#, headers: headers))
    }

    /// Polls `GET /v1/tasks/{id}` until the task is finished.
    func finished(_ id: String) async throws -> JSONValue {
        let task = try await tasks.waitUntil(id) { $0.state.isFinished }
        return try await json(request(.get, "/v1/tasks/\(task.id)")).1
    }

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum HTTPMethodName {
        case get, post
        var nio: HTTPMethod { self == .get ? .GET : .POST }
    }
}

/// Runs `body` against a fresh server (SQLite store, worker in the same task group).
func withServer<T: Sendable>(
    script: MockJobScript = MockJobScript(polls: 2), requireAuth: Bool = true,
    webhooks: WebhookDispatcher.Configuration = WebhookDispatcher.Configuration(
        checkEvery: .milliseconds(20), firstRetryDelay: .milliseconds(50)),
    maxTasksPerTenant: Int = 1000,
    _ body: @escaping @Sendable (ServerHarness) async throws -> T
) async throws -> T {
    try await withTaskHarness(.sqlite, script: script) { tasks in
        let state = try SQLiteServerStore(path: temporarySQLitePath())
        let keyA = APIKeys.generate()
        let keyB = APIKeys.generate()
        try await state.addKey(
            hash: APIKeys.hash(keyA), tenant: "tenant-a", scopes: Set(Tenant.Scope.allCases))
        try await state.addKey(
            hash: APIKeys.hash(keyB), tenant: "tenant-b", scopes: Set(Tenant.Scope.allCases))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = PollsterServer(
            service: tasks.service, state: state,
            configuration: PollsterServer.Configuration(
                port: 0, requireAuth: requireAuth, eventsCheckEvery: .milliseconds(20),
                taskOptions: tasks.options, webhookPolicy: URLPolicy(allowPrivateNetworks: true),
                webhooks: webhooks, maxTasksPerTenant: maxTasksPerTenant),
            logger: quietLogger,
            onListening: { port in continuation.yield(port) })
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let harnessTasks = tasks
        do {
            let value = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                group.addTask { try await harnessTasks.worker("server-worker").run() }
                defer { group.cancelAll() }
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next())
                let harness = ServerHarness(
                    tasks: harnessTasks, state: state, baseURL: "http://127.0.0.1:\(port)", client: client,
                    keyA: keyA, keyB: keyB)
                return try await body(harness)
            }
            try await client.shutdown()
            return value
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
