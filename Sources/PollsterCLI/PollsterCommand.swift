import ArgumentParser
import Logging
import Pollster

/// The `pollster` command line.
@main
struct PollsterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pollster",
        abstract: "Invoke asynchronous HTTP APIs (submit, poll, download) described by configuration.",
        discussion: "Exit codes: see docs/cli.md. Secrets come from the environment or a .env file.",
        subcommands: [
            InvokeCommand.self, BatchCommand.self, ListCommand.self, ValidateCommand.self, RecordCommand.self,
            InferCommand.self,
            ExplainCommand.self, DemoCommand.self, MockCommand.self, RegistryCommand.self,
            DatabaseCommand.self, SubmitCommand.self, StatusCommand.self, WaitCommand.self, TasksCommand.self,
            CancelCommand.self, RetryCommand.self, WorkerCommand.self, ServeCommand.self, KeysCommand.self,
            MCPCommand.self,
        ]
    )

    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel =
                Logger.Level(rawValue: Environment.value("POLLSTER_LOG_LEVEL") ?? "") ?? .warning
            return handler
        }
        Logger(label: "pollster").debug("malloc arenas", metadata: ["cap": "\(MallocArenas.cap)"])
        // Servers and workers hold many connections and files: use what the administrator allows.
        let descriptors = FileDescriptorLimit.raise()
        Logger(label: "pollster").debug("open-file limit", metadata: ["soft": "\(descriptors)"])
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
