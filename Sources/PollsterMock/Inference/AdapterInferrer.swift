import PollsterCore

/// Drafts an adapter from recorded exchanges (`pollster infer`).
///
/// Every setting is read from what the recording shows — the submit request and answer, the
/// status requests, the result step, the downloads — and is written explicitly, with a guess
/// that says how sure it is. What the recording cannot tell (a failure word never seen, a secret
/// whose name is unknown) becomes a question, never a silent pick.
///
/// ```swift
/// let fixture = try Fixture.load(path: "Tests/Fixtures/runway/recorded-success.json")
/// let draft = try AdapterInferrer.infer([fixture])
/// print(draft.yaml)
/// ```
public enum AdapterInferrer {
    /// Drafts one method from one or more recordings of it (say, a success and a failure): the
    /// first decides the requests, all of them the status vocabulary.
    /// - Parameters:
    ///   - fixtures: the recordings, the primary first.
    ///   - tool: `inventory.method` for the draft; default the fixture's tool, else one made from the host.
    /// - Throws: `INVALID_INPUT` when there is nothing to infer from or the tool name is malformed.
    public static func infer(_ fixtures: [Fixture], tool: String? = nil) throws(PollsterError) -> AdapterDraft
    {
        guard let primary = fixtures.first else {
            throw PollsterError(.invalidInput, "infer needs at least one fixture (--fixture FILE)")
        }
        var calls: [RecordedCall] = []
        for (index, fixture) in fixtures.enumerated() {
            calls.append(try RecordedCall(fixture, path: "#\(index + 1)"))
        }
        let call = calls[0]
        let base = primary.baseUrl ?? origin(of: call.submit.url)
        let (inventory, method) = try names(tool ?? primary.tool, url: call.submit.url)
        var draft = AdapterDraft(
            inventory: inventory, method: method, baseUrl: base,
            endpoint: relative(call.submit.url, to: base).path, httpMethod: call.submit.method,
            config: AdapterConfig())
        draft.guess(
            "baseUrl", base, primary.baseUrl == nil ? .medium : .high,
            primary.baseUrl == nil ? "origin of the submit URL" : "the recording's base URL")
        draft.guess("endpoint", draft.endpoint, .high, "\(call.submit.method) \(call.submit.url)")
        inferRequest(call, into: &draft)
        let taskId = inferTaskId(call, into: &draft)
        if call.polls.isEmpty {
            draft.questions.append(
                "the recording has no status request: the submit answer is taken as the final result (no polling); "
                    + "if the provider is asynchronous, record a run that polls")
        } else {
            inferPolling(calls, taskId: taskId, into: &draft)
        }
        inferOutputs(call, taskId: taskId, into: &draft)
        return draft
    }

    /// `scheme://host[:port]` of a URL.
    static func origin(of url: String) -> String {
        guard let scheme = url.firstRange(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        return String(url[..<end])
    }

    /// A URL relative to `base` when it starts with it (path and query apart), else absolute.
    static func relative(_ url: String, to base: String) -> (path: String, query: [(String, String)]) {
        var rest = url.hasPrefix(base) ? String(url.dropFirst(base.count)) : url
        if rest.isEmpty || rest.hasPrefix("?") { rest = "/" + rest }
        guard let question = rest.firstIndex(of: "?") else { return (rest, []) }
        let query = rest[rest.index(after: question)...].split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return (
                PercentEncoding.decode(parts[0], plusIsSpace: true) ?? parts[0],
                parts.count > 1 ? PercentEncoding.decode(parts[1], plusIsSpace: true) ?? parts[1] : ""
            )
        }
        return (String(rest[..<question]), query)
    }

    private static func names(_ tool: String?, url: String) throws(PollsterError) -> (String, String) {
        if let tool { return try ToolName.split(tool) }
        let host = origin(of: url).split(separator: "/").last.map(String.init) ?? "provider"
        let label =
            host.split(separator: ".").dropLast(host.contains(".") ? 1 : 0).last.map(String.init)
            ?? "provider"
        let inventory = String(label.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
        return (inventory.isEmpty ? "provider" : inventory, "run")
    }
}
