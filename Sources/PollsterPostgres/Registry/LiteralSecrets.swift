import PollsterCore

/// Finds credentials written into a config instead of `${NAME}` references.
///
/// Rows must never hold secret values: `import` refuses them and `export` masks them.
/// Checked places: sensitive headers (`Authorization`, `X-Api-Key`, … in `headers` and
/// `polling.statusHeaders`), the credential fields of `auth` (`token`, `value`,
/// `password`, `secretId`, `secretKey`), credential-like `query` parameters (`api_key`,
/// `token`, …), and the URLs (`baseUrl`, `endpoint`, `polling.statusUrl`, `result.url`,
/// `cancel.url`: user-info and credential-like query values). A value with any placeholder
/// (`${NAME}`, `{input.key}`) is a reference.
public enum LiteralSecrets {
    /// Where `inventory` holds a literal credential, as `<method>.adapterConfig.<key>` paths.
    public static func find(in inventory: InventoryConfig) -> [String] {
        var found: [String] = []
        if let baseUrl = inventory.baseUrl, maskedURL(baseUrl) != nil {
            found.append("\(inventory.inventory): baseUrl")
        }
        for method in inventory.methods {
            let prefix = "\(inventory.inventory).\(method.name) (version \(method.versionId))"
            if maskedURL(method.endpoint) != nil { found.append("\(prefix): endpoint") }
            visit(method.adapterConfig) { path, _ in
                found.append("\(prefix): \(path)")
                return nil
            }
        }
        return found
    }

    /// `inventory` with every literal credential replaced by `[REDACTED]` (in a URL, only the
    /// credential part is).
    public static func redact(_ inventory: InventoryConfig) -> InventoryConfig {
        var copy = inventory
        if let baseUrl = copy.baseUrl, let masked = maskedURL(baseUrl) { copy.baseUrl = masked }
        for index in copy.methods.indices {
            if let masked = maskedURL(copy.methods[index].endpoint) { copy.methods[index].endpoint = masked }
            copy.methods[index].adapterConfig = visit(copy.methods[index].adapterConfig) { _, masked in masked
            }
        }
        return copy
    }

    /// Calls `replace(path, masked value)` for each literal credential; a non-nil result
    /// replaces the value.
    @discardableResult
    private static func visit(_ config: AdapterConfig, _ replace: (String, String) -> String?)
        -> AdapterConfig
    {
        var config = config
        config.headers = headers(config.headers, key: "adapterConfig.headers", replace)
        for name in config.query.keys.sorted() where URLCredentials.isCredentialName(name) {
            if let value = config.query[name], isLiteral(value),
                let replacement = replace("adapterConfig.query.\(name)", Redactor.mask)
            {
                config.query[name] = replacement
            }
        }
        if var polling = config.polling {
            polling.statusHeaders = headers(
                polling.statusHeaders, key: "adapterConfig.polling.statusHeaders", replace)
            if let url = polling.statusUrl, let masked = maskedURL(url),
                let replacement = replace("adapterConfig.polling.statusUrl", masked)
            {
                polling.statusUrl = replacement
            }
            config.polling = polling
        }
        if var result = config.result, let masked = maskedURL(result.url),
            let replacement = replace("adapterConfig.result.url", masked)
        {
            result.url = replacement
            config.result = result
        }
        if var cancel = config.cancel, let masked = maskedURL(cancel.url),
            let replacement = replace("adapterConfig.cancel.url", masked)
        {
            cancel.url = replacement
            config.cancel = cancel
        }
        if var auth = config.auth {
            let fields: [(String, WritableKeyPath<AuthConfig, String?>)] = [
                ("token", \.token), ("value", \.value), ("password", \.password), ("secretId", \.secretId),
                ("secretKey", \.secretKey),
            ]
            for (name, keyPath) in fields {
                if let value = auth[keyPath: keyPath], isLiteral(value),
                    let replacement = replace("adapterConfig.auth.\(name)", Redactor.mask)
                {
                    auth[keyPath: keyPath] = replacement
                }
            }
            config.auth = auth
        }
        return config
    }

    /// The URL with its literal credentials masked, or nil when it holds none.
    static func maskedURL(_ url: String) -> String? {
        let masked = URLCredentials.mask(url, keepingPlaceholders: true)
        return masked == url ? nil : masked
    }

    private static func headers(
        _ headers: [String: String], key: String, _ replace: (String, String) -> String?
    ) -> [String: String] {
        var result = headers
        for name in headers.keys.sorted() where Redactor.sensitiveHeaders.contains(name.lowercased()) {
            if let value = headers[name], isLiteral(value),
                let replacement = replace("\(key).\(name)", Redactor.mask)
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
