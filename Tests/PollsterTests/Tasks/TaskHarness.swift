import Foundation
import Logging
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// A mock provider, an engine over it, a task store and a service: what the durable-task tests
/// drive, through the public API only.
struct TaskHarness {
    let mock: MockProviderServer
    let pollster: Pollster
    let service: TaskService
    let files: String

    var store: any TaskStore { service.store }

    /// Options that point a task at the mock and poll it fast.
    var options: TaskOptions { TaskOptions(baseUrlOverride: mock.baseURL, pollIntervalSeconds: 0.02) }

    /// A worker over the same store, on the harness's engine or on `engine` (another engine is
    /// as another process: no in-process limits shared).
    func worker(_ id: String, lease: Duration = .seconds(10), concurrency: Int = 8, engine: Pollster? = nil)
        -> TaskWorker
    {
        TaskWorker(
            store: store, pollster: engine ?? pollster,
            configuration: TaskWorker.Configuration(
                id: id, concurrency: concurrency, lease: lease, idleDelay: .milliseconds(20),
                filesDirectory: files),
            logger: quietLogger)
    }

    /// Runs `worker` while `body` runs, then stops it (cancellation: leases are left to expire,
    /// as when a process dies). The harness's engine hosts its shared scheduler meanwhile, as in
    /// `pollster worker` and `serve` (when it already does, the second `run()` ends at once).
    func running<T: Sendable>(_ workers: [TaskWorker], _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [pollster] in try? await pollster.run() }
            for worker in workers { group.addTask { try await worker.run() } }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Waits until `id` satisfies `condition` (or fails the test after `timeout`).
    func waitUntil(_ id: String, timeout: Duration = .seconds(60), _ condition: (TaskRecord) -> Bool)
        async throws
        -> TaskRecord
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            let task = try await service.status(id)
            if condition(task) { return task }
            guard ContinuousClock.now < deadline else {
                Issue.record("task \(id) stayed \(task.state.rawValue)")
                return task
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A harness over a fresh store of `kind`, torn down after `body`.
func withTaskHarness<T: Sendable>(
    _ kind: TaskStoreTests.Kind = .sqlite, script: MockJobScript = MockJobScript(polls: 2),
    registry: (any ToolRegistry)? = nil, _ body: (TaskHarness) async throws -> T
) async throws -> T {
    let files = FileManager.default.temporaryDirectory.appendingPathComponent(
        "pollster-files-\(UUID().uuidString)"
    )
    .path
    defer { try? FileManager.default.removeItem(atPath: files) }
    let store = try await TaskStoreTests.store(kind)
    return try await withMockEngine(script: script, registry: registry) { pollster, mock in
        let harness = TaskHarness(
            mock: mock, pollster: pollster, service: TaskService(store: store, pollster: pollster),
            files: files)
        return try await body(harness)
    }
}

/// The Runway tool and an input its schema accepts.
let runwayTool = "runway.image_to_video"
let runwayInput = sampleInputs[runwayTool]!
