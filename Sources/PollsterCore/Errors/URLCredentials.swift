/// Credentials inside URLs: user-info (`user:password@`) and query parameters whose names
/// say they carry one (`api_key`, `token`, `sig`, `X-Amz-Signature`, `q-sign-*`, …).
///
/// URLs are stored (task checkpoints) and printed (errors, `list`, exports); they keep
/// their scheme, host, path and other parameters readable, and lose their credentials.
///
/// ```swift
/// URLCredentials.mask("https://u:p@api.test/v1?api_key=abc&page=2")
/// // "https://[REDACTED]@api.test/v1?api_key=[REDACTED]&page=2"
/// ```
package enum URLCredentials {
    /// `url` with user-info and credential-like query values masked (any scheme).
    /// - Parameter keepingPlaceholders: leave values holding a placeholder (`${NAME}`,
    ///   `{input.key}`) as they are: a config's references are not secrets, and an export must
    ///   keep them.
    package static func mask(_ url: String, keepingPlaceholders: Bool = false) -> String {
        var output = url
        if let query = queryRange(in: output) {
            let parameters = output[query].split(separator: "&", omittingEmptySubsequences: false).map {
                parameter in
                guard let equals = parameter.firstIndex(of: "="),
                    isCredentialName(decodedName(parameter[..<equals]))
                else { return String(parameter) }
                let value = parameter[parameter.index(after: equals)...]
                guard shouldMask(value, keepingPlaceholders: keepingPlaceholders) else {
                    return String(parameter)
                }
                return parameter[...equals] + Redactor.mask
            }
            output.replaceSubrange(query, with: parameters.joined(separator: "&"))
        }
        if let userinfo = userinfoRange(in: output),
            shouldMask(output[userinfo], keepingPlaceholders: keepingPlaceholders)
        {
            output.replaceSubrange(userinfo, with: Redactor.mask)
        }
        return output
    }

    /// True when `url` (or a URL template) has user-info: `scheme://user[:password]@host`.
    package static func hasUserinfo(_ url: String) -> Bool { userinfoRange(in: url) != nil }

    /// The names of query parameters that hold a literal credential (not a placeholder).
    package static func literalCredentialParameters(in url: String) -> [String] {
        guard let query = queryRange(in: url) else { return [] }
        return url[query].split(separator: "&").compactMap { parameter in
            guard let equals = parameter.firstIndex(of: "=") else { return nil }
            let name = decodedName(parameter[..<equals])
            let value = parameter[parameter.index(after: equals)...]
            return isCredentialName(name) && shouldMask(value, keepingPlaceholders: true) ? name : nil
        }
    }

    /// True for a query parameter (or config key) name that says it carries a credential,
    /// case-insensitively: `key`, `api_key`, `apiKey`, `access_token`, `auth`, `sig`,
    /// `signature`, `secret`, `password`, `session`, `X-Amz-Signature`, `X-Amz-Credential`,
    /// `X-Amz-Security-Token`, `q-sign-*`, `q-ak`, …
    package static func isCredentialName(_ name: String) -> Bool {
        let lower = name.lowercased()
        if lower.hasPrefix("q-sign-") { return true }
        if fragments.contains(where: { lower.contains($0) }) { return true }
        let parts = lower.split { !($0.isLetter || $0.isNumber) }
        return parts.contains { words.contains(String($0)) }
    }

    /// Substrings that mark a credential wherever they appear in a name.
    private static let fragments = [
        "token", "secret", "password", "passwd", "signature", "credential", "apikey", "api_key", "api-key",
        "accesskey", "access_key", "access-key", "session", "private_key", "privatekey",
    ]

    /// Whole words (between separators) that mark a credential.
    private static let words: Set<String> = ["key", "sig", "auth", "pwd", "pass", "ak", "sk", "jwt"]

    private static func shouldMask(_ value: Substring, keepingPlaceholders: Bool) -> Bool {
        !value.isEmpty && value != Redactor.mask[...] && !(keepingPlaceholders && value.contains("{"))
    }

    private static func decodedName(_ name: Substring) -> String {
        PercentEncoding.decode(String(name), plusIsSpace: true) ?? String(name)
    }

    /// The query, without `?` and the fragment.
    private static func queryRange(in url: String) -> Range<String.Index>? {
        guard let question = url.firstIndex(of: "?"), !url[..<question].contains("#") else { return nil }
        let start = url.index(after: question)
        let end = url[start...].firstIndex(of: "#") ?? url.endIndex
        return start..<end
    }

    /// The user-info, without its `@`.
    private static func userinfoRange(in url: String) -> Range<String.Index>? {
        guard let separator = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound]
        guard !scheme.isEmpty, !scheme.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) else {
            return nil
        }
        let authorityStart = separator.upperBound
        let authorityEnd =
            url[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? url.endIndex
        guard let at = url[authorityStart..<authorityEnd].lastIndex(of: "@") else { return nil }
        return authorityStart..<at
    }
}

extension Redactor {
    /// A URL as it may be stored or shown: every known secret masked (in any encoding), then
    /// user-info and credential-like query values (see `URLCredentials`).
    public func redactURL(_ url: String) -> String { URLCredentials.mask(redact(url)) }

    /// A URL with user-info and credential-like query values masked, for places that know no
    /// secret values.
    public static func redactURL(_ url: String) -> String { URLCredentials.mask(url) }
}
