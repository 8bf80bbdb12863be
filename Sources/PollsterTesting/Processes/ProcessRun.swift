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
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        process.environment = merged
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exited.continuation.finish() }
        try process.run()
        for await _ in exited.stream {}
        return ProcessRun(
            status: process.terminationStatus, output: try String(contentsOf: outURL, encoding: .utf8),
            error: try String(contentsOf: errURL, encoding: .utf8))
    }
}
