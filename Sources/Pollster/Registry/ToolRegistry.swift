import PollsterCore

/// A source of tool methods: a YAML directory, PostgreSQL rows, or several combined.
public protocol ToolRegistry: Sendable {
    /// The method called `inventory.method`.
    /// - Throws: `TOOL_NOT_FOUND`, or `INVALID_CONFIG` when its config is broken.
    func method(named name: String) async throws -> ToolMethod

    /// Every valid method, sorted by name.
    func methods() async throws -> [ToolMethod]

    /// Configs that failed to load, each with what to fix.
    func problems() async throws -> [PollsterError]
}
