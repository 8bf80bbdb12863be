import PollsterCore

/// Infers where a failure's message and the progress are.
enum MessageRules {
    /// Key fragments (lowercased) of fields that carry a failure message, most telling first.
    static let messageFragments = ["msg", "message", "error", "reason", "fail", "detail"]

    static func infer(
        _ calls: [RecordedCall], taskId: String?, statusPath: JSONPath, into polling: inout PollingConfig,
        draft: inout AdapterDraft
    ) {
        let parent = JSONPath(Array(statusPath.components.dropLast()))
        let failures = calls.filter { $0.downloads.isEmpty }
        if let call = failures.first, let body = call.terminalBody {
            let id =
                call.submitBody == calls[0].submitBody ? taskId : StatusRules.otherTaskId(call, draft: draft)
            if let leaf = messageLeaf(in: body, parent: parent, taskId: id, meaningful: true) {
                polling.errorPath = leaf.description
                draft.guess(
                    "polling.errorPath", leaf.description, .high, "the failed answer's message is there")
            }
        } else if let body = calls[0].terminalBody,
            let leaf = messageLeaf(in: body, parent: parent, taskId: taskId, meaningful: false)
        {
            draft.questions.append(
                "polling.errorPath: no failure was recorded; is the message at \(leaf)? (empty in the success answer)"
            )
        }
        inferProgress(calls[0], taskId: taskId, into: &polling, draft: &draft)
    }

    /// The message-like field nearest to the status: inside the status's object first.
    static func messageLeaf(in body: JSONValue, parent: JSONPath, taskId: String?, meaningful: Bool)
        -> JSONPath?
    {
        let leaves = JSONLeaves.all(body).filter { leaf in
            guard case .key(let key)? = leaf.path.components.last else { return false }
            let lower = key.lowercased()
            guard messageFragments.contains(where: { lower.contains($0) }),
                !StatusRules.statusNames.contains(lower)
            else {
                return false
            }
            switch leaf.value {
            case .string(let text):
                return meaningful ? !text.isEmpty && text.lowercased() != "success" : text.isEmpty
            case .null: return !meaningful
            default: return false
            }
        }
        let general = leaves.map { JSONLeaves.general($0.path, taskId: taskId) }
        func rank(_ path: JSONPath) -> (Int, Int, Int) {
            let inside = path.components.starts(with: parent.components) ? 0 : 1
            let key: String = if case .key(let key)? = path.components.last { key.lowercased() } else { "" }
            let fragment = messageFragments.firstIndex(where: { key.contains($0) }) ?? messageFragments.count
            return (inside, fragment, path.components.count)
        }
        return general.min { rank($0) < rank($1) }
    }

    /// A numeric progress field the default rules do not read.
    private static func inferProgress(
        _ call: RecordedCall, taskId: String?, into polling: inout PollingConfig, draft: inout AdapterDraft
    ) {
        for body in call.pollBodies {
            guard StatusClassifier.defaults.classify(body).progress == nil else { continue }
            let found = JSONLeaves.of(body).first { leaf in
                guard case .key(let key)? = leaf.path.components.last, leaf.value.doubleValue != nil else {
                    return false
                }
                return key.lowercased().contains("progress") || key.lowercased().contains("percent")
            }
            if let found {
                let path = JSONLeaves.general(found.path, taskId: taskId).description
                polling.progressPath = path
                draft.guess("polling.progressPath", path, .medium, "a number named like progress")
                return
            }
        }
    }
}
