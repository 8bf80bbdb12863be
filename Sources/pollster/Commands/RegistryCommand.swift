import ArgumentParser
import Foundation
import Pollster
import PollsterCore

/// `pollster registry …`: move tool methods between YAML files and SQL.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry", abstract: "Export tool methods as YAML or as SQL rows.",
        subcommands: [RegistryExportCommand.self])
}

/// `pollster registry export [--yaml DIR | --sql [--output DIR]]`.
struct RegistryExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write each inventory as YAML (--yaml DIR) or as idempotent SQL inserts (--sql).",
        discussion:
            "With --sql and --output DIR, writes DIR/<inventory>.sql (as sql/providers/ holds); otherwise prints."
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
    }

    func run() async throws {
        let registry = try engine.registry()
        for problem in try await registry.problems() {
            Console.error("warning \(problem.code.rawValue): \(problem.message) (not exported)")
        }
        for (source, inventory) in registry.inventories {
            do {
                if let yaml {
                    try write(
                        try RegistryExporter.yaml(inventory), to: yaml, name: "\(inventory.inventory).yaml")
                } else {
                    let text = try RegistryExporter.sql(inventory, source: Self.relative(source))
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
