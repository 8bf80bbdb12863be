import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Pollster
import PollsterCore
import Testing

/// `pollster worker --health HOST:PORT`, as a process supervisor sees it.
@Suite("Worker health endpoints")
struct WorkerHealthTests {
    /// A free loopback port (bound and released).
    static func freePort() throws -> Int {
        #if canImport(Glibc)
            let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let socket = Foundation.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func get(_ url: String) async -> (status: Int, body: String)? {
        do {
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: url), timeout: .seconds(2))
            let body = try await response.body.collect(upTo: 64 * 1024)
            return (Int(response.status.code), String(buffer: body))
        } catch {
            return nil
        }
    }

    @Test("healthz answers, readyz is ready with methods loaded, SIGTERM exits 0", arguments: [true, false])
    func health(withAdapters: Bool) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-health-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let adapters = withAdapters ? Repository.adapters : directory.path
        let port = try Self.freePort()
        let worker = try workerProcess(
            [
                "--health", "127.0.0.1:\(port)", "--adapters", adapters, "--sqlite",
                directory.appendingPathComponent("tasks.sqlite").path, "--files", directory.path,
            ], environment: [:])
        var ready: (status: Int, body: String)?
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            ready = await Self.get("http://127.0.0.1:\(port)/readyz")
            if let ready, !ready.body.contains("starting") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let health = await Self.get("http://127.0.0.1:\(port)/healthz")
        #expect(health?.status == 200, "\(worker.log)")
        if withAdapters {
            #expect(ready?.status == 200, "\(String(describing: ready)) \(worker.log)")
            #expect(ready?.body.contains("tool methods") == true)
        } else {
            #expect(ready?.status == 503, "\(String(describing: ready))")
            #expect(ready?.body.contains("no tool methods loaded") == true)
        }
        #expect(worker.stop() == 0, "\(worker.log)")
    }
}

/// A client that connects to the health endpoints and sends nothing, or half a request.
@Suite("Health server: silent clients")
struct HealthServerSilentClientTests {
    struct Ready: ReadinessCheck {
        func readiness() async -> (ready: Bool, detail: String) { (true, "ok") }
    }

    @Test("a connection without a whole request is closed after the request timeout")
    func silentConnectionsAreClosed() async throws {
        // A free port can be taken by a parallel test before the server binds it: the server
        // then ends at once, and the test tries another port.
        for _ in 1...3 {
            let port = try WorkerHealthTests.freePort()
            let server = try HealthServer(
                address: "127.0.0.1:\(port)", logger: Logger(label: "test"), check: Ready(),
                requestTimeout: .seconds(1))
            let tested = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try? await server.run()
                    return false
                }
                group.addTask {
                    try await Self.checkSilentClients(base: "http://127.0.0.1:\(port)")
                    return true
                }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
            if tested { return }
        }
        Issue.record("the health server could not bind a free port in three tries")
    }

    private static func checkSilentClients(base: String) async throws {
        try await until(timeout: .seconds(10)) { await WorkerHealthTests.get(base + "/healthz") != nil }
        let silent = try await RawConnection.connect(to: base)
        defer { silent.close() }
        let half = try await RawConnection.connect(to: base)
        defer { half.close() }
        // On a loaded machine the server may have closed it already: that is the point.
        try? await half.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        #expect(try await silent.readToEnd(within: .seconds(10)) == (0, true))
        #expect(try await half.readToEnd(within: .seconds(10)) == (0, true))
        #expect(await WorkerHealthTests.get(base + "/healthz")?.status == 200)
    }
}
