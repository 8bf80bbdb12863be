import Foundation
import PollsterTesting

/// The built `pollster` executable, run as a user would.
enum CLI {
    /// The `pollster` binary next to the test bundle.
    static let executable: URL = {
        let testBinary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return testBinary.deletingLastPathComponent().appendingPathComponent("pollster")
    }()

    /// Runs `pollster arguments…` in `directory`; `POLLSTER_DATABASE_URL` is unset unless given.
    static func run(
        _ arguments: [String], in directory: URL = Repository.root, environment extra: [String: String] = [:]
    ) async throws -> ProcessRun {
        var environment: [String: String?] = ["POLLSTER_DATABASE_URL": nil]
        for (name, value) in extra { environment[name] = value }
        return try await ProcessRun.run(executable, arguments, in: directory, environment: environment)
    }
}
