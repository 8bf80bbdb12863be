import Foundation

/// A `pollster` command running in the background, as an operator runs it: it can be
/// stopped with SIGTERM or killed outright, and what it logged can be read.
final class CLIProcess {
    private let process = Process()
    /// Where its standard error goes (read it when a test fails).
    let logPath: String

    /// Starts `pollster arguments…` with `environment` added to this process's (without
    /// `POLLSTER_DATABASE_URL` unless given), in `directory` when given.
    init(_ arguments: [String], environment: [String: String], in directory: URL? = nil) throws {
        logPath =
            (directory ?? FileManager.default.temporaryDirectory).appendingPathComponent(
                "pollster-\(arguments.first ?? "cli")-\(UUID()).log"
            ).path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = CLITests.executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var merged = ProcessInfo.processInfo.environment
        merged["POLLSTER_DATABASE_URL"] = nil
        merged.merge(environment) { _, new in new }
        process.environment = merged
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Whether it still runs.
    var isRunning: Bool { process.isRunning }

    /// `kill -9`: no chance to release leases or finish anything.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then waits for the graceful exit.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// What it logged.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

/// A `pollster worker` process.
func workerProcess(_ arguments: [String], environment: [String: String]) throws -> CLIProcess {
    try CLIProcess(["worker"] + arguments, environment: environment)
}
