import Foundation
import Pollster
import PollsterCore
import PollsterPostgres
import PollsterTesting
import PostgresNIO
import Testing

extension PostgresTests {
    /// `pollster db migrate`, `registry import` and `registry export` through the built binary.
    @Suite("Command line with a database")
    struct CLIDatabaseTests {
        @Test("db migrate applies once, then reports the schema current")
        func migrate() async throws {
            try await withTestDatabase(migrated: false) { database in
                let url = database.url.description
                let first = try await CLI.run(["db", "migrate", "--database-url", url])
                #expect(first.status == 0, "\(first.error)")
                for migration in Migration.all { #expect(first.output.contains("applied \(migration.name)")) }
                // The URL can come from the environment too.
                let second = try await CLI.run(
                    ["db", "migrate"], environment: ["POLLSTER_DATABASE_URL": url])
                #expect(second.status == 0, "\(second.error)")
                #expect(second.output.contains("schema up to date"))
                #expect(!second.output.contains("applied"))
                #expect(try await database.appliedMigrations() == Migration.all.map(\.version))
            }
        }

        @Test("registry import, list, validate and export --sql round-trip the shipped adapters")
        func importExport() async throws {
            try await withTestDatabase { database in
                let url = database.url.description
                let imported = try await CLI.run(["registry", "import", "adapters", "--database-url", url])
                #expect(imported.status == 0, "\(imported.error)")
                #expect(imported.output.contains("inserted heygen.create_avatar_video_v2@1"))
                let again = try await CLI.run(["registry", "import", "adapters", "--database-url", url])
                #expect(again.output.contains("0 inserted, 0 updated"), "\(again.output)")

                let list = try await CLI.run(["list", "--database-url", url, "--adapters", "/nonexistent"])
                #expect(list.status == 4, "an explicit --adapters that does not exist is an error")
                let empty = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "pollster-empty-\(UUID())")
                try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: empty) }
                let rowsOnly = try await CLI.run(["list", "--database-url", url], in: empty)
                #expect(rowsOnly.status == 0, "\(rowsOnly.error)")
                #expect(rowsOnly.output.contains("heygen.create_avatar_video_v2"))
                #expect(!rowsOnly.output.contains("${") && !rowsOnly.error.contains("${"))

                let validate = try await CLI.run(["validate", "--database-url", url])
                #expect(validate.status == 0, "\(validate.error)")
                #expect(validate.output.contains("ok: 13 tool methods valid"), "\(validate.output)")

                let exportDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "pollster-export-\(UUID())")
                defer { try? FileManager.default.removeItem(at: exportDirectory) }
                let export = try await CLI.run(
                    ["registry", "export", "--sql", "--output", exportDirectory.path, "--database-url", url])
                #expect(export.status == 0, "\(export.error)")
                for file in try FileManager.default.contentsOfDirectory(atPath: Repository.providers) {
                    let committed = try String(
                        contentsOfFile: "\(Repository.providers)/\(file)", encoding: .utf8)
                    let exported = try String(
                        contentsOf: exportDirectory.appendingPathComponent(file), encoding: .utf8)
                    // Same statements; only the first comment line names another source.
                    #expect(Self.dropFirstLine(exported) == Self.dropFirstLine(committed), "\(file)")
                }
                let yamlDirectory = exportDirectory.appendingPathComponent("yaml")
                let yaml = try await CLI.run([
                    "registry", "export", "--yaml", yamlDirectory.path, "--database-url", url,
                ])
                #expect(yaml.status == 0, "\(yaml.error)")
                let reloaded = try YAMLRegistryLoader.inventories(yamlDirectory.path)
                #expect(
                    reloaded
                        == ImportExportTests.shipped.inventories.map(\.config).sorted {
                            $0.inventory < $1.inventory
                        })
            }
        }

        @Test("an unreachable database is TRANSPORT_ERROR naming host:port, never the password")
        func unreachable() async throws {
            let run = try await CLI.run([
                "list", "--database-url", "postgres://admin:hunter2@127.0.0.1:1/registry",
            ])
            #expect(run.status == 12, "\(run.error)")
            #expect(run.error.contains("TRANSPORT_ERROR"))
            #expect(run.error.contains("127.0.0.1:1"))
            #expect(!run.error.contains("hunter2") && !run.output.contains("hunter2"))
            let migrate = try await CLI.run([
                "db", "migrate", "--database-url", "postgres://admin:hunter2@127.0.0.1:1/x",
            ])
            #expect(migrate.status == 12)
            #expect(!migrate.error.contains("hunter2"))
        }

        @Test("import refuses a broken file and writes nothing")
        func importBroken() async throws {
            try await withTestDatabase { database in
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "pollster-bad-\(UUID())")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                try "inventory: a\nbaseUrl: https://a.test\nmethods:\n  - name: x\n    endpoint: /x\n"
                    .write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
                try
                    "inventory: b\nmethods:\n  - name: y\n    endpoint: https://b.test/y\n    httpMethod: FETCH\n"
                    .write(to: directory.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
                let run = try await CLI.run([
                    "registry", "import", directory.path, "--database-url", database.url.description,
                ])
                #expect(run.status == 4)
                #expect(run.error.contains("FETCH"))
                #expect(run.output.contains("nothing imported"))
                let count = try await database.values("SELECT count(*) FROM toolset_inventory", as: Int.self)
                #expect(count == [0])
            }
        }

        static func dropFirstLine(_ text: String) -> Substring {
            text.drop { $0 != "\n" }
        }
    }
}

/// Loads the inventories of a directory of YAML files, as `pollster registry export --yaml` wrote them.
enum YAMLRegistryLoader {
    static func inventories(_ directory: String) throws -> [InventoryConfig] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") }
            .sorted()
            .map { file in
                try InventoryLoader.load(
                    yaml: try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8), source: file)
            }
    }
}
