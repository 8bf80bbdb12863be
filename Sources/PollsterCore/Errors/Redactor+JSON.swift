import OrderedCollections

extension Redactor {
    /// `value` with every secret masked, in every form, in its strings and member names: a
    /// provider's answer as it may be returned or stored (a provider can echo the request).
    ///
    /// ```swift
    /// Redactor(secrets: ["s3cr3t/key"]).redact(["echo": ["auth": "Bearer s3cr3t/key"]])
    /// // {"echo": {"auth": "Bearer [REDACTED]"}}
    /// ```
    public func redact(_ value: JSONValue) -> JSONValue {
        guard !isEmpty else { return value }
        return Self.redact(value, forms: forms())
    }

    private static func redact(_ value: JSONValue, forms: [String]) -> JSONValue {
        switch value {
        case .string(let text): return .string(redact(text, forms: forms))
        case .array(let items): return .array(items.map { redact($0, forms: forms) })
        case .object(let members):
            var output: OrderedDictionary<String, JSONValue> = [:]
            for (key, member) in members { output[redact(key, forms: forms)] = redact(member, forms: forms) }
            return .object(output)
        default: return value
        }
    }
}
