import PollsterCore

/// Infers how status answers read: the status path, the words or codes it holds and what each
/// means, the error message path and the progress path.
///
/// What a value means comes from what happened after it: the last value of a recording that
/// downloaded outputs is success, the last one of a recording without outputs is failure (or
/// canceled when the answer says so), every earlier value is running. Values the default
/// vocabulary already reads that way need no entry; the others go into `statusMap`.
enum StatusRules {
    /// Status field names the search looks for, lowercased.
    static let statusNames: Set<String> = ["status", "state", "jobstatuscode", "job_status", "task_status"]

    static func infer(
        _ calls: [RecordedCall], taskId: String?, into polling: inout PollingConfig, draft: inout AdapterDraft
    ) {
        let primary = calls[0]
        guard let (path, confidence, evidence) = statusPath(primary, taskId: taskId) else {
            draft.questions.append(
                "polling.statusPath: no status field found in the status answers; set statusPath or acceptors"
            )
            return
        }
        polling.statusPath = path.description
        draft.guess("polling.statusPath", path.description, confidence, evidence)
        var meanings: [String: (phase: String, evidence: String)] = [:]
        var conflicts: [(value: String, calls: [RecordedCall])] = []
        var owners: [String: RecordedCall] = [:]
        for (index, call) in calls.enumerated() {
            let id = index == 0 ? taskId : otherTaskId(call, draft: draft)
            for (value, phase, why) in observations(call, path: path, taskId: id) {
                if let known = meanings[value], known.phase != phase {
                    if let owner = owners[value] { conflicts.append((value, [owner, call])) }
                    continue
                }
                meanings[value] = (phase, why)
                owners[value] = call
            }
        }
        var statusMap: [String: String] = [:]
        for (value, meaning) in meanings.sorted(by: { $0.key < $1.key }) {
            let reading = StatusVocabulary.defaults[value.lowercased()].map(word)
            if reading == meaning.phase || (reading == "running" && meaning.phase == "running") { continue }
            statusMap[value] = meaning.phase
            draft.guess("polling.statusMap.\(value)", meaning.phase, .medium, meaning.evidence)
        }
        if !statusMap.isEmpty {
            polling.statusMap = statusMap
            if !meanings.values.contains(where: { $0.phase == "failure" }) {
                draft.questions.append(
                    "polling.statusMap: no failure was recorded, so the value meaning failure is unknown; record one and pass both fixtures"
                )
            }
        }
        MessageRules.infer(calls, taskId: taskId, statusPath: path, into: &polling, draft: &draft)
        for (value, pair) in conflicts {
            ConflictRule.infer(value: value, calls: pair, taskId: taskId, into: &polling, draft: &draft)
        }
    }

    /// The status path: what the default rules read in the last answer, else a field named like a
    /// status whose value changed between polls.
    static func statusPath(_ call: RecordedCall, taskId: String?) -> (
        JSONPath, AdapterDraft.Confidence, String
    )? {
        let bodies = call.pollBodies
        guard let last = bodies.last else { return nil }
        let reading = StatusClassifier.defaults.bound(taskId: taskId).classify(last)
        if let found = reading.statusPath, reading.rule != "no status field found",
            let path = try? JSONPath(parsing: found), path.firstValue(in: last)?.scalarText != nil
        {
            return (
                JSONLeaves.general(path, taskId: taskId), .high, "the default search reads it in every answer"
            )
        }
        var candidates: [JSONPath] = []
        for body in bodies {
            for leaf in JSONLeaves.of(body) {
                guard case .key(let key)? = leaf.path.components.last, statusNames.contains(key.lowercased())
                else { continue }
                let general = JSONLeaves.general(leaf.path, taskId: taskId)
                if !candidates.contains(general) { candidates.append(general) }
            }
        }
        let changing = candidates.filter { path in
            Set(bodies.compactMap { path.binding(taskId: taskId).firstValue(in: $0)?.scalarText }).count > 1
        }
        guard
            let chosen = (changing.isEmpty ? candidates : changing).min(by: {
                $0.components.count < $1.components.count
            })
        else { return nil }
        let name = JSONPath(Array(chosen.components.suffix(1))).description
        return (chosen, .medium, "a field named '\(name)' that changed between polls")
    }

    /// Each status value a recording shows, with what it meant.
    private static func observations(_ call: RecordedCall, path: JSONPath, taskId: String?) -> [(
        String, String, String
    )] {
        let bound = path.binding(taskId: taskId)
        let values = call.pollBodies.compactMap { bound.firstValue(in: $0)?.scalarText }
        guard let last = values.last else { return [] }
        var output: [(String, String, String)] = []
        for value in values.dropLast() where value != last {
            output.append((value, "running", "seen before the last poll"))
        }
        let changed = values.contains { $0 != last }
        if !call.downloads.isEmpty {
            output.append((last, "success", "the last status, after which outputs were downloaded"))
        } else if changed || call.pollBodies.count == 1 {
            let text = (call.terminalBody.map(JSONWriter.string) ?? "").lowercased()
            let canceled = last.lowercased().contains("cancel") || text.contains("cancel")
            output.append(
                (
                    last, canceled ? "canceled" : "failure",
                    "the last status; no output followed" + (canceled ? ", the answer says canceled" : "")
                ))
        }
        return output
    }

    /// The task id of another recording, read where the primary's was.
    static func otherTaskId(_ call: RecordedCall, draft: AdapterDraft) -> String? {
        if let path = draft.config.submit.taskIdPath.flatMap({ try? JSONPath(parsing: $0) }) {
            return call.submitBody.flatMap { path.firstValue(in: $0)?.scalarText }
        }
        return AdapterInferrer.headerStatusURL(call)?.url.split(separator: "?").first?.split(separator: "/")
            .last
            .map(String.init)
    }

    /// A default phase as a `statusMap` word.
    static func word(_ phase: TaskPhase) -> String {
        switch phase {
        case .succeeded: "success"
        case .failed: "failure"
        case .canceled: "canceled"
        default: "running"
        }
    }
}
