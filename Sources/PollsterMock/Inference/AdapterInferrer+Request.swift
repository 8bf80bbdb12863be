import Foundation
import OrderedCollections
import PollsterCore

/// The submit request: query, headers, auth and the body template.
extension AdapterInferrer {
    /// Headers the engine or the HTTP client sets itself; never copied into a draft.
    static let automaticHeaders: Set<String> = [
        "content-type", "content-length", "host", "user-agent", "accept-encoding", "connection",
        "x-tc-timestamp", "transfer-encoding",
    ]

    static func inferRequest(_ call: RecordedCall, into draft: inout AdapterDraft) {
        let submitURL = relative(call.submit.url, to: draft.baseUrl)
        for (name, value) in submitURL.query {
            let template = secretTemplate(value, name: name, draft: &draft, key: "query.\(name)")
            draft.config.query[name] = template
            draft.guess("query.\(name)", template, .high, "the submit URL's query")
        }
        for (name, value) in call.submit.requestHeaders.sorted(by: { $0.key < $1.key }) {
            let lower = name.lowercased()
            if automaticHeaders.contains(lower) { continue }
            if lower.contains("idempotency") {
                draft.config.submit.idempotencyHeader = name
                draft.guess("submit.idempotencyHeader", name, .medium, "the submit carried \(name)")
                continue
            }
            if lower == "authorization" {
                inferAuth(value, call: call, into: &draft)
                continue
            }
            let template = secretTemplate(value, name: name, draft: &draft, key: "headers.\(name)")
            draft.config.headers[name] = template
            draft.guess(
                "headers.\(name)", template, template.contains("${") ? .high : .medium,
                template.contains("${") ? "a secret sent as \(name)" : "sent with the submit")
        }
        inferBody(call, into: &draft)
    }

    /// The `Authorization` header as an `auth` block.
    static func inferAuth(_ value: String, call: RecordedCall, into draft: inout AdapterDraft) {
        let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
        let scheme = parts.first ?? ""
        let rest = parts.count > 1 ? parts[1] : ""
        switch scheme {
        case "Bearer":
            let token = secretTemplate(rest, name: "token", draft: &draft, key: "auth.token")
            draft.config.auth = AuthConfig(type: "bearer", token: token)
            draft.guess("auth", "bearer \(token)", .high, "Authorization: Bearer …")
        case "Basic":
            let prefix = secretPrefix(draft)
            draft.config.auth = AuthConfig(
                type: "basic", username: "${\(prefix)_USERNAME}", password: "${\(prefix)_PASSWORD}")
            draft.guess("auth", "basic", .medium, "Authorization: Basic …")
            draft.questions.append(
                "auth.basic: the recording hides the user and password; name the variables that hold them")
        case "TC3-HMAC-SHA256":
            inferTC3(rest, call: call, into: &draft)
        default:
            let template = secretTemplate(value, name: "Authorization", draft: &draft, key: "auth.value")
            draft.config.auth = AuthConfig(type: "header", name: "Authorization", value: template)
            draft.guess(
                "auth", "header Authorization: \(template)", .high, "Authorization with scheme '\(scheme)'")
        }
    }

