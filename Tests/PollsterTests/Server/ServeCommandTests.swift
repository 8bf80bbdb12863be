import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Pollster
import PollsterCore
import PollsterMock
import PollsterPostgres
import PollsterTesting
import Testing

/// `pollster serve` as an operator runs it: `--no-auth` for loopback development, and
/// `/metrics` with the engine's provider traffic beside the API's own counters.
@Suite("pollster serve", .postgresStores)
struct ServeCommandTests {
    @Test(
        "--no-auth warns, serves loopback callers without a key, and /metrics counts the engine's requests and downloads"
    )
    func noAuthAndMetrics() async throws {
        let directory = try TemporaryDirectory.make("serve")
        defer { TemporaryDirectory.remove(directory) }
        try await withMockEngine { _, mock in
            let server = try CLIProcess(
                [
                    "serve", "--no-auth", "--listen", "127.0.0.1:0",
                    "--sqlite", directory.appendingPathComponent("tasks.sqlite").path,
                    "--files", directory.appendingPathComponent("files").path, "--adapters",
                    Repository.adapters,
                    "--base-url", mock.baseURL, "--allow-private-networks",
                ], environment: ["RUNWAYML_API_SECRET": "runway-test-key"])
            defer { _ = server.stop() }
            let base = try await SharedServerStoreTests.listening(server)
            #expect(server.log.contains("WARNING: --no-auth"))
            for host in ["attacker.example", "127.0.0.1.nip.io", "127.1.attacker.com:80", "[::2]"] {
                var rebound = HTTPClientRequest(url: base + "/v1/tools")
                rebound.headers.replaceOrAdd(name: "host", value: host)
                let refused = try await HTTPClient.shared.execute(rebound, timeout: .seconds(30))
                #expect(
                    refused.status.code == 421,
                    "a page whose name \(host) was rebound to 127.0.0.1 is refused")
            }
            for host in ["localhost:8080", "[::1]:8080", "127.0.0.2"] {
                var local = HTTPClientRequest(url: base + "/v1/tools")
                local.headers.replaceOrAdd(name: "host", value: host)
                let accepted = try await HTTPClient.shared.execute(local, timeout: .seconds(30))
                #expect(accepted.status.code == 200, "\(host) is this machine")
            }

            _ = try await Self.succeededRunwayTask(at: base)

            let metrics = try await Self.text(base + "/metrics")
            for line in [
                #"pollster_task_submits_total{tool="runway.image_to_video"} 1"#,
                #"pollster_provider_requests_total{inventory="runway",kind="submit",outcome="2xx"} 1"#,
                #"pollster_downloads_total{inventory="runway",outcome="ok"} 1"#,
                #"pollster_tasks{state="succeeded"} 1"#,
            ] {
                #expect(metrics.contains(line), "\(line) in:\n\(metrics)")
            }
            #expect(
                metrics.contains(
                    #"pollster_provider_requests_total{inventory="runway",kind="poll",outcome="2xx"}"#))
            #expect(metrics.contains("pollster_provider_request_duration_seconds_bucket"))
            #expect(metrics.contains("pollster_download_bytes_total"))
        }
    }

    @Test("/readyz fails while PostgreSQL does not answer and recovers after; /healthz stays up")
    func readyzFollowsTheDatabase() async throws {
        let store = try #require(try await TaskStoreTests.store(.postgres) as? PostgresTaskStore)
        let url = store.database.url
        try #require(!url.usesUnixSocket, "the test cluster listens on TCP")
        let proxy = try await TCPProxy.start(to: url.host, port: url.port)
        var viaProxy = url
        viaProxy.host = "127.0.0.1"
        viaProxy.port = proxy.port
        let server = try CLIProcess(
            [
                "serve", "--listen", "127.0.0.1:0", "--database-url", viaProxy.description, "--adapters",
                Repository.adapters, "--concurrency", "0",
            ], environment: [:])
        defer { _ = server.stop() }
        let base = try await SharedServerStoreTests.listening(server)
        var status = 0
        try await until(timeout: .seconds(30)) {
            status = try await Self.status(base + "/readyz")
            return status == 200
        }
        #expect(status == 200, "ready with the database up")

        proxy.pause()
        try await until(timeout: .seconds(30)) {
            status = try await Self.status(base + "/readyz")
            return status == 503
        }
        #expect(status == 503, "not ready while the database is silent")
        #expect(try await Self.status(base + "/healthz") == 200, "the process itself is up")

        proxy.resume()
        try await until(timeout: .seconds(60)) {
            status = try await Self.status(base + "/readyz")
            return status == 200
        }
        #expect(status == 200, "ready again once the database answers")
        try await proxy.shutdown()
    }

