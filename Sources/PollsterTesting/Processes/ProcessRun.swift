import Foundation

/// A program run to completion, as a user runs it from a shell: for testing command lines.
public struct ProcessRun: Sendable {
    /// The exit status.
    public var status: Int32
    /// Everything written to standard output.
    public var output: String
    /// Everything written to standard error.
    public var error: String

    /// Runs `executable arguments…` in `directory` with this process's environment, changed by
    /// `environment` (a nil value removes a variable), and waits for it. Output goes through
    /// temporary files, so a chatty program never blocks on a full pipe. The wait suspends
    /// instead of blocking a thread, so tests running beside it keep the cooperative pool.
    public static func run(
        _ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String?] = [:]
    ) async throws -> ProcessRun {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pollster-run-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        let child = try ChildProcess(
            executable.path, arguments, in: directory.path,
            environment: ChildProcess.environment(changing: environment),
            output: outURL.path, error: errURL.path)
        let status = await child.exitStatus()
        return ProcessRun(
            status: status, output: try String(contentsOf: outURL, encoding: .utf8),
            error: try String(contentsOf: errURL, encoding: .utf8))
    }
}
