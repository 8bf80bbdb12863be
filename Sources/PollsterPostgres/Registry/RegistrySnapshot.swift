import Pollster
import PollsterCore

/// The tool methods one read of the registry tables gives: an immutable `ToolRegistry`.
///
/// Rules:
/// - Only enabled rows of enabled inventories count; of several enabled versions of one
///   name, the highest `version_id` is the method.
/// - A row whose config is broken disables that method only (no fallback to an older
///   version: fix the row, or disable it to fall back); `method(named:)` then throws its
///   `INVALID_CONFIG`, and `problems()` lists it once, naming inventory, method, version and key.
/// - A broken `toolset_inventory` row disables the methods of that inventory.
public struct RegistrySnapshot: ToolRegistry {
    private let byName: [String: ToolMethod]
    /// Errors by tool name (one method) or inventory key (the whole inventory).
    private let broken: [String: PollsterError]
    private let loadProblems: [PollsterError]

    /// An empty registry.
    public init() {
        byName = [:]
        broken = [:]
        loadProblems = []
    }

    /// Compiles the enabled rows.
    /// - Parameter rows: rows of `toolset_inventory` and `tool_methods`; disabled ones are skipped.
    public init(rows: RegistryRows) {
        var byName: [String: ToolMethod] = [:]
        var broken: [String: PollsterError] = [:]
        var problems: [PollsterError] = []
        var inventories: [String: InventoryConfig] = [:]
        for row in rows.inventories where row.enabled {
            do throws(PollsterError) {
                let config = try row.config()
                if let whole = ToolMethod.compile(config).problems.first {
                    throw whole.error.prefixed("toolset_inventory \(row.key)")
                }
                inventories[row.key] = config
            } catch {
                problems.append(error)
                broken[row.key] = error
            }
        }
        var chosen: [String: MethodRow] = [:]
        for row in rows.methods where row.enabled && inventories[row.inventoryKey] != nil {
            if let current = chosen[row.toolName], current.versionId >= row.versionId { continue }
            chosen[row.toolName] = row
        }
        for name in chosen.keys.sorted() {
            let row = chosen[name]!
            do throws(PollsterError) {
                let method = try row.config()
                do throws(PollsterError) {
                    byName[name] = try ToolMethod(inventory: inventories[row.inventoryKey]!, method: method)
                } catch {
                    throw error.prefixed(row.label)
                }
            } catch {
                problems.append(error)
                broken[name] = error
            }
        }
        self.byName = byName
        self.broken = broken
        self.loadProblems = problems
    }

    public func method(named name: String) async throws -> ToolMethod {
        try lookup(name)
    }

    /// `method(named:)` without `async`.
    public func lookup(_ name: String) throws(PollsterError) -> ToolMethod {
        if let method = byName[name] { return method }
        let (inventory, _) = try ToolName.split(name)
        if let error = broken[name] ?? broken[inventory] {
            throw PollsterError(.invalidConfig, "\(name) cannot be used: \(error.message)")
        }
        let known = byName.keys.sorted()
        let suggestion = Spelling.nearest(to: name, in: known).map { "; did you mean \($0)?" } ?? ""
        throw PollsterError(
            .toolNotFound,
            "no tool method named \(name) in the database\(suggestion) (run `pollster list` to see all \(known.count))"
        )
    }

    public func methods() async throws -> [ToolMethod] { allMethods }

    /// Every valid method, sorted by name.
    public var allMethods: [ToolMethod] { byName.keys.sorted().map { byName[$0]! } }

    public func problems() async throws -> [PollsterError] { loadProblems }

    /// The broken rows, each with what to fix.
    public var rowProblems: [PollsterError] { loadProblems }
}