    /// Tencent Cloud signing: the SecretId and the service come from the credential scope.
    private static func inferTC3(_ fields: String, call: RecordedCall, into draft: inout AdapterDraft) {
        let credential =
            fields.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("Credential=") }?.dropFirst("Credential=".count) ?? ""
        let scope = credential.split(separator: "/").map(String.init)
        var secretId = scope.first ?? ""
        if !secretId.hasPrefix("${") {
            secretId = "${\(secretPrefix(draft))_SECRET_ID}"
            draft.questions.append("auth.secretId: the recording hides its variable; check \(secretId)")
        }
        let idName = String(secretId.dropFirst(2).dropLast())
        let keyName =
            call.fixture.secrets.first { $0 != idName && $0.uppercased().contains("KEY") }
            ?? (idName.hasSuffix("_ID") ? String(idName.dropLast(3)) + "_KEY" : idName + "_KEY")
        let service = scope.count >= 3 ? scope[2] : nil
        draft.config.auth = AuthConfig(
            type: "tc3-hmac-sha256", secretId: secretId, secretKey: "${\(keyName)}", service: service)
        draft.guess(
            "auth", "tc3-hmac-sha256 (service \(service ?? "from the host"))", .high,
            "Authorization: TC3-HMAC-SHA256")
        let keyKnown = call.fixture.secrets.contains(keyName)
        draft.guess(
            "auth.secretKey", "${\(keyName)}", keyKnown ? .high : .low,
            keyKnown ? "a secret the recording used" : "named after \(idName)")
        if !keyKnown {
            draft.questions.append(
                "auth.secretKey: the SecretKey never travels; is it ${\(keyName)}?")
        }
    }

    /// The submit body: the input itself (no template), or a template whose values that equal an
    /// input value read it (`{input.x}`) and whose other values are copied.
    private static func inferBody(_ call: RecordedCall, into draft: inout AdapterDraft) {
        let input = call.fixture.input ?? .object([:])
        guard var body = call.submit.requestBody else {
            if call.submit.method == "POST" || call.submit.method == "PUT" {
                draft.config.body = .object([:])
                draft.guess("body", "{}", .medium, "the submit had no body")
            }
            return
        }
        // Fields that carried the call's client reference were added by a `submit.reconcile` tag,
        // not by the input: they are left out, and said so.
        if let reference = call.fixture.reference, case .object(var members) = body {
            let tags = members.filter { $0.value.stringValue?.contains(reference) == true }.map(\.key)
                .sorted()
            for key in tags { members[key] = nil }
            body = .object(members)
            if let first = tags.first {
                draft.questions.append(
                    "body: \(tags.joined(separator: ", ")) carried the call's client reference (a submit.reconcile tag) and is left out; if the provider lists jobs by it, declare submit.reconcile with tag: { bodyField: \(first) } and its lookup (docs/configuration.md)"
                )
            }
        }
        if body == input {
            draft.guess("body", "(the input as the JSON body)", .high, "the submit body equals the input")
            return
        }
        let template = bodyTemplate(body, input: input)
        draft.config.body = template
        draft.guess("body", JSONWriter.string(template), .medium, "values equal to input fields read them")
        let unused = topLevelKeys(input).filter { !JSONWriter.string(template).contains("{input.\($0)") }
        if !unused.isEmpty {
            draft.questions.append(
                "body: the input's \(unused.joined(separator: ", ")) was not found in the submit body; map it if the provider takes it"
            )
        }
    }

    /// `value` with every subtree equal to an input value replaced by `{input.path}`.
    static func bodyTemplate(_ value: JSONValue, input: JSONValue) -> JSONValue {
        if let path = inputPath(of: value, in: input) { return .string("{input.\(path)}") }
        switch value {
        case .object(let members): return .object(members.mapValues { bodyTemplate($0, input: input) })
        case .array(let items): return .array(items.map { bodyTemplate($0, input: input) })
        default: return value
        }
    }

    /// The unique input path holding `value` (strings and numbers, whole objects and arrays).
    private static func inputPath(of value: JSONValue, in input: JSONValue) -> String? {
        switch value {
        case .null, .bool: return nil
        case .string(let text) where text.isEmpty: return nil
        default: break
        }
        let matches = JSONLeaves.all(input).filter { !$0.path.components.isEmpty && $0.value == value }
        guard matches.count == 1 else { return nil }
        return matches[0].path.description
    }

    private static func topLevelKeys(_ input: JSONValue) -> [String] {
        Array((input.objectValue ?? [:]).keys)
    }

    /// A recorded value as a template: a `${NAME}` placeholder stays; a value that was masked
    /// without a name gets a made-up variable and a question.
    static func secretTemplate(_ value: String, name: String, draft: inout AdapterDraft, key: String)
        -> String
    {
        guard value.contains(Redactor.mask) else { return value }
        let suffix = String(name.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        let variable = "${\(secretPrefix(draft))_\(suffix)}"
        draft.questions.append(
            "\(key): the recording masked this value; set \(variable) or name the right variable")
        return value.replacing(Redactor.mask, with: variable)
    }

    /// The prefix of made-up variable names: the inventory, upper-cased.
    static func secretPrefix(_ draft: AdapterDraft) -> String {
        String(draft.inventory.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
