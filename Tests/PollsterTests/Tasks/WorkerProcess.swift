import Foundation

/// A `pollster worker` process, as an operator runs it: it can be killed outright.
final class WorkerProcess {
    private let process = Process()
    /// Where its standard error goes (read it when a test fails).
    let logPath: String

    /// Starts `pollster worker arguments…` with `environment` added to this process's.
    init(_ arguments: [String], environment: [String: String]) throws {
        logPath =
            FileManager.default.temporaryDirectory.appendingPathComponent("pollster-worker-\(UUID()).log")
            .path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = CLITests.executable
        process.arguments = ["worker"] + arguments
        var merged = ProcessInfo.processInfo.environment
        merged["POLLSTER_DATABASE_URL"] = nil
        merged.merge(environment) { _, new in new }
        process.environment = merged
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

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
