import OrderedCollections
import PollsterCore

/// The task id, the status request, and how status answers read.
extension AdapterInferrer {
    /// Finds the task id in the submit answer; confirmed when a later request carries it.
    /// - Returns: the id, if the answer holds one (nil when a header gives the status URL).
    static func inferTaskId(_ call: RecordedCall, into draft: inout AdapterDraft) -> String? {
        let firstPoll = call.polls.first.map { $0.url + " " + ($0.requestBody.map(JSONWriter.string) ?? "") }
        if let body = call.submitBody {
            let detected = TaskIdDetector.detect(in: body)
            var candidates = JSONLeaves.of(body).compactMap { leaf -> (JSONPath, String)? in
                guard let text = idText(leaf.value), text.count >= 4, !text.contains("/"),
                    firstPoll?.contains(text) == true
                else {
                    return nil
                }
                return (leaf.path, text)
            }
            if let detected, let index = candidates.firstIndex(where: { $0.1 == detected.value }) {
                candidates.swapAt(0, index)
            }
            let distinct = Set(candidates.map(\.1))
            if let (path, value) = candidates.first {
                draft.config.submit.taskIdPath = path.description
                draft.guess(
                    "submit.taskIdPath", path.description, distinct.count == 1 ? .high : .medium,
                    "'\(value)' is in the answer and in the first status request")
                if distinct.count > 1 {
                    draft.questions.append(
                        "submit.taskIdPath: several answer values appear in the status request (\(candidates.map(\.0.description).joined(separator: ", "))); \(path) was taken"
                    )
                }
                return value
            }
            if let detected, call.polls.isEmpty || headerStatusURL(call) == nil {
                draft.config.submit.taskIdPath = detected.source
                draft.guess(
                    "submit.taskIdPath", detected.source, .medium,
                    "an id field, not seen again in a status request")
                return detected.value
            }
        }
        if let (name, url) = headerStatusURL(call) {
            draft.guess(
                "task id", "last path segment of \(name)", .high, "the 202 answer's \(name) header: \(url)")
            return url.split(separator: "?").first?.split(separator: "/").last.map(String.init)
        }
        draft.questions.append(
            "submit.taskIdPath: no id found in the submit answer; set it, or a status URL that needs none")
        return nil
    }

    /// The status request and the status rules, from the polls of every recording.
    static func inferPolling(_ calls: [RecordedCall], taskId: String?, into draft: inout AdapterDraft) {
        let call = calls[0]
        var polling = PollingConfig(intervalSeconds: 5, maxWaitSeconds: 600)
        draft.guess(
            "polling.intervalSeconds", "5", .low, "not in a recording: set it from the provider's docs")
        inferStatusRequest(call, taskId: taskId, into: &polling, draft: &draft)
        if polling.mode == "location" {
            draft.config.polling = polling
            return
        }
        StatusRules.infer(calls, taskId: taskId, into: &polling, draft: &draft)
        draft.config.polling = polling
    }

    /// Where and how the status is asked for.
    private static func inferStatusRequest(
        _ call: RecordedCall, taskId: String?, into polling: inout PollingConfig, draft: inout AdapterDraft
    ) {
        guard let poll = call.polls.first else { return }
        if let (name, url) = headerStatusURL(call), url == poll.url {
            draft.guess("polling.statusUrl", "(from the \(name) header)", .high, "the first poll went to it")
            if name == "Location" {
                polling.mode = "location"
                draft.guess(
                    "polling.mode", "location", .high, "a 202 with Location: 202 running, 200/201 done")
            }
        } else if let path = JSONLeaves.path(of: .string(poll.url), in: call.submitBody) {
            let detected = StatusURLDetector.detect(
                body: call.submitBody, status: call.submit.status, header: { call.submitHeader($0) })
            if detected?.url.value == poll.url {
                draft.guess("polling.statusUrl", "(detected: \(path))", .high, "the first poll went to it")
            } else {
                polling.statusUrl = "{response.\(path)}"
                draft.guess("polling.statusUrl", polling.statusUrl!, .high, "the first poll went to it")
            }
        } else {
            let relative = relative(poll.url, to: draft.baseUrl)
            var url = relative.path
            if !relative.query.isEmpty {
                url += "?" + relative.query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            }
            let templated = taskId.map { url.replacing($0, with: "{id}") } ?? url
            polling.statusUrl = templated
            draft.guess(
                "polling.statusUrl", templated,
                templated.contains("{id}") || poll.requestBody != nil ? .high : .medium,
                "the first poll: \(poll.method) \(poll.url)")
        }
        if poll.method != "GET" {
            polling.statusMethod = poll.method
            draft.guess("polling.statusMethod", poll.method, .high, "the polls were \(poll.method)s")
        }
        if let body = poll.requestBody {
            let template = statusBodyTemplate(body, taskId: taskId, input: call.fixture.input ?? .object([:]))
            polling.statusBody = template
            draft.guess(
                "polling.statusBody", JSONWriter.string(template), .high, "the polls' body, the id as {id}")
        }
        for (name, value) in poll.requestHeaders.sorted(by: { $0.key < $1.key }) {
            let lower = name.lowercased()
            guard !automaticHeaders.contains(lower), lower != "authorization",
                call.submit.requestHeaders.first(where: { $0.key.lowercased() == lower })?.value != value
            else { continue }
            polling.statusHeaders[name] = value
            draft.guess(
                "polling.statusHeaders.\(name)", value, .high, "the polls sent it, the submit did not")
        }
    }

    /// A poll body with the task id as `{id}` and input values as `{input.x}`.
    static func statusBodyTemplate(_ value: JSONValue, taskId: String?, input: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where text == taskId: return "{id}"
        case .integer(let number) where String(number) == taskId: return "{id}"
        case .object(let members):
            return .object(members.mapValues { statusBodyTemplate($0, taskId: taskId, input: input) })
        case .array(let items):
            return .array(items.map { statusBodyTemplate($0, taskId: taskId, input: input) })
        default: return bodyTemplate(value, input: input)
        }
    }

    /// The status URL a 202 answer's header gave, if the recording followed one.
    static func headerStatusURL(_ call: RecordedCall) -> (name: String, url: String)? {
        guard call.submit.status == 202 else { return nil }
        for name in StatusURLDetector.headerNames {
            if let url = call.submitHeader(name), !url.isEmpty { return (name, url) }
        }
        return nil
    }

    private static func idText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .integer(let number): String(number)
        default: nil
        }
    }
}
