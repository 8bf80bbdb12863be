import Foundation
import PollsterCore
import Testing

/// `Redactor` masks every form a secret takes in a body, a header or a URL (issue 12).
@Suite("Redactor")
struct RedactorTests {
    /// A canary with every character that changes under some encoding: `/`, `"`, `\`, space,
    /// `+`, `&`, `=` and non-ASCII.
    static let canary = #"c4n4ry/Sécr3t "q" \x+y&z=1"#
    static let redactor = Redactor(secrets: [canary])

    /// How a provider (or a proxy) may echo the canary.
    enum Form: String, CaseIterable, CustomTestStringConvertible {
        case raw, jsonFoundation, jsonWriter, jsonUnicodeEscapes, jsonUppercaseUnicode
        case percentUpper, percentLower, percentForm, percentFoundationQuery
        case base64, base64Unpadded, base64URLSafe

        var testDescription: String { rawValue }

        var text: String {
            let secret = RedactorTests.canary
            switch self {
            case .raw: return secret
            case .jsonFoundation:
                // JSONEncoder escapes `/` as `\/`.
                let data = try! JSONEncoder().encode([secret])
                return String(decoding: data.dropFirst(2).dropLast(2), as: UTF8.self)
            case .jsonWriter:
                let text = JSONValue.string(secret).description
                return String(text.dropFirst().dropLast())
            case .jsonUnicodeEscapes:
                return #"c4n4ry\/S\u00e9cr3t \"q\" \\x+y&z=1"#
            case .jsonUppercaseUnicode:
                return #"c4n4ry/S\u00E9cr3t \"q\" \\x+y&z=1"#
            case .percentUpper: return PercentEncoding.encode(secret)
            case .percentLower:
                return PercentEncoding.encode(secret).replacing(/%[0-9A-F]{2}/) { $0.output.lowercased() }
            case .percentForm:
                return PercentEncoding.encode(secret).replacingOccurrences(of: "%20", with: "+")
            case .percentFoundationQuery:
                var allowed = CharacterSet.alphanumerics
                allowed.insert(charactersIn: "-._~")
                return secret.addingPercentEncoding(withAllowedCharacters: allowed)!
            case .base64: return Data(secret.utf8).base64EncodedString()
            case .base64Unpadded:
                return Data(secret.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            case .base64URLSafe:
                return Data(secret.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                    .replacingOccurrences(of: "/", with: "_")
            }
        }
    }

    @Test("each derived form of a secret is masked", arguments: Form.allCases)
    func derivedForm(_ form: Form) {
        let text = "error: {\"echo\": \"\(form.text)\"} at /v1/jobs"
        let redacted = Self.redactor.redact(text)
        #expect(!redacted.contains(form.text))
        #expect(redacted == "error: {\"echo\": \"\(Redactor.mask)\"} at /v1/jobs")
    }

    @Test(
        "a secret inside a longer base64 value (Basic user:password) leaves at most a few characters",
        arguments: ["a", "ab", "api", "user:", "me:"])
    func basicPair(user: String) {
        let header = "Basic " + Data("\(user):\(Self.canary)".utf8).base64EncodedString()
        let redacted = Self.redactor.redact(header)
        #expect(redacted.contains(Redactor.mask))
        // Around the mask only the groups that mix the secret with its neighbours remain: the
        // user name, ':' and at most two secret bytes before it, at most two bytes after.
        let parts = redacted.dropFirst("Basic ".count).split(
            separator: Redactor.mask, omittingEmptySubsequences: false)
        #expect(parts.count == 2, "\(redacted)")
        #expect(parts.first.map { $0.count <= 4 * ((user.count + 1 + 2 + 2) / 3) } == true, "\(redacted)")
        #expect(parts.last.map { $0.count <= 4 } == true, "\(redacted)")
    }

    @Test("the exact Basic credentials of a method are masked whole")
    func basicMethod() throws {
        let yaml: JSONValue = [
            "name": "m", "endpoint": "https://api.test/x",
            "adapterConfig": ["auth": ["type": "basic", "username": "svc", "password": "${PASSWORD}"]],
        ]
        let config = try JSONDecoder().decode(MethodConfig.self, from: Data(JSONWriter.bytes(yaml)))
        let plan = try MethodPlan(method: config, baseUrl: nil)
        let redactor = Redactor(method: plan, secrets: Secrets(["PASSWORD": "pa55-w0rd-long"]))
        let header = "Basic " + Data("svc:pa55-w0rd-long".utf8).base64EncodedString()
        #expect(redactor.redact("sent \(header)") == "sent Basic \(Redactor.mask)")
    }

    @Test("a secret straddling the excerpt limit leaves no prefix of 4 characters or more")
    func straddlingLimit() {
        for offset in 1...Self.canary.count {
            let body = String(repeating: "x", count: 300 - offset) + Self.canary + " and more text"
            let excerpt = Self.redactor.excerpt(Array(body.utf8), limit: 300)
            #expect(!excerpt.contains(String(Self.canary.prefix(4))), "offset \(offset): \(excerpt)")
        }
    }

    @Test("a secret cut by the bytes read for an excerpt is not shown either")
    func straddlingWindow() {
        // Masks are shorter than the 60-byte secret, so 19 masked copies leave room for the 20th's
        // prefix within the 300 characters if it is cut before being masked.
        let secret = String(repeating: "0123456789", count: 6)
        let redactor = Redactor(secrets: [secret])
        let body = "zz" + String(repeating: secret, count: 20) + " tail"
        let excerpt = redactor.excerpt(Array(body.utf8), limit: 300)
        #expect(!excerpt.contains("0123"), "\(excerpt)")
    }

    /// Where a secret sits in a string, and what the string becomes. ASCII strings are searched
    /// byte by byte, others with `String.contains`' Unicode rules: both must mask the same.
    static let placements: [(text: String, redacted: String)] = [
        ("tok-12345", "[REDACTED]"),
        ("Bearer tok-12345", "Bearer [REDACTED]"),
        ("tok-12345 and tok-12345.", "[REDACTED] and [REDACTED]."),
        ("https://x.example/v1/tok-12345/status", "https://x.example/v1/[REDACTED]/status"),
        ("tok-1234", "tok-1234"),
        ("xtok-1234", "xtok-1234"),
        ("", ""),
        (
            "no secret here at all, only a longer ordinary sentence",
            "no secret here at all, only a longer ordinary sentence"
        ),
        ("écho: tok-12345", "écho: [REDACTED]"),
        ("日本語 tok-12345 日本語", "日本語 [REDACTED] 日本語"),
        ("écho sans secret", "écho sans secret"),
        // U+212A KELVIN SIGN is canonically equivalent to K: Swift's strings match it.
        ("\u{212A}ey-98765", "[REDACTED]"),
        // A secret followed by a combining accent is not the same characters any more.
        ("tok-12345\u{301}", "tok-12345\u{301}"),
    ]

    @Test("a secret is masked wherever it sits in ASCII and non-ASCII strings", arguments: placements)
    func placement(_ text: String, _ redacted: String) {
        let redactor = Redactor(secrets: ["tok-12345", "Key-98765"])
        #expect(redactor.redact(text) == redacted)
        #expect(redactor.redact(JSONValue.array([.string(text)])) == .array([.string(redacted)]))
    }

    @Test(
        "every form of a secret is masked on its own, the shortest included",
        arguments: [
            "abcd", "abcdef", "0123456789", "Sécr3t-ü/+", #"q"uo\te"#, String(repeating: "k", count: 40),
        ])
    func everyFormAlone(_ secret: String) {
        let redactor = Redactor(secrets: [secret])
        let forms = SecretForms.of(secret).filter { $0.count >= 4 }
        if secret == "0123456789" {
            // The base64 of its bytes 3–8, as inside a longer value: 8 characters, fewer than its 10.
            #expect(forms.contains("MjM0NTY3"))
        }
        for form in forms {
            #expect(redactor.redact(form) == Redactor.mask, "\(form)")
        }
    }

    @Test("short values and ordinary text are left alone")
    func shortValues() {
        let redactor = Redactor(secrets: ["abc", ""])
        #expect(redactor.redact("abc abc") == "abc abc")
        #expect(Self.redactor.redact("nothing secret here") == "nothing secret here")
    }
}
