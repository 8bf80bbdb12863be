import Foundation
import Logging
import Pollster
import PollsterCore
import PollsterMock
import PollsterPostgres
import PollsterTesting
import ServiceLifecycle
import Testing

extension PostgresTests {
    /// A worker whose PostgreSQL stops answering (a paused TCP proxy: connections stay open and
    /// silent, as in a partition): one warning when the outage starts, one when it ends, the task
    /// still finishes, and a graceful shutdown during an outage ends in time.
    @Suite("Task store outages")
    struct StoreOutageTests {
        static let adapters = """
            inventory: heygen
            baseUrl: https://api.heygen.com
            methods:
              - name: create_avatar_video_v2
                endpoint: /v2/video/generate
                adapterConfig:
                  headers: { X-Api-Key: "${HEYGEN_API_KEY}" }
                  polling: { statusUrl: "/v1/video_status.get?video_id={id}" }
            """

        @Test("an outage is reported once, the task finishes after it, and shutdown during one is prompt")
        func outage() async throws {
            try await withTestDatabase { database in
                guard !database.url.usesUnixSocket else { return }
                let proxy = try await TCPProxy.start(to: database.url.host, port: database.url.port)
                var viaProxy = database.url
                viaProxy.host = "127.0.0.1"
                viaProxy.port = proxy.port
                let capture = LogCapture()
                try await PostgresSession.withClient(viaProxy, logger: quietLogger) { client in
                    let proxied = PostgresTaskStore(
                        database: PollsterDatabase(client: client, url: viaProxy, logger: quietLogger))
                    let direct = PostgresTaskStore(database: database)
                    try await withMockEngine(
                        registry: try yamlRegistry(Self.adapters),
                        script: MockJobScript(duration: .seconds(3))
                    ) { pollster, mock in
                        let worker = TaskWorker(
                            store: proxied, pollster: pollster,
                            configuration: TaskWorker.Configuration(
                                id: "w1", lease: .seconds(30), idleDelay: .milliseconds(20),
                                filesDirectory: FileManager.default.temporaryDirectory.appendingPathComponent(
                                    "pollster-outage-\(UUID().uuidString)"
                                ).path, storeTimeout: .seconds(2)),
                            logger: capture.logger)
                        let service = TaskService(store: direct, pollster: pollster)
                        let group = ServiceGroup(services: [worker], logger: quietLogger)
                        try await withThrowingTaskGroup(of: Void.self) { tasks in
                            tasks.addTask { try await group.run() }
                            let task = try await service.submit(
                                "heygen.create_avatar_video_v2", input: heygenInput,
                                options: TaskOptions(baseUrlOverride: mock.baseURL, pollIntervalSeconds: 0.05)
                            )
                            _ = try await eventually(within: .seconds(10)) {
                                try await service.status(task.id).state == .running
                            }
                            // On a loaded machine two slow calls before the pause can count as an
                            // outage of their own: only the reports after it are this outage's.
                            let unreachable = {
                                capture.messages(at: .warning).filter {
                                    $0.contains("task store unreachable")
                                }.count
                            }
                            let before = unreachable()
                            proxy.pause()
                            // Two calls in a row must time out (2 s each) before it counts as an outage.
                            try await Task.sleep(for: .seconds(8))
                            let down = unreachable() - before
                            #expect(down <= 1, "reported once: \(capture.messages(at: .warning))")
                            #expect(unreachable() >= 1, "\(capture.messages(at: .warning))")
                            #expect(capture.messages(at: .error).isEmpty, "\(capture.messages(at: .error))")
                            proxy.resume()
                            let done = try await service.wait(task.id, timeout: .seconds(60))
                            #expect(done.state == .succeeded, "\(String(describing: done.error))")
                            #expect(mock.stats.jobsCreated == 1)
                            #expect(
                                capture.messages(at: .warning).contains {
                                    $0.contains("task store reachable again")
                                })

                            proxy.pause()
                            let stopping = ContinuousClock.now
                            await group.triggerGracefulShutdown()
                            try await tasks.waitForAll()
                            let took = ContinuousClock.now - stopping
                            #expect(took < .seconds(15), "shutdown during an outage took \(took)")
                            proxy.resume()
                        }
                    }
                }
                try await proxy.shutdown()
            }
        }
    }
}
