import Foundation
import PollsterTesting

/// A `pollster` command running in the background, as an operator runs it: it can be
/// stopped with SIGTERM or killed outright, and what it logged can be read.
final class CLIProcess {
    private let process: ChildProcess
    /// Where its standard error goes (read it when a test fails).
    let logPath: String

    /// Starts `pollster arguments…` with `environment` added to this process's (without
    /// `POLLSTER_DATABASE_URL` unless given), in `directory` when given.
    init(_ arguments: [String], environment: [String: String], in directory: URL? = nil) throws {
        logPath =
            (directory ?? FileManager.default.temporaryDirectory).appendingPathComponent(
                "pollster-\(arguments.first ?? "cli")-\(UUID()).log"
            ).path
        var changes: [String: String?] = ["POLLSTER_DATABASE_URL": nil]
        for (name, value) in environment { changes[name] = value }
        process = try ChildProcess(
            CLITests.executable.path, arguments, in: directory?.path,
            environment: ChildProcess.environment(changing: changes), output: "/dev/null", error: logPath)
    }

    /// Whether it still runs.
    var isRunning: Bool { process.isRunning }

    /// `kill -9`: no chance to release leases or finish anything.
    func kill() {
        process.send(SIGKILL)
        _ = process.waitBlocking()
    }

    /// SIGTERM, then waits for the graceful exit.
    func stop() -> Int32 {
        process.send(SIGTERM)
        return process.waitBlocking()
    }

    /// SIGTERM, then waits up to `limit` for the graceful exit; kills it when it is still running.
    /// - Returns: the exit status, or nil when it did not exit in time.
    func stop(within limit: Duration) async -> Int32? {
        process.send(SIGTERM)
        let deadline = ContinuousClock.now + limit
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill()
                return nil
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return process.waitBlocking()
    }

    /// What it logged.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

/// A `pollster worker` process.
func workerProcess(_ arguments: [String], environment: [String: String]) throws -> CLIProcess {
    try CLIProcess(["worker"] + arguments, environment: environment)
}
