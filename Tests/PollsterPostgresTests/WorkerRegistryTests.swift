import Foundation
import Pollster
import PollsterCore
import PollsterMock
import PollsterPostgres
import PollsterTesting
import PostgresNIO
import Testing

extension PostgresTests {
    /// A running worker follows the registry rows: methods inserted or updated after it started
    /// are used without a restart.
    @Suite("Worker with a live registry")
    struct WorkerRegistryTests {
        @Test("a method inserted and then updated while a worker runs is used by it")
        func insertedAndUpdated() async throws {
            try await withTestDatabase { database in
                try await LiveRegistryTests.insertInventory(database)
                try await withLiveRegistry(database) { registry in
                    try await withMockEngine(registry: registry) { pollster, mock in
                        let store = PostgresTaskStore(database: database)
                        let worker = Self.worker(store, pollster)
                        // `pollster submit` reads the rows when it runs; the worker started before them.
                        let submitter = { () async throws -> TaskService in
                            let snapshot = try await RegistrySnapshot.load(
                                from: database.url, logger: quietLogger)
                            return TaskService(
                                store: store,
                                pollster: Pollster(
                                    registry: snapshot,
                                    transport: ReplayTransport(fixture: Fixture(exchanges: [])),
                                    secrets: testSecrets, logger: quietLogger))
                        }
                        let options = TaskOptions(baseUrlOverride: mock.baseURL, pollIntervalSeconds: 0.02)
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask { try await worker.run() }
                            defer { group.cancelAll() }

                            try await LiveRegistryTests.insertMethod(database)
                            let first = try await submitter().submit(
                                "heygen.create_avatar_video_v2", input: heygenInput, options: options)
                            let done = try await TaskService(store: store, pollster: pollster).wait(
                                first.id, timeout: .seconds(60))
                            #expect(done.state == .succeeded, "\(String(describing: done.error))")

                            let updated = LiveRegistryTests.adapterConfig.replacingOccurrences(
                                of: #""headers": {"#, with: #""headers": {"X-Config-Version": "2", "#)
                            try await database.execute(
                                "UPDATE tool_methods SET adapter_config = \(updated)::jsonb WHERE name = 'create_avatar_video_v2'"
                            )
                            let seen = try await eventually(within: .seconds(1)) {
                                let method = try await registry.method(named: "heygen.create_avatar_video_v2")
                                return method.config.adapterConfig.headers["X-Config-Version"] == "2"
                            }
                            #expect(seen, "the update reached the worker's registry within a second")
                            let second = try await submitter().submit(
                                "heygen.create_avatar_video_v2", input: heygenInput, options: options)
                            let again = try await TaskService(store: store, pollster: pollster).wait(
                                second.id, timeout: .seconds(60))
                            #expect(again.state == .succeeded)
                        }
                        let submits = mock.stats.requests.filter { $0.method == "POST" }
                        #expect(submits.count == 2)
                        #expect(submits.first?.headers["x-config-version"] == nil)
                        #expect(submits.last?.headers["x-config-version"] == "2")
                    }
                }
            }
        }

        @Test("a task for a tool the worker does not know yet waits for it instead of failing")
        func unknownToolWaits() async throws {
            try await withTestDatabase { database in
                try await LiveRegistryTests.insertInventory(database)
                // Only the periodic reload (every 2 s) can bring the method to the worker.
                try await database.execute("DROP TRIGGER tool_methods_notify ON tool_methods")
                let configuration = PostgresRegistry.Configuration(refreshInterval: .seconds(2))
                let registry = PostgresRegistry(
                    database: database, configuration: configuration, logger: quietLogger)
                try await withMockEngine(registry: registry) { pollster, mock in
                    let store = PostgresTaskStore(database: database)
                    let worker = Self.worker(store, pollster, unknownToolGrace: .seconds(20))
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await registry.run() }
                        group.addTask { try await worker.run() }
                        defer { group.cancelAll() }
                        #expect(try await eventually(within: .seconds(10)) { registry.current != nil })
                        try await LiveRegistryTests.insertMethod(database)
                        let snapshot = try await RegistrySnapshot.load(
                            from: database.url, logger: quietLogger)
                        let submitter = TaskService(
                            store: store,
                            pollster: Pollster(
                                registry: snapshot,
                                transport: ReplayTransport(fixture: Fixture(exchanges: [])),
                                secrets: testSecrets, logger: quietLogger))
                        let task = try await submitter.submit(
                            "heygen.create_avatar_video_v2", input: heygenInput,
                            options: TaskOptions(baseUrlOverride: mock.baseURL, pollIntervalSeconds: 0.02))
                        let done = try await TaskService(store: store, pollster: pollster).wait(
                            task.id, timeout: .seconds(60))
                        #expect(done.state == .succeeded, "\(String(describing: done.error))")
                        #expect(mock.stats.jobsCreated == 1)
                    }
                }
            }
        }

        /// A worker over `store` with short pauses, writing into a fresh directory.
        static func worker(
            _ store: any TaskStore, _ pollster: Pollster, unknownToolGrace: Duration = .seconds(30)
        )
            -> TaskWorker
        {
            TaskWorker(
                store: store, pollster: pollster,
                configuration: TaskWorker.Configuration(
                    id: "w1", lease: .seconds(10), idleDelay: .milliseconds(20),
                    filesDirectory: FileManager.default.temporaryDirectory.appendingPathComponent(
                        "pollster-live-\(UUID().uuidString)"
                    ).path, unknownToolGrace: unknownToolGrace),
                logger: quietLogger)
        }
    }
}
