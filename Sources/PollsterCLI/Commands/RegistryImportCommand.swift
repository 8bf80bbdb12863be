import ArgumentParser
import Pollster
import PollsterCore
import PollsterPostgres

/// `pollster registry import DIR|FILE… --database-url URL`.
struct RegistryImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Upsert adapter YAML files into toolset_inventory and tool_methods.",
        discussion: """
            Every file is validated first; if any is broken, nothing is written. Rows are matched by \
            inventory key and by (inventory, method name, versionId): an edited method with the same \
            versionId replaces its row, a new versionId adds a row next to the old one. Rows that are \
            not in the files are kept. Everything is written in one transaction.
            """)

    @Argument(help: "Adapter YAML files or directories.")
    var paths: [String]

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one DIR or FILE to import") }
    }

    func run() async throws {
        var inventories: [InventoryConfig] = []
        var sources: [String: String] = [:]
        var problems: [PollsterError] = []
        for path in paths {
            do {
                let registry = try YAMLRegistry(directory: path)
                problems += try await registry.problems()
                for (source, inventory) in registry.inventories {
                    if let earlier = sources[inventory.inventory] {
                        problems.append(
                            PollsterError(
                                .invalidConfig,
                                "\(source): inventory '\(inventory.inventory)' is also defined in \(earlier)")
                        )
                    }
                    sources[inventory.inventory] = source
                    inventories.append(inventory)
                }
            } catch let error as PollsterError {
                problems.append(error)
            }
        }
        for problem in problems { Console.error("error \(problem.code.rawValue): \(problem.message)") }
        guard problems.isEmpty else {
            Console.out("\(problems.count) invalid file(s): nothing imported")
            throw ExitCode(PollsterError.Code.invalidConfig.exitCode)
        }
        let summary = try await database.withDatabase { database in
            try await database.importInventories(inventories)
        }
        for name in summary.inserted { Console.out("inserted \(name)") }
        for name in summary.updated { Console.out("updated \(name)") }
        Console.out(
            "\(summary.inserted.count) inserted, \(summary.updated.count) updated, "
                + "\(summary.unchanged.count) unchanged")
    }
}
