import Foundation
import Pollster
import PollsterCore
import PollsterMock
import PollsterPostgres
import PollsterTesting
import PostgresNIO
import ServiceLifecycle
import Testing

extension PostgresTests {
    /// A running `PostgresRegistry` follows the rows an admin inserts, updates, disables and deletes.
    @Suite("Live registry")
    struct LiveRegistryTests {
        static let adapterConfig =
            #"{"headers": {"X-Api-Key": "${HEYGEN_API_KEY}"}, "polling": {"statusUrl": "/v1/video_status.get?video_id={id}", "intervalSeconds": 1}}"#

        /// Inserts the HeyGen inventory (pointing nowhere: tests pass the mock's URL as override).
        static func insertInventory(_ database: PollsterDatabase) async throws {
            try await database.execute(
                "INSERT INTO toolset_inventory (key, name, base_url) VALUES ('heygen', 'HeyGen', 'https://api.heygen.com')"
            )
        }

        static func insertMethod(
            _ database: PollsterDatabase, name: String = "create_avatar_video_v2", version: Int32 = 1,
            config: String = adapterConfig, enabled: Bool = true
        ) async throws {
            try await database.execute(
                """
                INSERT INTO tool_methods (inventory_key, name, version_id, endpoint, adapter_config, enabled)
                VALUES ('heygen', \(name), \(version), '/v2/video/generate', \(config)::jsonb, \(enabled))
                """)
        }

        @Test("a row inserted while the registry runs can be invoked within a second")
        func insertThenInvoke() async throws {
            try await withTestDatabase { database in
                try await Self.insertInventory(database)
                try await withLiveRegistry(database) { registry in
                    #expect(try await registry.methods().isEmpty)
                    try await Self.insertMethod(database)
                    let seen = try await eventually(within: .seconds(1)) {
                        (try? await registry.method(named: "heygen.create_avatar_video_v2")) != nil
                    }
                    #expect(seen)
                    try await withMockEngine(registry: registry) { pollster, mock in
                        let result = try await pollster.invoke(
                            "heygen.create_avatar_video_v2", input: heygenInput, options: fastOptions(mock))
                        #expect(result.state == .succeeded)
                        #expect(result.files.count == 1)
                        #expect(mock.stats.submissions == 1)
                    }
                }
            }
        }

        @Test("updated, disabled, re-enabled and deleted rows are picked up without a restart")
        func updateDisableDelete() async throws {
            try await withTestDatabase { database in
                try await Self.insertInventory(database)
                try await Self.insertMethod(database)
                try await withLiveRegistry(database) { registry in
                    let name = "heygen.create_avatar_video_v2"
                    #expect(try await registry.method(named: name).config.endpoint == "/v2/video/generate")
                    try await database.execute("UPDATE tool_methods SET endpoint = '/v3/video'")
                    #expect(
                        try await eventually {
                            (try? await registry.method(named: name))?.config.endpoint == "/v3/video"
                        })
                    try await database.execute("UPDATE tool_methods SET enabled = false")
                    #expect(try await eventually { try await registry.methods().isEmpty })
                    let error = await pollsterError { try await registry.method(named: name) }
                    #expect(error?.code == .toolNotFound)
                    try await database.execute("UPDATE tool_methods SET enabled = true")
                    #expect(try await eventually { try await registry.methods().count == 1 })
                    try await database.execute("UPDATE toolset_inventory SET enabled = false")
                    #expect(try await eventually { try await registry.methods().isEmpty })
                    try await database.execute("UPDATE toolset_inventory SET enabled = true")
                    #expect(try await eventually { try await registry.methods().count == 1 })
                    try await database.execute("DELETE FROM tool_methods")
                    #expect(try await eventually { try await registry.methods().isEmpty })
                }
            }
        }

