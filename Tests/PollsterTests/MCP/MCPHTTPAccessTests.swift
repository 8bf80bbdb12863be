import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PollsterCore
import PollsterTesting
import Testing

/// Who may use `pollster mcp --http`: a bearer token from `POLLSTER_MCP_TOKEN`, the Host and
/// Origin checks against DNS rebinding, and no token-less listener beyond loopback.
@Suite("MCP over HTTP: access")
struct MCPHTTPAccessTests {
    static let token = "mcp-test-token-5f1c"

    @Test("without the bearer token a request is 401; with it the session starts")
    func bearerToken() async throws {
        try await Self.withServer(environment: ["POLLSTER_MCP_TOKEN": Self.token]) { url in
            let missing = try await Self.initialize(url, authorization: nil)
            #expect(missing.status == 401)
            #expect(missing.headers["www-authenticate"].first == "Bearer")
            #expect(try await Self.initialize(url, authorization: "Bearer wrong-\(Self.token)").status == 401)
            #expect(
                try await Self.initialize(url, authorization: "Bearer \(Self.token.dropLast())").status == 401
            )
            let accepted = try await Self.initialize(url, authorization: "Bearer \(Self.token)")
            #expect(accepted.status == 200)
            #expect(accepted.headers["mcp-session-id"].first?.isEmpty == false)
        }
    }

    @Test("a Host other than loopback's is refused unless --allow-host names it")
    func hostCheck() async throws {
        try await Self.withServer(environment: [:]) { url in
            let rebound = try await Self.initialize(url, authorization: nil, host: "attacker.example:80")
            #expect(rebound.status == 421, "DNS rebinding protection")
        }
        // Named hosts mean a proxy in front: a token is required then.
        try await Self.withServer(
            environment: ["POLLSTER_MCP_TOKEN": Self.token], extra: ["--allow-host", "mcp.example.com"]
        ) { url in
            let bearer = "Bearer \(Self.token)"
            let named = try await Self.initialize(url, authorization: bearer, host: "mcp.example.com:8443")
            #expect(named.status == 200)
            let other = try await Self.initialize(url, authorization: bearer, host: "other.example:80")
            #expect(other.status == 421)
        }
    }

    @Test(
        "listening beyond loopback (or for named hosts) without a token is refused before anything starts",
        arguments: [
            ["--http", "0.0.0.0:0"], ["--http", "127.0.0.1.nip.io:0"],
            ["--http", "127.0.0.1:0", "--allow-host", "mcp.example.com"],
        ])
    func noTokenBeyondLoopback(_ listen: [String]) async throws {
        let run = try await CLITests.run(
            ["mcp", "--adapters", Repository.adapters] + listen, environment: ["POLLSTER_MCP_TOKEN": ""])
        #expect(run.status != 0)
        #expect(run.error.contains("POLLSTER_MCP_TOKEN"), "\(run.error)")
    }

    static func withServer(
        environment: [String: String], extra: [String] = [], _ body: (String) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory.make("mcp")
        defer { TemporaryDirectory.remove(directory) }
        let server = try MCPHTTPServerProcess(
            [
                "mcp", "--adapters", Repository.adapters, "--no-worker",
                "--sqlite", directory.appendingPathComponent("tasks.sqlite").path,
            ] + extra, environment: environment, in: directory)
        defer { _ = server.stop() }
        try await body(try await server.url())
    }

    /// An `initialize` POST; returns the status and headers (the body is left unread).
    static func initialize(_ url: String, authorization: String?, host: String? = nil) async throws -> (
        status: Int, headers: HTTPHeaders
    ) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "accept", value: "application/json, text/event-stream")
        if let authorization { request.headers.add(name: "authorization", value: authorization) }
        if let host { request.headers.replaceOrAdd(name: "host", value: host) }
        request.body = .bytes(
            ByteBuffer(
                string: #"""
                    {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
                     "capabilities": {}, "clientInfo": {"name": "access-test", "version": "1"}}}
                    """#))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), response.headers)
    }
}
