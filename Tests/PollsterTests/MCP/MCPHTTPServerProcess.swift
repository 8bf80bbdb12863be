import Foundation
import PollsterCore

/// `pollster mcp --http 127.0.0.1:0` in the background; its address is read from its stderr.
final class MCPHTTPServerProcess {
    private let process: CLIProcess

    /// Starts the server with `arguments` (which must not include `--http`) on `address`.
    init(
        _ arguments: [String], environment: [String: String], in directory: URL,
        address: String = "127.0.0.1:0"
    ) throws {
        process = try CLIProcess(arguments + ["--http", address], environment: environment, in: directory)
    }

    /// The `/mcp` URL once the server listens (waits up to 30 s).
    func url() async throws -> String {
        for _ in 0..<300 {
            if let line = log.split(separator: "\n").first(where: { $0.contains("listening on http://") }),
                let range = line.range(of: "http://")
            {
                return String(line[range.lowerBound...].prefix { $0 != " " })
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PollsterError(.transportError, "pollster mcp --http did not start: \(log)")
    }

    /// SIGTERM, then waits for the graceful exit.
    func stop() -> Int32 { process.stop() }

    /// SIGTERM, then waits up to `limit` for the graceful exit (nil: it had to be killed).
    func stop(within limit: Duration) async -> Int32? { await process.stop(within: limit) }

    /// What it logged.
    var log: String { process.log }
}
