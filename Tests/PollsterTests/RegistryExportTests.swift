import Foundation
import Pollster
import PollsterCore
import Testing

/// Exports are lossless and the committed SQL never drifts from the YAML adapters.
@Suite("Registry export")
struct RegistryExportTests {
    static let shipped = try! YAMLRegistry(directory: Repository.adapters)

    @Test("sql/providers/<inventory>.sql is exactly what `registry export --sql` makes of adapters/")
    func sqlMatchesAdapters() throws {
        #expect(Self.shipped.inventories.count >= 8)
        for (source, inventory) in Self.shipped.inventories {
            let relative = String(source.dropFirst(Repository.root.path.count + 1))
            let expected = try RegistryExporter.sql(inventory, source: relative)
            let path = Repository.root.appendingPathComponent("sql/providers/\(inventory.inventory).sql").path
            let committed = try String(contentsOfFile: path, encoding: .utf8)
            #expect(
                committed == expected,
                "\(path) is out of date: run `swift run pollster registry export --sql --output sql/providers`"
            )
        }
    }

    @Test("YAML → export → YAML gives back the same configs")
    func yamlRoundTrip() throws {
        for (_, inventory) in Self.shipped.inventories {
            let text = try RegistryExporter.yaml(inventory)
            #expect(try InventoryLoader.load(yaml: text, source: "export") == inventory)
            #expect(!text.contains("REDACTED"))
        }
    }

    @Test("SQL literals cannot be broken out of")
    func quoting() throws {
        let hostile = InventoryConfig(
            inventory: "x", description: "it's'); DROP TABLE tool_methods; --",
            methods: [MethodConfig(name: "m", endpoint: "https://x.test/a'b")])
        let sql = try RegistryExporter.sql(hostile, source: "test")
        #expect(sql.contains("'it''s''); DROP TABLE tool_methods; --'"))
        #expect(sql.contains("'https://x.test/a''b'"))
    }

    @Test("a composite registry: the first source that knows a tool decides")
    func composite() async throws {
        let first = try registry(
            yaml:
                "inventory: fal\nbaseUrl: https://first.test\nmethods:\n  - name: fast_sdxl\n    endpoint: /one\n"
        )
        let composite = CompositeRegistry([first, Self.shipped])
        #expect(try await composite.method(named: "fal.fast_sdxl").baseUrl == "https://first.test")
        #expect(try await composite.method(named: "runway.image_to_video").inventory == "runway")
        let names = try await composite.methods().map(\.name)
        #expect(names.filter { $0 == "fal.fast_sdxl" }.count == 1)
        let error = await pollsterError { try await composite.method(named: "nope.none") }
        #expect(error?.code == .toolNotFound)
    }
}
