import Foundation
import Pollster
import PollsterCore
import PollsterPostgres
import PollsterSQLite
import PollsterTesting
import Testing

/// A canary secret, sent in every auth style to a provider that echoes each request back (raw,
/// JSON-escaped, percent-encoded, base64), never comes out of Pollster: not in a result, an
/// error, an event, a trace-level log line, or a SQLite or PostgreSQL task row (issue 12).
///
/// The command line (stdout, stderr, `explain`, `list`, `registry export`) is covered by
/// `CanarySecretCLITests`.
@Suite("Security: a canary secret never leaks", .postgresStores)
struct CanarySecretTests {
    @Test(
        "library: no canary in the result or error, the events or the trace log",
        arguments: CanaryAuth.allCases, CanaryRun.allCases)
    func library(auth: CanaryAuth, run: CanaryRun) async throws {
        try await EchoEngine.with(auth, run) { engine in
            let (events, sink) = AsyncStream.makeStream(of: ToolEvent.self)
            let options = InvokeOptions(outputDirectory: engine.scratch.path, events: sink)
            var shown = ""
            do {
                let result = try await engine.pollster.invoke(
                    canaryTool, input: canaryInput, options: options)
                #expect(run == .success, "the \(run) run succeeded")
                #expect(result.files.count == 1)
                shown += dumped(result) + String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
            } catch let error as PollsterError {
                #expect(run != .success, "\(error)")
                shown += dumped(error) + error.description + error.message
            }
            sink.finish()
            for await event in events { shown += dumped(event) }
            #expect(engine.providerSawCanary, "the canary was not sent: the test proves nothing")
            #expect(Canary.leaks(in: shown).isEmpty, "\(Canary.leaks(in: shown)) in \(shown)")
            let logs = engine.logs.text
            #expect(run == .submitError || !logs.isEmpty, "the engine logs at trace level")
            #expect(Canary.leaks(in: logs).isEmpty, "\(Canary.leaks(in: logs)) in \(logs)")
        }
    }

    @Test(
        "durable tasks: no canary in the raw SQLite and PostgreSQL rows or the worker's trace log",
        arguments: CanaryAuth.allCases, CanaryRun.allCases)
    func taskRows(auth: CanaryAuth, run: CanaryRun) async throws {
        try await EchoEngine.with(auth, run) { engine in
            let path = engine.scratch.appendingPathComponent("tasks.sqlite").path
            let sqlite = try SQLiteTaskStore(path: path)
            try await Self.runTask(engine, store: sqlite, expected: run)
            let sqliteRows = try await RawTaskRows.sqlite(path)
            #expect(sqliteRows.contains(canaryTool), "the dump holds the task")
            #expect(Canary.leaks(in: sqliteRows).isEmpty, "\(Canary.leaks(in: sqliteRows)) in \(sqliteRows)")

            let postgres = try #require(try await TaskStoreTests.store(.postgres) as? PostgresTaskStore)
            try await Self.runTask(engine, store: postgres, expected: run)
            let postgresRows = try await RawTaskRows.postgres(postgres)
            #expect(postgresRows.contains(canaryTool), "the rows hold the task")
            #expect(
                Canary.leaks(in: postgresRows).isEmpty, "\(Canary.leaks(in: postgresRows)) in \(postgresRows)"
            )
            #expect(engine.providerSawCanary, "the canary was not sent: the test proves nothing")
            let logs = engine.logs.text
            #expect(Canary.leaks(in: logs).isEmpty, "\(Canary.leaks(in: logs)) in \(logs)")
        }
    }

    /// Submits one task to `store`, runs a worker until it is finished and checks how it ended.
    static func runTask(_ engine: EchoEngine, store: any TaskStore, expected run: CanaryRun) async throws {
        let service = TaskService(store: store, pollster: engine.pollster)
        let worker = TaskWorker(
            store: store, pollster: engine.pollster,
            configuration: TaskWorker.Configuration(
                id: "canary", lease: .seconds(10), idleDelay: .milliseconds(20),
                filesDirectory: engine.scratch.appendingPathComponent("files").path, downloadRounds: 1),
            logger: engine.logs.logger)
        let task = try await service.submit(
            canaryTool, input: canaryInput,
            options: TaskOptions(pollIntervalSeconds: 0.02))
        let done = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            defer { group.cancelAll() }
            return try await service.wait(task.id, timeout: .seconds(60), checkEvery: .milliseconds(20))
        }
        #expect(done.state == (run == .success ? .succeeded : .failed), "\(done.error.map(dumped) ?? "")")
    }
}
