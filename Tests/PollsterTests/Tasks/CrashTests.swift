import Foundation
import Pollster
import PollsterCore
import PollsterTesting
import Testing

/// Worker processes killed with `kill -9` mid-flight: every task still ends, none is lost,
/// stuck or submitted twice.
@Suite("Durable tasks: crashes", .serialized)
struct CrashTests {
    /// Runway-shaped methods against the mock, without limits: one plain, one that declares an
    /// idempotency key.
    static let adapters = """
        inventory: crash
        baseUrl: http://127.0.0.1:9
        methods:
          - name: plain
            endpoint: /v1/image_to_video
            adapterConfig:
              headers: { X-Runway-Version: "2024-11-06" }
              auth: { type: bearer, token: "${RUNWAYML_API_SECRET}" }
              polling: { statusUrl: "/v1/tasks/{id}", intervalSeconds: 1, maxWaitSeconds: 120 }
          - name: keyed
            endpoint: /v1/image_to_video
            adapterConfig:
              headers: { X-Runway-Version: "2024-11-06" }
              auth: { type: bearer, token: "${RUNWAYML_API_SECRET}" }
              submit: { idempotencyHeader: Idempotency-Key }
              polling: { statusUrl: "/v1/tasks/{id}", intervalSeconds: 1, maxWaitSeconds: 120 }
        """

    @Test(
        "SQLite: a worker killed mid-flight and a replacement: every task ends, one provider job each",
        arguments: ["crash.plain", "crash.keyed"])
    func sqliteWorkerKilled(tool: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-crash-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.adapters.write(
            to: directory.appendingPathComponent("crash.yaml"), atomically: true, encoding: .utf8)
        let store = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path)
        let registry = try YAMLRegistry(directory: directory.path)
        try await withMockEngine(script: MockJobScript(duration: .seconds(2)), registry: registry) {
            engine, mock in
            try await killAndReplace(
                tool, service: TaskService(store: store, pollster: engine), mock: mock, directory: directory)
        }
    }

    private func killAndReplace(
        _ tool: String, service: TaskService, mock: MockProviderServer, directory: URL
    ) async throws {
        let database = directory.appendingPathComponent("tasks.sqlite").path
        let count = 40
        var ids: [String] = []
        for _ in 0..<count {
            let task = try await service.submit(
                tool, input: runwayInput,
                options: TaskOptions(baseUrlOverride: mock.baseURL, pollIntervalSeconds: 0.1))
            ids.append(task.id)
        }
        let arguments = [
            "--sqlite", database, "--adapters", directory.path, "--allow-private-networks", "--lease", "1",
            "--concurrency", "16", "--files", directory.appendingPathComponent("files").path,
        ]
        let environment = ["RUNWAYML_API_SECRET": "runway-test-key"]

        let first = try WorkerProcess(arguments, environment: environment)
        try await until(timeout: .seconds(30)) {
            let tasks = try await service.list(TaskQuery(limit: count))
            return tasks.filter { $0.state == .running }.count >= 8
                && tasks.contains { $0.state == .succeeded }
        }
        first.kill()
        let atKill = try await service.list(TaskQuery(limit: count))
        #expect(atKill.contains { !$0.state.isFinished }, "the kill came mid-flight")

        let second = try WorkerProcess(arguments, environment: environment)
        try await until(timeout: .seconds(90)) {
            try await service.list(TaskQuery(limit: count)).allSatisfy(\.state.isFinished)
        }
        #expect(second.stop() == 0, "\(second.log)")

        let tasks = try await service.list(TaskQuery(limit: count))
        #expect(Set(tasks.map(\.id)) == Set(ids), "no task lost")
        let succeeded = tasks.filter { $0.state == .succeeded }
        let jobs = Set(succeeded.compactMap(\.providerTaskId))
        #expect(jobs.count == succeeded.count, "each succeeded task has its own provider job")
        let stats = mock.stats
        if tool == "crash.keyed" {
            #expect(
                succeeded.count == count,
                "\(tasks.filter { $0.state != .succeeded }.map(TaskPrinterLine.line))")
            #expect(
                stats.submissions == count,
                "an interrupted submit was repeated with its key, not as a new job")
        } else {
            // Without a key, a task caught mid-submit waits for an operator instead of risking a second job.
            #expect(tasks.allSatisfy { $0.state == .succeeded || $0.state == .submitUncertain })
            #expect(stats.submissions <= count)
            #expect(stats.submissions >= succeeded.count)
        }
    }
}

/// A one-line summary of a task for failure messages.
enum TaskPrinterLine {
    static func line(_ task: TaskRecord) -> String {
        "\(task.id) \(task.state.rawValue) \(task.error?.message ?? "")"
    }
}

/// Checks `condition` every 50 ms until it holds; fails the test after `timeout`.
func until(timeout: Duration, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(timeout)")
            return
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}
