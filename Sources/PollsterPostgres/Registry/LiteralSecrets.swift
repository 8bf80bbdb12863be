import PollsterCore

/// Finds credentials written into a config instead of `${NAME}` references.
///
/// Rows must never hold secret values: `import` refuses them and `export` masks them.
/// Checked places: sensitive headers (`Authorization`, `X-Api-Key`, … in `headers` and
/// `polling.statusHeaders`) and the credential fields of `auth` (`token`, `value`,
/// `password`, `secretId`, `secretKey`). A value with any placeholder (`${NAME}`,
/// `{input.key}`) is a reference.
public enum LiteralSecrets {
    /// Where `inventory` holds a literal credential, as `<method>.adapterConfig.<key>` paths.
    public static func find(in inventory: InventoryConfig) -> [String] {
        var found: [String] = []
        for method in inventory.methods {
            visit(method.adapterConfig) { path, _ in
                found.append("\(inventory.inventory).\(method.name) (version \(method.versionId)): \(path)")
                return nil
            }
        }
        return found
    }

    /// `inventory` with every literal credential replaced by `[REDACTED]`.
    public static func redact(_ inventory: InventoryConfig) -> InventoryConfig {
        var copy = inventory
        for index in copy.methods.indices {
            copy.methods[index].adapterConfig = visit(copy.methods[index].adapterConfig) { _, _ in
                Redactor.mask
            }
        }
        return copy
    }

    /// Calls `replace` for each literal credential; a non-nil result replaces the value.
    @discardableResult
    private static func visit(_ config: AdapterConfig, _ replace: (String, String) -> String?)
        -> AdapterConfig
    {
        var config = config
        config.headers = headers(config.headers, key: "adapterConfig.headers", replace)
        if var polling = config.polling {
            polling.statusHeaders = headers(
                polling.statusHeaders, key: "adapterConfig.polling.statusHeaders", replace)
            config.polling = polling
        }
        if var auth = config.auth {
            let fields: [(String, WritableKeyPath<AuthConfig, String?>)] = [
                ("token", \.token), ("value", \.value), ("password", \.password), ("secretId", \.secretId),
                ("secretKey", \.secretKey),
            ]
            for (name, keyPath) in fields {
                if let value = auth[keyPath: keyPath], isLiteral(value),
                    let replacement = replace("adapterConfig.auth.\(name)", value)
                {
                    auth[keyPath: keyPath] = replacement
                }
            }
            config.auth = auth
        }
        return config
    }

    private static func headers(
        _ headers: [String: String], key: String, _ replace: (String, String) -> String?
    ) -> [String: String] {
        var result = headers
        for name in headers.keys.sorted() where Redactor.sensitiveHeaders.contains(name.lowercased()) {
            if let value = headers[name], isLiteral(value), let replacement = replace("\(key).\(name)", value)
            {
                result[name] = replacement
            }
        }
        return result
    }

    /// True for a non-empty value without any placeholder (and not already masked).
    static func isLiteral(_ value: String) -> Bool {
        !value.isEmpty && !value.contains("{") && value != Redactor.mask
    }
}
