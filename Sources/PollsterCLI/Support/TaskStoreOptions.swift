import ArgumentParser
import Foundation
import Pollster
import PollsterCore
import PollsterPostgres
import PollsterSQLite

/// Where the durable-task commands keep tasks: PostgreSQL when a database URL is set (and
/// `--sqlite` is not), else a SQLite file.
struct TaskStoreOptions: ParsableArguments {
    @Option(
        name: .customLong("sqlite"),
        help: ArgumentHelp(
            "The SQLite task store (default: $POLLSTER_SQLITE, else pollster.sqlite; with a database URL and no --sqlite, tasks live in PostgreSQL).",
            valueName: "path"))
    var sqlitePath: String?

    /// Runs `body` with the store and a name for it in messages; the PostgreSQL client runs
    /// for as long as `body` does. A store that cannot be opened exits with its error's code.
    func withStore<T>(_ engine: EngineOptions, _ body: (any TaskStore, String) async throws -> T) async throws
        -> T
    {
        if sqlitePath == nil, let url = try engine.database() {
            return try await DatabaseOptions.withDatabase(url) { database in
                try await body(PostgresTaskStore(database: database), "\(url)")
            }
        }
        let (store, path) = try sqliteStore()
        return try await body(store, path)
    }

    /// True when tasks live in PostgreSQL (a database URL and no `--sqlite`).
    func usesPostgres(_ engine: EngineOptions) throws -> Bool {
        try sqlitePath == nil && engine.database() != nil
    }

    /// The SQLite store and its path; a file that cannot be opened exits with `INVALID_CONFIG`.
    func sqliteStore() throws -> (SQLiteTaskStore, String) {
        let path = sqlitePath ?? Environment.value("POLLSTER_SQLITE") ?? "pollster.sqlite"
        do {
            return (try SQLiteTaskStore(path: path), path)
        } catch {
            throw PollsterError(.invalidConfig, "cannot open the task store \(path): \(error)").exit()
        }
    }

    /// Runs `body` with a task service over the store and an engine from `engine`.
    func withService<T>(_ engine: EngineOptions, _ body: (TaskService) async throws -> T) async throws -> T {
        try await withStore(engine) { store, _ in
            try await engine.withEngine { pollster in
                try await body(TaskService(store: store, pollster: pollster))
            }
        }
    }
}

/// Prints tasks for people (one line each, or a detailed block) or as JSON.
enum TaskPrinter {
    static func line(_ task: TaskRecord) -> String {
        let progress = task.progress.map { " \(Int($0))%" } ?? ""
        let provider = task.providerTaskId.map { " provider=\($0)" } ?? ""
        return "\(task.id)  \(task.state.rawValue)\(progress)  \(task.tool)\(provider)  polls=\(task.polls)"
    }

    static func detail(_ task: TaskRecord) -> String {
        var lines = [line(task)]
        if let status = task.providerStatus { lines.append("  provider status: \(status)") }
        if let error = task.error { lines.append("  error \(error.code.rawValue): \(error.message)") }
        for file in task.result?.files ?? [] {
            lines.append("  file: \(file.path ?? file.url) (\(file.mimeType), \(file.size ?? 0) bytes)")
        }
        for attempt in task.history {
            lines.append(
                "  attempt \(attempt.attempt): \(attempt.state.rawValue)\(attempt.error.map { " — \($0.message)" } ?? "")"
            )
        }
        return lines.joined(separator: "\n")
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func print(_ task: TaskRecord, json: Bool) {
        Console.out(json ? Self.json(task) : detail(task))
    }
}

extension PollsterError {
    /// Exits with this error's code (after printing it) when it is one.
    static func exiting<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as PollsterError { throw error.exit() }
    }
}
