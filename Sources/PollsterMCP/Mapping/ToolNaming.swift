/// How registry names (`inventory.method`) appear as MCP tool names.
///
/// The 2025-11-25 specification allows `A-Z a-z 0-9 _ - .` in tool names, so the default keeps the
/// registry name. Some hosts pass tool names on to model APIs that refuse dots (function names
/// matching `^[a-zA-Z0-9_-]+$`); for them `separator: "__"` names `fal.fast_sdxl` `fal__fast_sdxl`.
public struct ToolNaming: Sendable, Equatable {
    /// What stands between the inventory and the method name; `.` by default.
    public var separator: String

    /// A naming; the separator must be one or more of `A-Z a-z 0-9 _ - .`.
    public init(separator: String = ".") {
        self.separator = separator
    }

    /// The MCP name of the registry's `tool`.
    public func mcpName(of tool: String) -> String {
        guard separator != ".", let dot = tool.firstIndex(of: ".") else { return tool }
        return String(tool[..<dot]) + separator + String(tool[tool.index(after: dot)...])
    }
}
