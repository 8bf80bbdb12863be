import Foundation
import OrderedCollections
import PollsterCore

/// Writes an ``AdapterDraft`` as an adapter YAML file: each guess as a comment above its key,
/// the questions at the top, and detected behaviour that needs no key listed there too.
enum DraftYAML {
    /// Keys whose values are written as one line of JSON (flow style).
    static let flowKeys: Set<String> = ["body", "statusBody", "acceptors", "paths", "query"]

    /// The order of known keys; others follow alphabetically.
    static let order = [
        "headers", "query", "auth", "body", "submit", "polling", "result", "output", "type", "token", "name",
        "value", "username", "password", "secretId", "secretKey", "service", "taskIdPath",
        "idempotencyHeader",
        "statusUrl", "statusMethod", "statusHeaders", "statusBody", "mode", "statusPath", "statusMap",
        "acceptors", "errorPath", "progressPath", "intervalSeconds", "maxWaitSeconds", "url", "method",
        "paths",
    ]

    static func render(_ draft: AdapterDraft) -> String {
        var guesses: [String: [AdapterDraft.Guess]] = [:]
        for guess in draft.guesses { guesses[guess.key, default: []].append(guess) }
        let config = json(draft.config)
        var lines = [
            "# Drafted by `pollster infer` from a recording. Each guess is marked [high|medium|low]",
            "# confidence; answer every QUESTION, then validate (`pollster validate`) and replay.",
        ]
        for question in draft.questions { lines.append("# QUESTION: \(question)") }
        let placed = Set(paths(of: config)).union(["baseUrl", "endpoint"])
        for guess in draft.guesses where !placed.contains(guess.key) {
            lines.append("# \(guess.key): \(guess.value) [\(guess.confidence.rawValue)] — \(guess.evidence)")
        }
        lines.append("inventory: \(quoted(draft.inventory))")
        lines += comments(guesses["baseUrl"], indent: "")
        lines.append("baseUrl: \(quoted(draft.baseUrl))")
        lines.append("methods:")
        lines.append("  - name: \(quoted(draft.method))")
        lines += comments(guesses["endpoint"], indent: "    ")
        lines.append("    endpoint: \(quoted(draft.endpoint))")
        lines.append("    httpMethod: \(draft.httpMethod)")
        lines.append("    adapterConfig:")
        block(config, path: [], indent: "      ", guesses: guesses, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func block(
        _ value: JSONValue, path: [String], indent: String, guesses: [String: [AdapterDraft.Guess]],
        into lines: inout [String]
    ) {
        guard case .object(let members) = value else { return }
        for key in members.keys.sorted(by: { rank($0) < rank($1) }) {
            let member = members[key]!
            let keyPath = path + [key]
            lines += comments(guesses[keyPath.joined(separator: ".")], indent: indent)
            if case .object(let inner) = member, !inner.isEmpty, !flowKeys.contains(key) {
                lines.append("\(indent)\(yamlKey(key)):")
                block(member, path: keyPath, indent: indent + "  ", guesses: guesses, into: &lines)
            } else {
                lines.append("\(indent)\(yamlKey(key)): \(JSONWriter.string(member))")
            }
        }
    }

    private static func comments(_ guesses: [AdapterDraft.Guess]?, indent: String) -> [String] {
        (guesses ?? []).map { "\(indent)# [\($0.confidence.rawValue)] \($0.evidence)" }
    }

    /// Every key path of a config, dotted.
    private static func paths(of value: JSONValue, prefix: String = "") -> [String] {
        guard case .object(let members) = value else { return [] }
        return members.flatMap { key, member in
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            return [path] + paths(of: member, prefix: path)
        }
    }

    private static func rank(_ key: String) -> (Int, String) {
        (order.firstIndex(of: key) ?? order.count, key)
    }

    private static func yamlKey(_ key: String) -> String {
        let plain =
            key.first.map { $0.isLetter || $0 == "_" } == true
            && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        return plain ? key : quoted(key)
    }

    private static func quoted(_ text: String) -> String { JSONWriter.string(.string(text)) }

    /// A config as JSON, defaults left out. `JSONEncoder` keeps no member order, so keys are
    /// sorted: the same draft always writes the same flow values (`body: {…}`).
    static func json(_ config: AdapterConfig) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(config), let value = try? JSONParser.parse(Array(data)) else {
            return .object([:])
        }
        return value
    }
}