        @Test("the highest enabled version wins; disabling it falls back to the next")
        func versionPrecedence() async throws {
            try await withTestDatabase { database in
                try await Self.insertInventory(database)
                for version: Int32 in [1, 3, 2] {
                    try await Self.insertMethod(
                        database, version: version,
                        config: #"{"polling": {"statusUrl": "/v\#(version)/status/{id}"}}"#)
                }
                try await withLiveRegistry(database) { registry in
                    let name = "heygen.create_avatar_video_v2"
                    #expect(try await registry.method(named: name).config.versionId == 3)
                    try await database.execute("UPDATE tool_methods SET enabled = false WHERE version_id = 3")
                    #expect(
                        try await eventually {
                            (try? await registry.method(named: name))?.config.versionId == 2
                        })
                    try await Self.insertMethod(database, version: 4, enabled: false)
                    try await database.execute(
                        "UPDATE tool_methods SET endpoint = '/later' WHERE version_id = 1")
                    #expect(try await eventually { registry.completedLoads >= 3 })
                    #expect(try await registry.method(named: name).config.versionId == 2)
                    try await database.execute("UPDATE tool_methods SET enabled = true WHERE version_id = 4")
                    #expect(
                        try await eventually {
                            (try? await registry.method(named: name))?.config.versionId == 4
                        })
                }
            }
        }

        @Test(
            "a broken row disables only its method and is logged once, naming inventory, method, version and key"
        )
        func brokenRow() async throws {
            try await withTestDatabase { database in
                try await Self.insertInventory(database)
                try await Self.insertMethod(database, name: "working")
                let capture = LogCapture()
                try await withLiveRegistry(database, logger: capture.logger) { registry in
                    try await Self.insertMethod(
                        database, name: "typo", version: 2,
                        config: #"{"polling": {"statusUrl": "/s/{id}", "intervalSecs": 5}}"#)
                    #expect(try await eventually { try await registry.problems().count == 1 })
                    let problem = try #require(try await registry.problems().first)
                    for part in [
                        "heygen.typo", "version 2", "intervalSecs", "did you mean 'intervalSeconds'",
                    ] {
                        #expect(problem.message.contains(part), "\(problem.message)")
                    }
                    let error = await pollsterError { try await registry.method(named: "heygen.typo") }
                    #expect(error?.code == .invalidConfig)
                    #expect(try await registry.method(named: "heygen.working").name == "heygen.working")
                    // More reloads do not repeat the log line.
                    let loads = registry.completedLoads
                    try await database.execute("UPDATE toolset_inventory SET name = 'HeyGen!'")
                    #expect(try await eventually { registry.completedLoads > loads })
                    let errors = capture.messages(at: .error)
                    #expect(errors.count == 1, "\(errors)")
                    #expect(errors.first?.contains("heygen.typo") == true)
                    try await withMockEngine(registry: registry) { pollster, mock in
                        let result = try await pollster.invoke(
                            "heygen.working", input: heygenInput, options: fastOptions(mock))
                        #expect(result.state == .succeeded)
                    }
                }
            }
        }

        @Test("after the notification connection is killed, the registry listens again and catches up")
        func relisten() async throws {
            try await withTestDatabase { database in
                try await Self.insertInventory(database)
                // No periodic refresh in this test: only listening again can bring the changes in.
                let configuration = PostgresRegistry.Configuration(
                    refreshInterval: .seconds(3600), relistenDelay: .milliseconds(50))
                // The admin's writes use a client of their own: the registry's pool may hand out
                // the connection that was just killed, which is its business, not the admin's.
                try await PostgresSession.withClient(database.url, logger: quietLogger) { adminClient in
                    let admin = PollsterDatabase(client: adminClient, url: database.url, logger: quietLogger)
                    try await withLiveRegistry(database, configuration: configuration) { registry in
                        let killed = try await admin.values(
                            """
                            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                            WHERE datname = current_database() AND query ILIKE 'LISTEN%'
                            """, as: Bool.self)
                        #expect(killed == [true])
                        try await Self.insertMethod(admin)
                        #expect(
                            try await eventually(within: .seconds(5)) {
                                try await registry.methods().count == 1
                            })
                        #expect(try await eventually(within: .seconds(5)) { registry.isListening })
                        try await Self.insertMethod(admin, name: "second")
                        #expect(try await eventually { try await registry.methods().count == 2 })
                    }
                }
            }
        }

        @Test("without notifications the periodic refresh alone keeps the registry current")
        func periodicRefresh() async throws {
            try await withTestDatabase { database in
                try await Self.insertInventory(database)
                try await database.execute("DROP TRIGGER tool_methods_notify ON tool_methods")
                let configuration = PostgresRegistry.Configuration(refreshInterval: .milliseconds(200))
                try await withLiveRegistry(database, configuration: configuration) { registry in
                    try await Self.insertMethod(database)
                    #expect(try await eventually { try await registry.methods().count == 1 })
                }
            }
        }

        @Test("in a ServiceGroup with its client it follows changes and stops on graceful shutdown")
        func serviceGroup() async throws {
            try await withTestDatabase { database in
                try await Self.insertInventory(database)
                let client = PostgresClient(
                    configuration: database.url.clientConfiguration, backgroundLogger: quietLogger)
                let registry = PostgresRegistry(
                    database: PollsterDatabase(client: client, url: database.url, logger: quietLogger),
                    logger: quietLogger)
                let group = ServiceGroup(services: [client, registry], logger: quietLogger)
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    #expect(try await eventually(within: .seconds(10)) { registry.isListening })
                    try await Self.insertMethod(database)
                    #expect(try await eventually { try await registry.methods().count == 1 })
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
                #expect(!registry.isListening)
            }
        }
    }
}
