import Foundation
import Pollster
import PollsterCore
import Testing

/// The YAML directory of a long-running process follows the files: a method added or changed
/// on disk is used without a restart; a broken edit keeps the last good methods.
@Suite("Watched YAML registry")
struct WatchedYAMLRegistryTests {
    static func adapter(_ name: String, interval: Int = 5) -> String {
        """
        inventory: watched
        baseUrl: https://api.example.com
        methods:
          - name: \(name)
            endpoint: /jobs
            adapterConfig:
              polling: { statusUrl: "/jobs/{id}", intervalSeconds: \(interval) }
        """
    }

    @Test("added, changed and broken files are followed while it runs")
    func followsFiles() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-watched-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("watched.yaml")
        try Self.adapter("first").write(to: file, atomically: true, encoding: .utf8)
        let registry = try WatchedYAMLRegistry(
            directory: directory.path, checkInterval: .milliseconds(50), logger: quietLogger)
        #expect(try await registry.methods().map(\.name) == ["watched.first"])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await registry.run() }
            defer { group.cancelAll() }

            try Self.adapter("second").write(
                to: directory.appendingPathComponent("more.yaml"), atomically: true, encoding: .utf8)
            try await Self.eventually { (try? await registry.method(named: "watched.second")) != nil }

            try Self.adapter("first", interval: 9).write(to: file, atomically: true, encoding: .utf8)
            try await Self.eventually {
                (try? await registry.method(named: "watched.first"))?.config.adapterConfig.polling?
                    .intervalSeconds
                    == 9
            }

            try "inventory: [not, a, mapping".write(to: file, atomically: true, encoding: .utf8)
            try await Self.eventually { !((try? await registry.problems()) ?? []).isEmpty }
            let stillThere = try await registry.methods().map(\.name)
            #expect(stillThere.contains("watched.second"))
        }
    }

    static func eventually(_ condition: () async -> Bool) async throws {
        // Generous: other suites run processes synchronously on the 2 cooperative threads of a
        // 2-core machine, which can stall every async test for many seconds.
        let deadline = ContinuousClock.now + .seconds(60)
        while !(await condition()) {
            guard ContinuousClock.now < deadline else {
                Issue.record("the registry did not follow the change")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
