import ArgumentParser
import Foundation
import Pollster
import PollsterCore

/// `pollster validate [DIR|FILE…]`: checks every file and reports every error.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check adapter files; exit non-zero if any is invalid.")

    @Argument(help: "Directories or files to check (default: adapters).")
    var paths: [String] = ["adapters"]

    func run() async throws {
        var problems: [PollsterError] = []
        var methodCount = 0
        for path in paths {
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
            Console.out("\(problems.count) invalid file(s); \(methodCount) tool methods valid")
            throw ExitCode(PollsterError.Code.invalidConfig.exitCode)
        }
    }
}
