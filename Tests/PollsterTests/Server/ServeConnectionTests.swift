import Foundation
import NIOCore
import PollsterMock
import Testing

/// Clients that hold `pollster serve`'s connections without using them: each is closed after
/// its timeout, so that they cannot pile up connections, open files and response tasks.
@Suite("pollster serve: idle and stalled connections")
struct ServeConnectionTests {
    @Test("A client that reads nothing of a file for --write-timeout loses its connection")
    func stalledReaderIsClosed() async throws {
        let size = 16 << 20
        try await Self.withFileServer(size: size, ["--write-timeout", "1"]) { server, base, id in
            let reader = try await RawConnection.connect(to: base, reading: false)
            defer { reader.close() }
            try await reader.send("GET /v1/tasks/\(id)/files/0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            // Read nothing until the server says it closed the connection (reading earlier would
            // let its writes go on).
            try await until(timeout: .seconds(30)) { server.log.contains("closing the connection from") }
            #expect(
                server.log.contains("read too little of the response for it to go on for 1.0 s"),
                "\(server.log.suffix(2000))")
            let (bytes, closed) = try await reader.readToEnd(within: .seconds(20))
            #expect(closed, "the server closed the connection")
            #expect(bytes < size, "before the whole file was sent (got \(bytes) of \(size) bytes)")
        }
    }

    @Test("A client that reads a file slowly keeps its connection past --write-timeout")
    func slowReaderKeepsItsConnection() async throws {
        let size = 32 << 20
        try await Self.withFileServer(size: size, ["--write-timeout", "5"]) { server, base, id in
            let reader = try await RawConnection.connect(to: base, reading: false)
            defer { reader.close() }
            try await reader.send(
                "GET /v1/tasks/\(id)/files/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            // 4 MiB a second, for longer than the timeout: the server's writes wait, but never for
            // 5 s in a row. (Linux wakes a waiting writer once a third of its socket's send queue,
            // up to 4 MiB, has gone: a reader much slower than that may be cut.)
            for second in 1...6 {
                try await Task.sleep(for: .seconds(1))
                let open = try await reader.read(4 << 20)
                #expect(open, "still open after \(second) s")
            }
            let (total, closed) = try await reader.readToEnd(within: .seconds(20))
            #expect(
                closed && total > size,
                "the whole file and the head arrived (got \(total) bytes): \(server.log.suffix(1000))")
            #expect(!server.log.contains("closing the connection from"))
        }
    }

    @Test("A connection with no request, or a request head left unfinished, is closed after --idle-timeout")
    func idleConnectionsAreClosed() async throws {
        // No task: the HTTP client's own kept-alive connections would race with the timeout.
        try await Self.withServer(["--idle-timeout", "3"]) { _, base in
            let opened = ContinuousClock.now
            let idle = try await RawConnection.connect(to: base)
            defer { idle.close() }
            let unfinished = try await RawConnection.connect(to: base)
            defer { unfinished.close() }
            // On a loaded machine the server may have closed it already: that is the point.
            try? await unfinished.send("GET /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            #expect(try await idle.readToEnd(within: .seconds(20)) == (0, true))
            #expect(try await unfinished.readToEnd(within: .seconds(20)).closed)
            #expect(ContinuousClock.now - opened >= .milliseconds(2500), "closed by the timeout, not at once")
        }
    }

    @Test("Past --max-connections a new connection is closed at once; one that closes makes room")
    func connectionCap() async throws {
        try await Self.withServer(["--max-connections", "2"]) { server, base in
            // Each connection is counted on its own event loop: the first two are known to be
            // counted once they have answered a request (kept alive).
            let first = try await RawConnection.connect(to: base)
            let second = try await RawConnection.connect(to: base)
            defer { second.close() }
            for connection in [first, second] {
                try await connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                try await until(timeout: .seconds(10)) { connection.start.hasPrefix("HTTP/1.1 200") }
            }
            let third = try await RawConnection.connect(to: base)
            defer { third.close() }
            #expect(try await third.readToEnd(within: .seconds(10)) == (0, true))
            try await until(timeout: .seconds(10)) { server.log.contains("refused a connection: 2 are open") }
            first.close()
            try await first.channel.closeFuture.get()
            // The server sees the close a moment later.
            var answer = ""
            try await until(timeout: .seconds(10)) {
                let next = try await RawConnection.connect(to: base)
                defer { next.close() }
                try? await next.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                _ = try await next.readToEnd(within: .seconds(10))
                answer = next.start
                return !answer.isEmpty
            }
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        }
    }

    /// `pollster serve` with `extra` arguments, and a Runway task there that succeeded with an
    /// output of `size` bytes (a mock provider's).
    static func withFileServer(
        size: Int, _ extra: [String], _ body: (CLIProcess, String, String) async throws -> Void
    ) async throws {
        try await withServer(size: size, extra) { server, base in
            try await body(server, base, try await ServeCommandTests.succeededRunwayTask(at: base))
        }
    }

    /// `pollster serve` with `extra` arguments against a mock provider whose outputs are `size`
    /// bytes, and its base URL.
    static func withServer(
        size: Int = 1024, _ extra: [String], _ body: (CLIProcess, String) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory.make("serve")
        defer { TemporaryDirectory.remove(directory) }
        try await withMockEngine(script: MockJobScript(output: MockOutput(size: size))) { _, mock in
            let server = try CLIProcess(
                [
                    "serve", "--no-auth", "--listen", "127.0.0.1:0",
                    "--sqlite", directory.appendingPathComponent("tasks.sqlite").path,
                    "--files", directory.appendingPathComponent("files").path, "--adapters",
                    Repository.adapters, "--base-url", mock.baseURL, "--allow-private-networks",
                ] + extra, environment: ["RUNWAYML_API_SECRET": "runway-test-key"])
            defer { _ = server.stop() }
            try await body(server, try await SharedServerStoreTests.listening(server))
        }
    }
}
