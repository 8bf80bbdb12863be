import ArgumentParser
import Logging

/// The load generators and servers of `Benchmarks/run` (scenarios 2 and 4 to 7).
///
/// Every subcommand writes its figures as one JSON object to `--json` (or standard output);
/// `Benchmarks/report.py` turns them into docs/benchmarks.md.
@main
struct PollsterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pollster-bench",
        abstract: "Pollster benchmark scenarios (run them through Benchmarks/run).",
        subcommands: [
            MockCommand.self, InFlightCommand.self, DownloadCommand.self, WorkersCommand.self,
            WorkerCommand.self, SizesCommand.self, APISubmitCommand.self, APIEventsCommand.self,
            MCPTasksCommand.self, ManyDownloadsCommand.self, PollFloorCommand.self,
        ])

    /// Logs go to standard error and only when something is wrong; figures go to JSON.
    static func bootstrapLogging() {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
    }
}
