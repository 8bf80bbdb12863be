/// Removes secret values from text before it is logged, quoted in an error or recorded.
///
/// A provider may echo a credential in any encoding, so each secret is masked in every form it
/// is likely to take in a body, a header or a URL: as it is, JSON-escaped, percent-encoded
/// (upper- or lowercase hex, `+` or `%20` for spaces) and base64 (also inside a longer base64
/// value such as a Basic `user:password`). The forms are derived when text is redacted (each
/// result, each error, and a poll's status value when it is long enough to hold one), so that a
/// redactor itself stays as small as its secrets.
///
/// ```swift
/// let redactor = Redactor(secrets: ["s3cr3t/key"])
/// redactor.redact(#"{"token": "s3cr3t\/key"}"#)  // {"token": "[REDACTED]"}
/// ```
public struct Redactor: Sendable {
    /// What replaces a secret.
    public static let mask = "[REDACTED]"

    /// Header names whose values are always hidden.
    public static let sensitiveHeaders: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie",
        "x-auth-token",
        "x-goog-api-key", "ocp-apim-subscription-key",
    ]

    /// The shortest value masked: shorter ones would garble ordinary text.
    static let minimumLength = 4

    private let secrets: [String]
    private let derived: [String]

    /// A redactor for the given secret values (values shorter than 4 characters are
    /// ignored: masking them would garble ordinary text).
    /// - Parameters:
    ///   - secrets: secret values; each is masked in all its encodings.
    ///   - derived: values computed from secrets that must be masked as they are, such as the
    ///     base64 of a Basic `user:password` pair.
    public init(secrets: some Sequence<String>, derived: some Sequence<String> = [String]()) {
        self.secrets = Set(secrets).filter { $0.count >= Self.minimumLength }.sorted()
        self.derived = Set(derived).filter { $0.count >= Self.minimumLength }.sorted()
    }

    /// True when there is nothing to mask.
    public var isEmpty: Bool { secrets.isEmpty && derived.isEmpty }

    /// `text` with every secret masked, in every form.
    public func redact(_ text: String) -> String {
        // (A text of fewer bytes has fewer characters than any form: most status values, which
        // every poll redacts, are such, and building every form each time was 1 % of a client's
        // CPU.)
        guard !isEmpty, text.utf8.count >= shortestForm else { return text }
        return Self.redact(text, forms: forms())
    }

    /// No more than the length of the shortest of `forms()` (in characters, and so in bytes too),
    /// found without building them.
    var shortestForm: Int {
        // The escaped, percent-encoded and whole base64 forms of a secret are no shorter than the
        // secret; the base64 of its whole 3-byte groups inside a longer value may be: 4
        // characters for every group.
        let secretBound = secrets.lazy.map { min($0.count, ($0.utf8.count - 2) / 3 * 4) }.min()
        let derivedBound = derived.lazy.map(\.count).min()
        return max(Self.minimumLength, min(secretBound ?? .max, derivedBound ?? .max))
    }

    /// `text` with each of `forms` (longest first) masked.
    static func redact(_ text: String, forms: [String]) -> String {
        var output = text
        // The mask is ASCII: masking keeps ASCII text ASCII.
        let isASCII = isASCII(text)
        for form in forms where mayContain(output, form, textIsASCII: isASCII) {
            output = output.replacing(form, with: mask)
        }
        return output
    }

    /// Every form to mask, longest first (so a form that contains another is masked whole).
    func forms() -> [String] {
        var forms = Set(derived)
        for secret in secrets { forms.formUnion(SecretForms.of(secret)) }
        return forms.filter { $0.count >= Self.minimumLength }.sorted {
            $0.count != $1.count ? $0.count > $1.count : $0 < $1
        }
    }

    /// A header value as it may be shown: masked for sensitive names, redacted otherwise.
    public func redactHeader(name: String, value: String) -> String {
        Self.sensitiveHeaders.contains(name.lowercased()) ? Self.mask : redact(value)
    }

    /// A body excerpt for an error message: redacted, control characters flattened, at most `limit` characters.
    /// HTML pages (proxies' error pages) are summarised by their title instead.
    ///
    /// The text is redacted before it is cut, so a secret that straddles the limit leaves no
    /// prefix behind.
    public func excerpt(_ bytes: some Collection<UInt8>, limit: Int = 300) -> String {
        let forms = isEmpty ? [] : forms()
        let longest = forms.first?.utf8.count ?? 0
        // Enough bytes for `limit` characters, plus room for a secret that starts inside them.
        let window = limit * 4 + longest
        let isCut = bytes.count > window
        var text = String(decoding: bytes.prefix(window), as: UTF8.self)
        let isASCII = Self.isASCII(text)
        for form in forms where Self.mayContain(text, form, textIsASCII: isASCII) {
            text = text.replacing(form, with: Self.mask)
        }
        if isCut {
            // A secret cut by the window is not masked: drop the tail it may sit in.
            text = String(text.dropLast(longest))
        }
        let lower = text.lowercased()
        if lower.contains("<html") || lower.hasPrefix("<!doctype") {
            let title = lower.firstRange(of: "<title>").flatMap { open in
                lower[open.upperBound...].firstRange(of: "</title>").map { close in
                    String(text[open.upperBound..<close.lowerBound]).trimmingWhitespace()
                }
            }
            return "an HTML page" + (title.map { " titled '\($0.prefix(limit))'" } ?? "") + " (not JSON)"
        }
        let flat = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        return flat.count > limit || isCut ? String(flat.prefix(limit)) + "…" : flat
    }

    /// A URL without its query string and fragment (queries often carry tokens).
    public static func stripQuery(_ url: String) -> String {
        guard let cut = url.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return url }
        return String(url[..<cut])
    }
}
