import Foundation
import Pollster
import PollsterCore
import PollsterMock
import PollsterPostgres
import PollsterSQLite
import Testing

/// Worker processes killed with `kill -9` mid-flight: every task still ends, none is lost,
/// stuck or submitted twice.
@Suite("Durable tasks: crashes", .serialized, .postgresStores)
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
        let directory = try TemporaryDirectory.make("crash")
        defer { TemporaryDirectory.remove(directory) }
        try Self.adapters.write(
            to: directory.appendingPathComponent("crash.yaml"), atomically: true, encoding: .utf8)
        let store = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path)
        let registry = try YAMLRegistry(directory: directory.path)
        try await withMockEngine(script: MockJobScript(duration: .seconds(2)), registry: registry) {
            engine, mock in
            let count = 40
            let run = CrashRun(
                tool: tool, count: count, service: TaskService(store: store, pollster: engine), mock: mock,
                store: ["--sqlite", directory.appendingPathComponent("tasks.sqlite").path],
                directory: directory)
            let tasks = try await run.killOneOf(workers: 1)
            let succeeded = tasks.filter { $0.state == .succeeded }
            if tool == "crash.keyed" {
                #expect(
                    succeeded.count == count,
                    "\(tasks.filter { $0.state != .succeeded }.map(TaskPrinterLine.line))")
                #expect(
                    mock.stats.submissions == count,
                    "an interrupted submit was repeated with its key, not as a new job")
            } else {
                // Without a key, a task caught mid-submit waits for an operator instead of risking a second job.
                #expect(tasks.allSatisfy { $0.state == .succeeded || $0.state == .submitUncertain })
                #expect(mock.stats.submissions <= count)
                #expect(mock.stats.submissions >= succeeded.count)
            }
        }
    }

    @Test("PostgreSQL: two workers, one killed mid-flight and replaced: 200 tasks end, one provider job each")
    func postgresWorkerKilled() async throws {
        let directory = try TemporaryDirectory.make("crash")
        defer { TemporaryDirectory.remove(directory) }
        try Self.adapters.write(
            to: directory.appendingPathComponent("crash.yaml"), atomically: true, encoding: .utf8)
        let store = try #require(try await TaskStoreTests.store(.postgres) as? PostgresTaskStore)
        let registry = try YAMLRegistry(directory: directory.path)
        try await withMockEngine(script: MockJobScript(duration: .seconds(3)), registry: registry) {
            engine, mock in
            let run = CrashRun(
                tool: "crash.keyed", count: 200, service: TaskService(store: store, pollster: engine),
                mock: mock,
                store: ["--database-url", store.database.url.description], directory: directory)
            let tasks = try await run.killOneOf(workers: 2)
            #expect(
                tasks.allSatisfy { $0.state == .succeeded },
                "\(tasks.filter { $0.state != .succeeded }.map(TaskPrinterLine.line))")
            #expect(mock.stats.submissions == 200, "one provider job per task")
            #expect(mock.stats.maxConcurrentJobs > 16, "both workers ran tasks")
        }
    }
}

/// Tasks run by `pollster worker` processes against the mock, with one worker killed mid-flight.
private struct CrashRun {
    var tool: String
    var count: Int
    var service: TaskService
    var mock: MockProviderServer
    /// The store options of the worker command line.
    var store: [String]
    var directory: URL

    /// Submits `count` tasks, starts `workers` worker processes, `kill -9`s the first once the run
    /// is in flight, starts a replacement, waits for every task to finish and stops the workers.
    /// - Returns: the tasks, after checking none was lost and no two share a provider job.
    func killOneOf(workers: Int) async throws -> [TaskRecord] {
        var ids: Set<String> = []
        for _ in 0..<count {
            let task = try await service.submit(
                tool, input: runwayInput,
                options: TaskOptions(baseUrlOverride: mock.baseURL, pollIntervalSeconds: 0.1))
            ids.insert(task.id)
        }
        let arguments =
            store + [
                "--adapters", directory.path, "--allow-private-networks", "--lease", "1", "--concurrency",
                "16",
                "--files", directory.appendingPathComponent("files").path,
            ]
        let environment = ["RUNWAYML_API_SECRET": "runway-test-key"]
        var running = try (0..<workers).map { _ in try workerProcess(arguments, environment: environment) }
        try await until(timeout: .seconds(60)) {
            let tasks = try await service.list(TaskQuery(limit: count))
            return tasks.filter { $0.state == .running }.count >= 8
                && tasks.contains { $0.state == .succeeded }
        }
        running.removeFirst().kill()
        let atKill = try await service.list(TaskQuery(limit: count))
        #expect(atKill.contains { !$0.state.isFinished }, "the kill came mid-flight")
        running.append(try workerProcess(arguments, environment: environment))
        try await until(timeout: .seconds(180)) {
            try await service.list(TaskQuery(limit: count)).allSatisfy(\.state.isFinished)
        }
        for worker in running { #expect(worker.stop() == 0, "\(worker.log)") }

        let tasks = try await service.list(TaskQuery(limit: count))
        #expect(Set(tasks.map(\.id)) == ids, "no task lost")
        let succeeded = tasks.filter { $0.state == .succeeded }
        #expect(
            Set(succeeded.compactMap(\.providerTaskId)).count == succeeded.count,
            "each succeeded task has its own provider job")
        return tasks
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
