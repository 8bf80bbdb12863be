import PollsterCore
import PollsterPostgres
import PostgresNIO
import Testing

extension PostgresTests {
    /// `migrate()` against a real server.
    @Suite("Migrations")
    struct MigrationTests {
        @Test("migrating twice applies everything once and records the versions")
        func migrateTwice() async throws {
            try await withTestDatabase(migrated: false) { database in
                #expect(try await database.appliedMigrations() == [])
                let first = try await database.migrate()
                #expect(first.map(\.version) == Migration.all.map(\.version))
                let second = try await database.migrate()
                #expect(second.isEmpty)
                #expect(try await database.appliedMigrations() == Migration.all.map(\.version))
                let tables = try await database.values(
                    """
                    SELECT table_name::text FROM information_schema.tables
                    WHERE table_schema = 'public' ORDER BY table_name
                    """, as: String.self)
                #expect(
                    tables == [
                        "pollster_api_idempotency", "pollster_api_keys", "pollster_api_settings",
                        "pollster_api_webhook_attempts", "pollster_api_webhooks", "pollster_tasks",
                        "schema_migrations", "tool_methods", "toolset_inventory",
                    ])
                let triggers = try await database.values(
                    "SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname",
                    as: String.self)
                #expect(triggers == ["tool_methods_notify", "toolset_inventory_notify"])
            }
        }

        @Test("concurrent migrations do not trip over each other")
        func concurrent() async throws {
            try await withTestDatabase(migrated: false) { database in
                async let one = database.migrate()
                async let two = database.migrate()
                let applied = try await one.count + two.count
                #expect(applied == Migration.all.count)
            }
        }

        @Test("a failing migration is rolled back and named; earlier ones stay")
        func failure() async throws {
            try await withTestDatabase(migrated: false) { database in
                let broken =
                    Migration.all + [
                        Migration(
                            version: 99, name: "0099_broken",
                            sql: "CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n")
                    ]
                let error = await pollsterError { try await database.migrate(broken) }
                #expect(error?.message.contains("0099_broken") == true, "\(String(describing: error))")
                #expect(error?.message.contains("no_such_table") == true)
                #expect(try await database.appliedMigrations() == Migration.all.map(\.version))
                let halfDone = try await database.values(
                    "SELECT to_regclass('half_done') IS NULL", as: Bool.self)
                #expect(halfDone == [true])
            }
        }
    }
}