    @Test("SIGTERM ends open event streams and the server exits")
    func shutdownEndsEventStreams() async throws {
        try await Self.withWorkerlessServer { server, base in
            let (status, task) = try await Self.send(
                "POST", base + "/v1/tools/\(runwayTool)/tasks", body: #"{"input": \#(runwayInput)}"#)
            #expect(status == 202, "\(task)")
            let id = try #require(task["id"]?.stringValue)
            let stream = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: base + "/v1/tasks/\(id)/events"), timeout: .seconds(30))
            #expect(stream.status == .ok)
            var chunks = stream.body.makeAsyncIterator()
            var events = ""
            while !events.contains("event: task"), let chunk = try await chunks.next() {
                events += String(buffer: chunk)
            }
            #expect(events.contains("event: task"), "the queued task's first event: \(events)")
            // Before the fix the listener waited for this stream's client: the process never exited.
            let exit = await server.stop(within: .seconds(20))
            #expect(exit == 0, "exits gracefully while the stream is open: \(server.log.suffix(2000))")
            while let chunk = try await chunks.next() { events += String(buffer: chunk) }
        }
    }

    @Test("SIGTERM ends a submit waiting with Prefer: wait; it answers 202 with the task as it stands")
    func shutdownEndsPreferWait() async throws {
        try await Self.withWorkerlessServer { server, base in
            var request = HTTPClientRequest(url: base + "/v1/tools/\(runwayTool)/tasks")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.headers.add(name: "prefer", value: "wait=60")
            request.body = .bytes(ByteBuffer(string: #"{"input": \#(runwayInput)}"#))
            async let answer = HTTPClient.shared.execute(request, timeout: .seconds(90))
            // The task is stored before the submit starts waiting for it.
            try await until(timeout: .seconds(30)) {
                let page = try await Self.send("GET", base + "/v1/tasks").1
                return page["tasks"]?.arrayValue?.count == 1
            }
            try await Task.sleep(for: .milliseconds(500))
            let exit = await server.stop(within: .seconds(20))
            #expect(exit == 0, "exits gracefully while the submit waits: \(server.log.suffix(2000))")
            let response = try await answer
            #expect(response.status == .accepted)
            let body = try JSONParser.parse(Array(buffer: try await response.body.collect(upTo: 1 << 20)))
            #expect(body["state"]?.stringValue == "queued", "\(body)")
        }
    }

    @Test("A client that stops reading a file holds shutdown no longer than --shutdown-timeout")
    func shutdownTimeoutEndsStalledResponses() async throws {
        // More than the loopback socket buffers hold, so the server's write waits for the reader.
        try await ServeConnectionTests.withFileServer(size: 16 << 20, ["--shutdown-timeout", "2"]) {
            server, base, id in
            let reader = try await RawConnection.connect(to: base, reading: false)
            defer { reader.close() }
            try await reader.send(
                "GET /v1/tasks/\(id)/files/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            try await Task.sleep(for: .seconds(1))
            let stopped = ContinuousClock.now
            let exit = await server.stop(within: .seconds(20))
            #expect(exit == 0, "exits although a client stopped reading: \(server.log.suffix(2000))")
            #expect(
                ContinuousClock.now - stopped >= .milliseconds(1500),
                "it waited for the stalled response until the timeout (2 s), not less")
            #expect(
                server.log.contains("still running after --shutdown-timeout 2.0 s"),
                "\(server.log.suffix(2000))")
        }
    }

    /// Submits a Runway task to the server at `base` and waits until it ends; expects it to succeed.
    /// - Returns: the task's id.
    static func succeededRunwayTask(at base: String) async throws -> String {
        let (status, task) = try await send(
            "POST", base + "/v1/tools/\(runwayTool)/tasks", body: #"{"input": \#(runwayInput)}"#)
        #expect(status == 202, "\(task)")
        let id = try #require(task["id"]?.stringValue)
        var state = ""
        try await until(timeout: .seconds(60)) {
            state = try await send("GET", base + "/v1/tasks/\(id)").1["state"]?.stringValue ?? ""
            return state == "succeeded" || state == "failed"
        }
        #expect(state == "succeeded")
        return id
    }

    /// `pollster serve --no-auth` with no worker (submitted tasks stay queued), and its base URL.
    static func withWorkerlessServer(_ body: (CLIProcess, String) async throws -> Void) async throws {
        let directory = try TemporaryDirectory.make("serve")
        defer { TemporaryDirectory.remove(directory) }
        let server = try CLIProcess(
            [
                "serve", "--no-auth", "--listen", "127.0.0.1:0", "--concurrency", "0",
                "--sqlite", directory.appendingPathComponent("tasks.sqlite").path,
                "--adapters", Repository.adapters,
            ], environment: ["RUNWAYML_API_SECRET": "runway-test-key"])
        defer { _ = server.stop() }
        try await body(server, try await SharedServerStoreTests.listening(server))
    }

    @Test("--no-auth refuses an address other machines can reach")
    func noAuthOnlyOnLoopback() async throws {
        let run = try await CLITests.run(["serve", "--no-auth", "--listen", "0.0.0.0:0"])
        #expect(run.status != 0)
        #expect(run.error.contains("--no-auth only listens on loopback"), "\(run.error)")
    }

    static func send(_ method: String, _ url: String, body: String? = nil) async throws -> (Int, JSONValue) {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), try JSONParser.parse(Array(buffer: bytes)))
    }

    static func status(_ url: String) async throws -> Int {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    static func text(_ url: String) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        return String(buffer: try await response.body.collect(upTo: 4 << 20))
    }
}
