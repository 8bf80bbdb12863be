import PollsterCore
import PollsterPostgres
import Testing

/// Which rows become tool methods, without a database.
@Suite("Registry snapshot")
struct RegistrySnapshotTests {
    static let heygen = InventoryRow(key: "heygen", baseUrl: "https://api.heygen.com")
    static let config =
        #"{"headers": {"X-Api-Key": "${HEYGEN_API_KEY}"}, "polling": {"statusUrl": "/s/{id}"}}"#

    static func row(
        _ id: Int, version: Int = 1, name: String = "video", endpoint: String = "/v2/video",
        config: String? = RegistrySnapshotTests.config, enabled: Bool = true
    ) -> MethodRow {
        MethodRow(
            id: id, inventoryKey: "heygen", versionId: version, name: name, endpoint: endpoint,
            adapterConfig: config,
            enabled: enabled)
    }

    @Test("the highest enabled version wins")
    func versions() throws {
        let snapshot = RegistrySnapshot(
            rows: RegistryRows(
                inventories: [Self.heygen],
                methods: [
                    Self.row(1, version: 1, endpoint: "/one"),
                    Self.row(2, version: 3, endpoint: "/three", enabled: false),
                    Self.row(3, version: 2, endpoint: "/two"),
                ]))
        let method = try snapshot.lookup("heygen.video")
        #expect(method.config.versionId == 2)
        #expect(method.config.endpoint == "/two")
        #expect(snapshot.rowProblems.isEmpty)
    }

    @Test("a broken row disables its method only, with one problem naming inventory, method, version and key")
    func brokenRow() throws {
        let broken = #"{"polling": {"statusUrl": "/s/{id}", "intervalSecs": 2}}"#
        let snapshot = RegistrySnapshot(
            rows: RegistryRows(
                inventories: [Self.heygen],
                methods: [Self.row(1, name: "good"), Self.row(7, version: 4, name: "bad", config: broken)]))
        #expect(try snapshot.lookup("heygen.good").name == "heygen.good")
        let problem = try #require(snapshot.rowProblems.first)
        #expect(snapshot.rowProblems.count == 1)
        #expect(problem.code == .invalidConfig)
        for part in ["heygen.bad", "version 4", "intervalSecs", "did you mean 'intervalSeconds'"] {
            #expect(problem.message.contains(part), "\(problem.message)")
        }
        let error = #expect(throws: PollsterError.self) { try snapshot.lookup("heygen.bad") }
        #expect(error?.code == .invalidConfig)
    }

    @Test(
        "adapter_config as jsonb text, JSON text, twice-encoded JSON or NULL",
        arguments: [
            (#"{"polling":{"statusUrl":"/s/{id}"}}"#, true),
            (#"  {"polling": {"statusUrl": "/s/{id}"}}  "#, true),
            (#""{\"polling\": {\"statusUrl\": \"/s/{id}\"}}""#, true),
            (nil, false),
            ("null", false),
        ])
    func adapterConfigForms(text: String?, polls: Bool) throws {
        let snapshot = RegistrySnapshot(
            rows: RegistryRows(inventories: [Self.heygen], methods: [Self.row(1, config: text)]))
        let method = try snapshot.lookup("heygen.video")
        #expect((method.config.adapterConfig.polling != nil) == polls)
    }

    @Test("adapter_config that is not JSON names the column and the row")
    func notJSON() {
        let snapshot = RegistrySnapshot(
            rows: RegistryRows(inventories: [Self.heygen], methods: [Self.row(3, config: "{headers:")]))
        let message = snapshot.rowProblems.first?.message ?? ""
        #expect(
            message.contains("tool_methods heygen.video version 1 (id 3): adapter_config is not valid JSON"))
    }

    @Test("a disabled or broken inventory offers nothing; rows of other inventories are unaffected")
    func inventories() throws {
        let off = InventoryRow(key: "off", baseUrl: "https://off.test", enabled: false)
        let bad = InventoryRow(key: "bad", baseUrl: "ftp://bad.test")
        var rows = [Self.row(1)]
        for key in ["off", "bad"] {
            rows.append(MethodRow(id: rows.count + 1, inventoryKey: key, name: "m", endpoint: "/m"))
        }
        let snapshot = RegistrySnapshot(
            rows: RegistryRows(inventories: [Self.heygen, off, bad], methods: rows))
        #expect(snapshot.allMethods.map(\.name) == ["heygen.video"])
        #expect(snapshot.rowProblems.count == 1)
        #expect(snapshot.rowProblems.first?.message.contains("toolset_inventory bad") == true)
        #expect(throws: PollsterError.self) { try snapshot.lookup("off.m") }
    }
}
