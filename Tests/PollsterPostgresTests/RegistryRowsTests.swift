import Foundation
import Pollster
import PollsterCore
import PollsterPostgres
import PostgresNIO
import Testing

extension PostgresTests {
    /// Rows as existing deployments and hostile callers hold them.
    @Suite("Registry rows")
    struct RegistryRowsTests {
        @Test("an existing deployment's tables, adapter_config as JSON text, load after `db migrate`")
        func legacyTextColumn() async throws {
            try await withTestDatabase(migrated: false) { database in
                // The pattern's columns as older deployments created them: adapter_config is text.
                try await database.execute(
                    "CREATE TABLE toolset_inventory (key text PRIMARY KEY, name text, base_url text, limits text, enabled boolean)"
                )
                try await database.execute(
                    """
                    CREATE TABLE tool_methods (id serial PRIMARY KEY, inventory_key text NOT NULL, version_id int,
                        name text NOT NULL, description text, endpoint text NOT NULL, http_method text,
                        request_schema json, response_schema json, adapter_type text, adapter_config text,
                        enabled boolean DEFAULT true, created_at timestamp DEFAULT now(), updated_at timestamp)
                    """)
                try await database.execute(
                    #"INSERT INTO toolset_inventory VALUES ('heygen', 'HeyGen', 'https://api.heygen.com', '{"maxConcurrent": 2}', true)"#
                )
                let legacyConfig =
                    #"{"headers":{"X-Api-Key":"${HEYGEN_API_KEY}"},"timeout":30000,"polling":{"statusUrl":"/v1/video_status.get?video_id={id}","maxWaitSeconds":300,"intervalSeconds":5}}"#
                try await database.execute(
                    """
                    INSERT INTO tool_methods (inventory_key, version_id, name, endpoint, http_method, adapter_type,
                        adapter_config, request_schema)
                    VALUES ('heygen', 1, 'create_avatar_video_v2', '/v2/video/generate', 'POST', 'http',
                        \(legacyConfig), '{"type": "object"}')
                    """)
                // Before migrating, the error says what to do.
                let before = await pollsterError {
                    try await PostgresRegistry(database: database, logger: quietLogger).methods()
                }
                #expect(before?.code == .invalidConfig)
                #expect(before?.message.contains("pollster db migrate") == true)
                // `db migrate` adds what is missing and keeps the rows and the text column.
                try await database.migrate()
                let registry = PostgresRegistry(database: database, logger: quietLogger)
                let method = try await registry.method(named: "heygen.create_avatar_video_v2")
                #expect(method.config.adapterConfig.timeout == 30000)
                #expect(method.plan.requestTimeout == .seconds(30))
                #expect(
                    method.config.adapterConfig.polling?.statusUrl == "/v1/video_status.get?video_id={id}")
                #expect(method.limits?.maxConcurrent == 2)
                #expect(method.config.requestSchema == ["type": "object"])
                #expect(try await registry.problems().isEmpty)
                let type = try await database.values(
                    """
                    SELECT data_type::text FROM information_schema.columns
                    WHERE table_name = 'tool_methods' AND column_name = 'adapter_config'
                    """, as: String.self)
                #expect(type == ["text"])
                // The trigger now exists on the legacy tables too, and import works against them.
                let imported = try await database.importInventories([
                    try InventoryLoader.load(
                        yaml:
                            "inventory: heygen\nbaseUrl: https://api.heygen.com\nmethods:\n  - name: other\n    endpoint: /x\n",
                        source: "test")
                ])
                #expect(imported.inserted == ["heygen.other@1"])
                #expect(
                    try await PostgresRegistry(database: database, logger: quietLogger).methods().count == 2)
            }
        }

        @Test("a SQL injection attempt through a tool name finds nothing and drops nothing")
        func injection() async throws {
            try await withTestDatabase { database in
                try await database.importInventories([
                    try InventoryLoader.load(
                        yaml:
                            "inventory: fal\nbaseUrl: https://fal.run\nmethods:\n  - name: fast_sdxl\n    endpoint: /x\n",
                        source: "test")
                ])
                let registry = PostgresRegistry(database: database, logger: quietLogger)
                for hostile in [
                    "x'; DROP TABLE tool_methods; --", "fal.x'; DROP TABLE tool_methods; --",
                    "fal.fast_sdxl' OR '1'='1", #"fal"; DROP TABLE toolset_inventory; --.m"#,
                ] {
                    let error = await pollsterError { try await registry.method(named: hostile) }
                    #expect(error?.code == .toolNotFound, "\(hostile): \(String(describing: error))")
                }
                // Rows whose names are hostile are stored and read back as plain text.
                try await database.execute(
                    """
                    INSERT INTO tool_methods (inventory_key, name, endpoint)
                    VALUES ('fal', \("x'; DROP TABLE tool_methods; --"), '/y')
                    """)
                try await registry.refresh()
                #expect(try await registry.problems().count == 1)
                let tables = try await database.values(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
                    as: Int.self)
                #expect(tables == [9], "every table is still there")
                #expect(try await database.values("SELECT count(*) FROM tool_methods", as: Int.self) == [2])
                #expect(try await registry.method(named: "fal.fast_sdxl").name == "fal.fast_sdxl")
            }
        }

        @Test("PostgreSQL before YAML: the database wins a name clash; YAML fills in the rest")
        func composite() async throws {
            try await withTestDatabase { database in
                try await database.importInventories([
                    try InventoryLoader.load(
                        yaml:
                            "inventory: fal\nbaseUrl: https://from-database.test\nmethods:\n  - name: fast_sdxl\n    endpoint: /db\n",
                        source: "test")
                ])
                let yaml = try YAMLRegistry(directory: Repository.adapters)
                let composite = CompositeRegistry([
                    PostgresRegistry(database: database, logger: quietLogger), yaml,
                ])
                #expect(
                    try await composite.method(named: "fal.fast_sdxl").baseUrl == "https://from-database.test"
                )
                #expect(
                    try await composite.method(named: "heygen.create_avatar_video_v2").inventory == "heygen")
                let names = try await composite.methods().map(\.name)
                #expect(names.filter { $0 == "fal.fast_sdxl" }.count == 1)
                #expect(names.count == (try await yaml.methods().count))
                // A broken database row is an error, not a silent fallback to the YAML method.
                try await database.execute(
                    "UPDATE tool_methods SET adapter_config = '{\"polling\": {\"intervalSecs\": 1}}'::jsonb")
                let fresh = CompositeRegistry([
                    PostgresRegistry(database: database, logger: quietLogger), yaml,
                ])
                let error = await pollsterError { try await fresh.method(named: "fal.fast_sdxl") }
                #expect(error?.code == .invalidConfig)
                // …and it is not listed as callable either.
                #expect(!(try await fresh.methods().map(\.name).contains("fal.fast_sdxl")))
                #expect(try await fresh.problems().count == 1)
            }
        }
    }
}
