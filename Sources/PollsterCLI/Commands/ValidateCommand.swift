import ArgumentParser
import Foundation
import Pollster
import PollsterCore
import PollsterPostgres

/// `pollster validate [DIR|FILE…]`: checks every file and reports every error.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract:
            "Check adapter files (and with --database-url the registry rows); exit non-zero if any is invalid."
    )

    @Argument(help: "Directories or files to check (default: adapters, unless a database is given).")
    var paths: [String] = []

    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "Also check the rows the registry would offer (default: $POLLSTER_DATABASE_URL).",
            valueName: "url"))
    var databaseURL: String?

    func run() async throws {
        var problems: [PollsterError] = []
        var methodCount = 0
        let database = try DatabaseOptions.resolve(databaseURL)
        if let database {
            do {
                let rows = try await RegistrySnapshot.load(from: database, logger: DatabaseOptions.logger)
                methodCount += rows.allMethods.count
                problems += rows.rowProblems
            } catch let error as PollsterError {
                throw error.exit()
            }
        }
        for path in paths.isEmpty && database == nil ? ["adapters"] : paths {
            do {
                let registry = try YAMLRegistry(directory: path)
                methodCount += try await registry.methods().count
                problems += try await registry.problems()
            } catch let error as PollsterError {
                problems.append(error)
            }
        }
        for problem in problems { Console.error("error \(problem.code.rawValue): \(problem.message)") }
        if problems.isEmpty {
            Console.out("ok: \(methodCount) tool methods valid")
        } else {
            Console.out("\(problems.count) invalid file(s) or row(s); \(methodCount) tool methods valid")
            throw ExitCode(PollsterError.Code.invalidConfig.exitCode)
        }
    }
}
