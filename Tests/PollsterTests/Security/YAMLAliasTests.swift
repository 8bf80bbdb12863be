import Foundation
import PollsterCore
import Testing

@testable import Pollster

/// Adapter files may come from elsewhere (`pollster registry import`, a shared `adapters/`):
/// YAML anchors and aliases are refused before anything is expanded (issue 12).
@Suite("Security: YAML anchors and aliases")
struct YAMLAliasTests {
    /// "Billion laughs": `levels` anchors, each a list of `width` aliases of the one before.
    /// Expanded, 10 × 10 is 10^10 nodes: without the refusal the load never finishes.
    static func bomb(levels: Int = 10, width: Int = 10) -> String {
        var lines = ["inventory: bomb", "description: &l0 \"lol\""]
        for level in 1...levels {
            let aliases = Array(repeating: "*l\(level - 1)", count: width).joined(separator: ", ")
            lines.append("x\(level): &l\(level) [\(aliases)]")
        }
        lines.append("methods: []")
        return lines.joined(separator: "\n") + "\n"
    }

    static func loadError(_ yaml: String, source: String) -> PollsterError? {
        do {
            _ = try InventoryLoader.load(yaml: yaml, source: source)
            return nil
        } catch {
            return error
        }
    }

    @Test("an alias bomb is refused with INVALID_CONFIG naming the file, before any expansion")
    func bombRefused() {
        let error = Self.loadError(Self.bomb(), source: "adapters/bomb.yaml")
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.hasPrefix("adapters/bomb.yaml:2: a YAML anchor") == true)
        #expect(error?.message.contains("anchors (&name) and aliases (*name) are not supported") == true)
    }

    @Test("an alias bomb used as a mapping key is refused too (composing alone would expand it)")
    func keyBombRefused() {
        let key = "? *l10\n: 1\n"
        let error = Self.loadError(
            Self.bomb().replacingOccurrences(of: "methods: []\n", with: key), source: "k.yaml")
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.contains("aliases (*name) are not supported") == true)
    }

    @Test("past the node budget a file is refused even without aliases")
    func nodeBudget() {
        let list = Array(repeating: "0", count: YAMLConverter.maximumNodes).joined(separator: ",")
        let error = Self.loadError("inventory: big\nmethods: []\nx: [\(list)]\n", source: "big.yaml")
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.contains("more than \(YAMLConverter.maximumNodes) YAML nodes") == true)
    }

    @Test(
        "every anchor or alias is refused, wherever it is",
        arguments: [
            "inventory: a\nmethods:\n  - name: m\n    endpoint: https://a.test/x\n    adapterConfig:\n      headers: &h { A: b }\n",
            "inventory: a\nbase: &b { name: m, endpoint: 'https://a.test/x' }\nmethods:\n  - <<: *b\n",
            "inventory: &k a\nmethods: []\n",
            "inventory: a\nmethods: []\n? &k x\n: 1\n",
        ])
    func anyAnchor(yaml: String) {
        let error = Self.loadError(yaml, source: "a.yaml")
        #expect(error?.code == .invalidConfig)
        #expect(
            error?.message.contains("aliases") == true || error?.message.contains("plain strings") == true)
    }

    @Test("a directory registry (also what `registry import` reads) reports the bomb as a problem")
    func registryRefuses() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-bomb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.bomb().write(
            to: directory.appendingPathComponent("bomb.yaml"), atomically: true, encoding: .utf8)
        let registry = try YAMLRegistry(directory: directory.path)
        let problems = try await registry.problems()
        #expect(problems.map(\.code) == [.invalidConfig])
        #expect(problems.first?.message.contains("bomb.yaml") == true)
        #expect(registry.inventories.isEmpty)
    }

    @Test("plain YAML still loads (no false positives from '&' or '*' inside values)")
    func plainStillLoads() throws {
        let inventory = try InventoryLoader.load(
            yaml: """
                inventory: plain
                description: "R&D *bold* & more"
                methods:
                  - name: m
                    description: |
                      * a bullet
                      & an ampersand
                    endpoint: https://a.test/x?a=1&b=2
                """, source: "plain.yaml")
        #expect(inventory.methods.first?.endpoint == "https://a.test/x?a=1&b=2")
    }
}
