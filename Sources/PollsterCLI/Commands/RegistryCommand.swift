import ArgumentParser
import Foundation
import Pollster
import PollsterCore
import PollsterPostgres

/// `pollster registry …`: move tool methods between YAML files and PostgreSQL rows.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Import tool methods into PostgreSQL, or export them as YAML or SQL.",
        subcommands: [RegistryImportCommand.self, RegistryExportCommand.self])
}

/// `pollster registry export [--yaml DIR | --sql [--output DIR]] [--database-url URL | --adapters DIR]`.
struct RegistryExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write each inventory as YAML (--yaml DIR) or as idempotent SQL inserts (--sql).",
        discussion: """
            Reads the database when a URL is given (--database-url or POLLSTER_DATABASE_URL) and no \
            --adapters; otherwise the YAML adapters. With --sql and --output DIR, writes \
            DIR/<inventory>.sql (as sql/providers/ holds); otherwise prints. Secret values are never \
            written: configs hold ${NAME} references, and a literal credential found in a row is masked.
            """
    )

    @Option(help: "Write one YAML file per inventory into this directory.")
    var yaml: String?

    @Flag(help: "Export INSERT … ON CONFLICT DO UPDATE statements for toolset_inventory and tool_methods.")
    var sql = false

    @Option(help: "With --sql: the directory for <inventory>.sql files (default: standard output).")
    var output: String?

    @OptionGroup var engine: EngineOptions

    func validate() throws {
        guard (yaml != nil) != sql else { throw ValidationError("give exactly one of --yaml DIR or --sql") }
        guard engine.adapters == nil || engine.databaseURL == nil else {
            throw ValidationError("give --adapters DIR or --database-url URL, not both")
        }
    }

    func run() async throws {
        for (source, inventory) in try await inventories() {
            let literals = LiteralSecrets.find(in: inventory)
            for literal in literals {
                Console.error(
                    "warning: \(literal) holds a literal secret; exported as \(Redactor.mask) "
                        + "(store a ${NAME} reference instead)")
            }
            let safe = literals.isEmpty ? inventory : LiteralSecrets.redact(inventory)
            do {
                if let yaml {
                    try write(try RegistryExporter.yaml(safe), to: yaml, name: "\(inventory.inventory).yaml")
                } else {
                    let text = try RegistryExporter.sql(safe, source: source)
                    if let output {
                        try write(text, to: output, name: "\(inventory.inventory).sql")
                    } else {
                        Console.out(text)
                    }
                }
            } catch let error as PollsterError {
                throw error.exit()
            }
        }
    }

    /// The inventories to export, each with a description of where it came from.
    private func inventories() async throws -> [(source: String, inventory: InventoryConfig)] {
        if engine.adapters == nil, let url = try engine.database() {
            let rows = try await DatabaseOptions.withDatabase(url) { database in try await database.allRows()
            }
            for row in rows.inventories where !row.enabled {
                Console.error(
                    "warning: inventory \(row.key) is disabled in the database; its methods are exported "
                        + "with enabled: false")
            }
            let (inventories, problems) = rows.inventoryConfigs()
            for problem in problems {
                Console.error("warning \(problem.code.rawValue): \(problem.message) (not exported)")
            }
            return inventories.map { ("\(url) (toolset_inventory \($0.inventory))", $0) }
        }
        let registry = try engine.yamlRegistry()
        for problem in try await registry.problems() {
            Console.error("warning \(problem.code.rawValue): \(problem.message) (not exported)")
        }
        return registry.inventories.map { (Self.relative($0.source), $0.config) }
    }

    private func write(_ text: String, to directory: String, name: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        Console.error("wrote \(path)")
    }

    /// `adapters/x.yaml` rather than an absolute path, so generated files do not depend on the checkout.
    static func relative(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }
}
