import PollsterCore

extension ToolMethod {
    /// `acme.m`: `POST /m` on `https://api.acme.test`, with `adapterConfig` (the defaults unless
    /// given): the smallest method the config tests compile.
    /// - Throws: `INVALID_CONFIG` when `adapterConfig` does not compile.
    static func acme(_ adapterConfig: AdapterConfig = AdapterConfig()) throws -> ToolMethod {
        let inventory = InventoryConfig(
            inventory: "acme", baseUrl: "https://api.acme.test",
            methods: [MethodConfig(name: "m", endpoint: "/m", adapterConfig: adapterConfig)])
        return try ToolMethod(inventory: inventory, method: inventory.methods[0])
    }
}
