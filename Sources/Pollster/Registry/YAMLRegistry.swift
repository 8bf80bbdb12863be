import Foundation
import PollsterCore

/// Tool methods from the YAML files (`*.yaml`, `*.yml`) of a directory, loaded once.
///
/// A broken file does not hide the others: its error is reported by `problems()` and
/// by `method(named:)` for the inventory it declares.
public struct YAMLRegistry: ToolRegistry {
    private let byName: [String: ToolMethod]
    /// Errors by inventory key (whole file broken) or by tool name (one method broken).
    private let brokenInventories: [String: PollsterError]
    private let loadProblems: [PollsterError]

    /// The inventories of the files that loaded, with their file paths, in file order.
    public let inventories: [(source: String, config: InventoryConfig)]

    /// Loads every YAML file under `directory` (subdirectories included).
    /// - Throws: `INVALID_CONFIG` only when the directory cannot be read.
    public init(directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw PollsterError(
                .invalidConfig, "adapter directory '\(directory)' does not exist; pass --adapters DIR")
        }
        let files: [String]
        if isDirectory.boolValue {
            let enumerator = FileManager.default.enumerator(atPath: directory)
            files = (enumerator?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
                .sorted()
                .map { (directory as NSString).appendingPathComponent($0) }
        } else {
            files = [directory]
        }
        try self.init(files: files)
    }

    /// Loads the given files.
    public init(files: [String]) throws {
        var byName: [String: ToolMethod] = [:]
        var broken: [String: PollsterError] = [:]
        var problems: [PollsterError] = []
        var inventories: [(source: String, config: InventoryConfig)] = []
        for file in files {
            let outcome = Self.load(file: file)
            switch outcome {
            case .success(let inventory, let methods, let methodProblems):
                inventories.append((file, inventory))
                for problem in methodProblems {
                    problems.append(problem.error)
                    if let name = problem.method { broken[name] = problem.error }
                }
                for method in methods {
                    if let existing = byName[method.name],
                        existing.config.versionId >= method.config.versionId
                    {
                        continue
                    }
                    byName[method.name] = method
                }
            case .failure(let error, let inventory):
                problems.append(error)
                if let inventory { broken[inventory] = error }
            }
        }
        self.byName = byName
        self.brokenInventories = broken
        self.loadProblems = problems
        self.inventories = inventories
    }

    public func method(named name: String) async throws -> ToolMethod {
        if let method = byName[name] { return method }
        let (inventory, _) = try ToolName.split(name)
        if let error = brokenInventories[name] ?? brokenInventories[inventory] {
            throw PollsterError(.invalidConfig, "\(name) cannot be used: \(error.message)")
        }
        let known = byName.keys.sorted()
        let suggestion = Spelling.nearest(to: name, in: known).map { "; did you mean \($0)?" } ?? ""
        throw PollsterError(
            .toolNotFound,
            "no tool method named \(name)\(suggestion) (run `pollster list` to see all \(known.count))")
    }

    public func methods() async throws -> [ToolMethod] {
        byName.keys.sorted().map { byName[$0]! }
    }

    public func problems() async throws -> [PollsterError] { loadProblems }

    private enum Outcome {
        case success(InventoryConfig, [ToolMethod], [CompileProblem])
        case failure(PollsterError, inventory: String?)
    }

    private static func load(file: String) -> Outcome {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            return .failure(
                PollsterError(.invalidConfig, "\(file): cannot read: \(error.localizedDescription)"),
                inventory: nil)
        }
        do {
            let inventory = try InventoryLoader.load(yaml: text, source: file)
            let (methods, problems) = ToolMethod.compile(inventory)
            let located = problems.map { CompileProblem(method: $0.method, error: $0.error.prefixed(file)) }
            if let whole = located.first(where: { $0.method == nil }) {
                return .failure(whole.error, inventory: inventory.inventory)
            }
            return .success(inventory, methods.filter(\.config.enabled), located)
        } catch {
            let declared = text.split(separator: "\n").first { $0.hasPrefix("inventory:") }
                .map { $0.dropFirst("inventory:".count).trimmingCharacters(in: .whitespaces) }
            return .failure(error, inventory: declared)
        }
    }
}
