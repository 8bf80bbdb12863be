/// Removes secret values from text before it is logged, quoted in an error or recorded.
public struct Redactor: Sendable {
    /// What replaces a secret.
    public static let mask = "[REDACTED]"

    /// Header names whose values are always hidden.
    public static let sensitiveHeaders: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie",
        "x-auth-token",
        "x-goog-api-key", "ocp-apim-subscription-key",
    ]

    private let secrets: [String]

    /// A redactor for the given secret values (values shorter than 4 characters are
    /// ignored: masking them would garble ordinary text).
    public init(secrets: some Sequence<String>) {
        self.secrets = Set(secrets).filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    /// `text` with every secret value masked.
    public func redact(_ text: String) -> String {
        var output = text
        for secret in secrets where output.contains(secret) {
            output = output.replacing(secret, with: Self.mask)
        }
        return output
    }

    /// A header value as it may be shown: masked for sensitive names, redacted otherwise.
    public func redactHeader(name: String, value: String) -> String {
        Self.sensitiveHeaders.contains(name.lowercased()) ? Self.mask : redact(value)
    }

    /// A body excerpt for an error message: redacted, control characters flattened, at most `limit` characters.
    /// HTML pages (proxies' error pages) are summarised by their title instead.
    public func excerpt(_ bytes: some Collection<UInt8>, limit: Int = 300) -> String {
        let text = String(decoding: bytes.prefix(limit * 4), as: UTF8.self)
        let lower = text.lowercased()
        if lower.contains("<html") || lower.hasPrefix("<!doctype") {
            let title = lower.firstRange(of: "<title>").flatMap { open in
                lower[open.upperBound...].firstRange(of: "</title>").map { close in
                    String(text[open.upperBound..<close.lowerBound]).trimmingWhitespace()
                }
            }
            return "an HTML page" + (title.map { " titled '\(redact($0))'" } ?? "") + " (not JSON)"
        }
        let flat = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        let redacted = redact(flat)
        return redacted.count > limit ? String(redacted.prefix(limit)) + "…" : redacted
    }

    /// A URL without its query string and fragment (queries often carry tokens).
    public static func stripQuery(_ url: String) -> String {
        guard let cut = url.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return url }
        return String(url[..<cut])
    }
}
