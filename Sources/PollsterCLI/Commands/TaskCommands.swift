import ArgumentParser
import Foundation
import Pollster
import PollsterCore

/// `pollster submit <tool> --input JSON`: store a durable task and print its id at once.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue a durable task and print its id; a worker runs it (pollster worker).")

    @Argument(help: "The tool, as inventory.method.")
    var tool: String

    @Option(help: "The input: inline JSON, or @path to a JSON file.")
    var input: String = "{}"

    @Option(help: "Higher runs first.")
    var priority = 0

    @Option(name: .customLong("poll-interval"), help: "Seconds between polls (default: the method's).")
    var pollInterval: Double?

    @Option(name: .customLong("max-wait"), help: "Seconds before the task times out (default: the method's).")
    var maxWait: Double?

    @Flag(help: "Print the task as JSON.")
    var json = false

    @OptionGroup var engine: EngineOptions
    @OptionGroup var store: TaskStoreOptions

    func run() async throws {
        let value = try InputReader.read(input)
        let options = TaskOptions(
            baseUrlOverride: engine.baseUrl, pollIntervalSeconds: pollInterval, maxWaitSeconds: maxWait)
        let task = try await store.withService(engine) { service in
            try await PollsterError.exiting {
                try await service.submit(tool, input: value, options: options, priority: priority)
            }
        }
        Console.out(json ? TaskPrinter.json(task) : task.id)
    }
}

/// `pollster status <id>`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a durable task.")

    @OptionGroup var task: OneTaskOptions

    func run() async throws {
        try await task.show { service, id in try await service.status(id) }
    }
}

/// `pollster wait <id>`: exit 0 when it succeeded, its error's code when it did not.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait for a durable task to finish; the exit code says how it ended (docs/cli.md).")

    @Option(help: "Give up after this many seconds (exit 40, the task keeps running).")
    var timeout: Double = 3600

    @OptionGroup var task: OneTaskOptions

    func run() async throws {
        let limit = Duration.milliseconds(Int64(timeout * 1000))
        let finished = try await task.show { service, id in try await service.wait(id, timeout: limit) }
        guard finished.state.isFinished else {
            Console.error("task \(finished.id) is still \(finished.state.rawValue) after \(timeout) s")
            throw ExitCode(40)
        }
        if let error = finished.error { throw ExitCode(error.code.exitCode) }
    }
}

/// `pollster tasks`: list tasks, newest first.
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks", abstract: "List durable tasks, newest first.")

    @Option(help: "Only tasks in this state (repeatable): queued, running, succeeded, failed, …")
    var state: [String] = []

    @Option(help: "Only this tool.")
    var tool: String?

    @Option(help: "At most this many.")
    var limit = 50

    @Option(help: "The page after this task id (the last of the previous page).")
    var after: String?

    @Flag(help: "Print the tasks as JSON.")
    var json = false

    @OptionGroup var engine: EngineOptions
    @OptionGroup var store: TaskStoreOptions

    func validate() throws {
        for name in state where TaskState(rawValue: name) == nil {
            throw ValidationError(
                "unknown state '\(name)'; one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    func run() async throws {
        let query = TaskQuery(
            states: Set(state.compactMap(TaskState.init(rawValue:))), tool: tool, limit: limit, after: after)
        let tasks = try await store.withService(engine) { service in
            try await PollsterError.exiting { try await service.list(query) }
        }
        Console.out(json ? TaskPrinter.json(tasks) : tasks.map(TaskPrinter.line).joined(separator: "\n"))
    }
}

/// `pollster cancel <id>`.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a durable task (a running one is canceled at the provider by its worker).")

    @OptionGroup var task: OneTaskOptions

    func run() async throws {
        try await task.show { service, id in try await service.cancel(id) }
    }
}

/// `pollster retry <id>`.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue a failed, timed-out, canceled or uncertain task again (a new provider job).")

    @OptionGroup var task: OneTaskOptions

    func run() async throws {
        try await task.show { service, id in try await service.retry(id) }
    }
}

/// The id, `--json`, engine and store options of the commands that act on one task.
struct OneTaskOptions: ParsableArguments {
    @Argument(help: "The task id (from pollster submit).")
    var id: String

    @Flag(help: "Print the task as JSON.")
    var json = false

    @OptionGroup var engine: EngineOptions
    @OptionGroup var store: TaskStoreOptions

    /// Runs `action` on the task and prints what it returns; errors exit with their code.
    @discardableResult
    func show(_ action: (TaskService, String) async throws -> TaskRecord) async throws
        -> TaskRecord
    {
        let task = try await store.withService(engine) { service in
            try await PollsterError.exiting { try await action(service, id) }
        }
        TaskPrinter.print(task, json: json)
        return task
    }
}
