import Foundation
import Pollster
import PollsterCore
import PollsterPostgres
import PostgresNIO
import Testing

extension PostgresTests {
    /// YAML → rows → YAML gives back the same configs, and the generated SQL loads.
    @Suite("Import and export")
    struct ImportExportTests {
        static let shipped = try! YAMLRegistry(directory: Repository.adapters)

        @Test("the shipped adapters round-trip through rows unchanged in meaning")
        func roundTrip() async throws {
            try await withTestDatabase { database in
                let inventories = Self.shipped.inventories.map(\.config)
                let summary = try await database.importInventories(inventories)
                #expect(summary.updated.isEmpty && summary.unchanged.isEmpty)
                #expect(
                    summary.inserted.count == inventories.count
                        + inventories.map(\.methods.count).reduce(0, +))
                let (exported, problems) = try await database.allRows().inventoryConfigs()
                #expect(problems.isEmpty)
                #expect(exported == inventories.sorted { $0.inventory < $1.inventory })
                // Through YAML text as well.
                for inventory in exported {
                    let yaml = try RegistryExporter.yaml(inventory)
                    #expect(try InventoryLoader.load(yaml: yaml, source: "export") == inventory)
                }
                // The registry offers exactly what the YAML registry offers.
                let registry = PostgresRegistry(database: database, logger: quietLogger)
                let fromRows = try await registry.methods().map { "\($0.name)@\($0.config.versionId)" }
                let fromYAML = try await Self.shipped.methods().map { "\($0.name)@\($0.config.versionId)" }
                #expect(fromRows == fromYAML)
                #expect(try await registry.problems().isEmpty)
            }
        }

        @Test("importing again changes nothing; an edit updates its row; a new versionId adds one")
        func reimport() async throws {
            try await withTestDatabase { database in
                let yaml = """
                    inventory: demo
                    baseUrl: https://demo.test
                    methods:
                      - name: render
                        endpoint: /render
                        adapterConfig: { polling: { statusUrl: "/jobs/{id}" } }
                      - name: old
                        endpoint: /old
                        enabled: false
                    """
                let inventory = try InventoryLoader.load(yaml: yaml, source: "demo.yaml")
                try await database.importInventories([inventory])
                let again = try await database.importInventories([inventory])
                #expect(again.inserted.isEmpty && again.updated.isEmpty)
                #expect(again.unchanged.count == 3)
                var edited = inventory
                edited.methods[0].endpoint = "/render/v2"
                var next = inventory.methods[0]
                next.versionId = 2
                next.description = "second version"
                edited.methods.append(next)
                let summary = try await database.importInventories([edited])
                #expect(summary.updated == ["demo.render@1"])
                #expect(summary.inserted == ["demo.render@2"])
                let registry = PostgresRegistry(database: database, logger: quietLogger)
                #expect(try await registry.method(named: "demo.render").config.versionId == 2)
                #expect(try await registry.methods().count == 1)
                #expect(try await database.allRows().inventoryConfigs().inventories == [edited])
            }
        }

        @Test("secrets stay references: import refuses literal credentials and writes nothing")
        func literalSecret() async throws {
            try await withTestDatabase { database in
                let yaml = """
                    inventory: leaky
                    baseUrl: https://leaky.test
                    methods:
                      - name: m
                        endpoint: /m
                        adapterConfig:
                          headers: { Authorization: "Bearer sk-live-123456" }
                    """
                let error = await pollsterError {
                    try await database.importInventories([
                        try InventoryLoader.load(yaml: yaml, source: "leaky.yaml")
                    ])
                }
                #expect(error?.code == .invalidConfig)
                #expect(error?.message.contains("adapterConfig.headers.Authorization") == true)
                #expect(error?.message.contains("sk-live") == false)
                let count = try await database.values("SELECT count(*) FROM toolset_inventory", as: Int.self)
                #expect(count == [0])
            }
        }

        @Test("sql/providers/*.sql run as they are and give the same methods as adapters/")
        func providerFiles() async throws {
            try await withTestDatabase { database in
                let files = try FileManager.default.contentsOfDirectory(atPath: Repository.providers)
                    .filter { $0.hasSuffix(".sql") }.sorted()
                #expect(files.count == Self.shipped.inventories.count)
                for file in files {
                    let script = try String(
                        contentsOfFile: "\(Repository.providers)/\(file)", encoding: .utf8)
                    for statement in SQLScript.statements(script) {
                        // Committed files of this repository, not input.
                        try await database.execute(PostgresQuery(unsafeSQL: statement))
                    }
                }
                let (exported, _) = try await database.allRows().inventoryConfigs()
                #expect(
                    exported == Self.shipped.inventories.map(\.config).sorted { $0.inventory < $1.inventory })
            }
        }
    }
}
