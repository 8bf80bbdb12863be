import Foundation
import OrderedCollections
import PollsterCore

/// Makes a recorded exchange safe to commit: every secret is replaced by a stable placeholder.
///
/// - A configured secret's value, in any encoding a provider may echo it in (raw, JSON-escaped,
///   percent-encoded, base64), becomes `${NAME}`: the same reference an adapter would hold, so a
///   drafted adapter can copy it and a replay can map its own values back to it.
/// - `Authorization`, `Cookie`, API-key and the other sensitive headers keep only their scheme
///   word (`Bearer`, `Key`, `TC3-HMAC-SHA256 Credential=${ID}/…/tc3_request`) and cookie names;
///   whatever else they carry is `[REDACTED]`, as is a signature's `Signature=` (TC3, Volcengine).
/// - URLs anywhere (request URLs, headers such as `Location`, strings in bodies) lose user-info
///   and credential-like query values (`X-Amz-Signature`, `q-sign-*`, `token`, `sig`, …).
///
/// ```swift
/// let redactor = FixtureRedactor(secrets: ["HEYGEN_API_KEY": "k-123456"])
/// redactor.header(name: "X-Api-Key", value: "k-123456")  // "${HEYGEN_API_KEY}"
/// ```
public struct FixtureRedactor: Sendable {
    /// Every form of every secret value, longest first, with its placeholder.
    private let forms: [(form: String, placeholder: String)]

    /// A redactor for the given secrets (name → value); values shorter than 4 characters are
    /// ignored, as they would garble ordinary text.
    /// - Parameters:
    ///   - secrets: the configured secrets, by environment name.
    ///   - derived: values computed from secrets (the base64 of a Basic pair), masked as `[REDACTED]`.
    public init(secrets: [String: String], derived: [String] = []) {
        var forms: [String: String] = [:]
        for value in derived where value.count >= 4 { forms[value] = Redactor.mask }
        for (name, value) in secrets.sorted(by: { $0.key < $1.key }) where value.count >= 4 {
            // Each form also percent-encoded once more: a provider may echo an encoded query string
            // encoded again.
            let once = SecretForms.of(value)
            for form in once.union(once.map(PercentEncoding.encode)) where form.count >= 4 {
                forms[form] = "${\(name)}"
            }
        }
        self.forms = forms.map { (form: $0.key, placeholder: $0.value) }.sorted {
            $0.form.count != $1.form.count ? $0.form.count > $1.form.count : $0.form < $1.form
        }
    }

    /// `text` with every secret form replaced by its placeholder.
    public func text(_ text: String) -> String {
        var output = text
        for (form, placeholder) in forms where output.contains(form) {
            output = output.replacing(form, with: placeholder)
        }
        return output
    }

    /// A URL with secrets replaced, then user-info and credential-like query values masked
    /// (placeholders such as `${NAME}` are kept).
    public func url(_ url: String) -> String {
        URLCredentials.mask(text(url), keepingPlaceholders: true)
    }

    /// A header value as it may be recorded.
    public func header(name: String, value: String) -> String {
        let value = text(value)
        let lower = name.lowercased()
        if lower == "cookie" || lower == "set-cookie" { return Self.cookie(value) }
        if Redactor.sensitiveHeaders.contains(lower) { return Self.credential(value) }
        if value.hasPrefix("http://") || value.hasPrefix("https://") || value.hasPrefix("/") {
            return url(value)
        }
        return value
    }

    /// A JSON value with every string redacted (URLs as URLs), keys included.
    public func json(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let string):
            let redacted = text(string)
            return .string(Self.isURL(redacted) ? url(redacted) : redacted)
        case .array(let items): return .array(items.map(json))
        case .object(let members):
            var output: OrderedDictionary<String, JSONValue> = [:]
            for (key, member) in members { output[text(key)] = json(member) }
            return .object(output)
        default: return value
        }
    }

    /// A credential header: the scheme word, placeholders and a signature's credential scope
    /// stay; the rest goes.
    static func credential(_ value: String) -> String {
        for algorithm in ["TC3-HMAC-SHA256", "HMAC-SHA256"] where value.hasPrefix(algorithm + " ") {
            return signature(value, algorithm: algorithm)
        }
        let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
        if parts.count == 2, parts[0].allSatisfy(\.isLetter) {
            return parts[0] + " " + (isPlaceholder(parts[1]) ? parts[1] : Redactor.mask)
        }
        return isPlaceholder(value) ? value : Redactor.mask
    }

    /// `ALGORITHM Credential=ID/date/…/tc3_request, SignedHeaders=…, Signature=…` (TC3,
    /// Volcengine) with the signature masked and the id kept only as a placeholder.
    static func signature(_ value: String, algorithm: String) -> String {
        let fields = value.dropFirst(algorithm.count + 1).split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let kept = fields.map { field -> String in
            if field.hasPrefix("Signature=") { return "Signature=" + Redactor.mask }
            if field.hasPrefix("Credential=") {
                var scope = field.dropFirst("Credential=".count).split(separator: "/").map(String.init)
                if let id = scope.first, !isPlaceholder(id) { scope[0] = Redactor.mask }
                return "Credential=" + scope.joined(separator: "/")
            }
            return field
        }
        return algorithm + " " + kept.joined(separator: ", ")
    }

    /// Cookie pairs with their names kept and values masked unless they are placeholders.
    static func cookie(_ value: String) -> String {
        value.split(separator: ";").map { pair -> String in
            let pair = pair.trimmingCharacters(in: .whitespaces)
            guard let equals = pair.firstIndex(of: "=") else { return pair }
            let cookieValue = String(pair[pair.index(after: equals)...])
            return String(pair[...equals]) + (isPlaceholder(cookieValue) ? cookieValue : Redactor.mask)
        }.joined(separator: "; ")
    }

    private static func isPlaceholder(_ text: String) -> Bool {
        text.hasPrefix("${") && text.hasSuffix("}") && !text.dropFirst(2).dropLast().contains("}")
    }

    private static func isURL(_ text: String) -> Bool {
        text.hasPrefix("http://") || text.hasPrefix("https://")
    }
}
