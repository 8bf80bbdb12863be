import Foundation

/// The built `pollster` executable, run as a user would.
enum CLI {
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    /// The `pollster` binary next to the test bundle.
    static let executable: URL = {
        let testBinary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return testBinary.deletingLastPathComponent().appendingPathComponent("pollster")
    }()

    /// Runs `pollster arguments…` in `directory`; `POLLSTER_DATABASE_URL` is unset unless given.
    static func run(
        _ arguments: [String], in directory: URL = Repository.root, environment extra: [String: String] = [:]
    ) throws -> Run {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pollster-cli-\(UUID())")
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
        var environment = ProcessInfo.processInfo.environment
        environment["POLLSTER_DATABASE_URL"] = nil
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus,
            output: try String(contentsOf: outURL, encoding: .utf8),
            error: try String(contentsOf: errURL, encoding: .utf8))
    }
}
