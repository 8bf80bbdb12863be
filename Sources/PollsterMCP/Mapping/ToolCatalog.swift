import MCP
import OrderedCollections
import Pollster
import PollsterCore

/// The registry as MCP tools: every enabled tool method, with its description, its
/// `requestSchema` as `inputSchema`, annotations and `execution.taskSupport: optional`.
struct ToolCatalog: Sendable {
    let registry: any ToolRegistry
    let naming: ToolNaming

    /// The `tools/list` result (one page: registries hold hundreds of methods, not millions).
    func list() async throws -> Value {
        let methods = try await registry.methods().filter(\.config.enabled)
        return ["tools": .array(methods.map(tool))]
    }

    /// The registry name of the MCP tool `name`, or nil when there is none.
    func toolName(for name: String) async -> String? {
        if naming.separator == "." { return name }
        guard let methods = try? await registry.methods() else { return nil }
        return methods.first { naming.mcpName(of: $0.name) == name }?.name
    }

    /// One tool's definition.
    func tool(_ method: ToolMethod) -> Value {
        var tool: [String: Value] = [
            "name": .string(naming.mcpName(of: method.name)),
            "title": .string(method.name),
            "inputSchema": Self.inputSchema(method.config.requestSchema),
            "annotations": [
                "readOnlyHint": false, "destructiveHint": false, "idempotentHint": false,
                "openWorldHint": true,
            ],
            "execution": ["taskSupport": "optional"],
        ]
        tool["description"] = .string(
            method.config.description
                ?? "Runs \(method.name) at the provider and returns its result and files.")
        return .object(tool)
    }

    /// `requestSchema` as an object schema: MCP requires `type: object` at the top.
    static func inputSchema(_ schema: JSONValue?) -> Value {
        guard case .object(var members) = schema else { return ["type": "object"] }
        if members["type"] == nil { members["type"] = "object" }
        return Value(.object(members))
    }
}
