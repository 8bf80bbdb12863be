/// Finds the provider's task id in a submit response.
public enum TaskIdDetector {
    /// Field names that hold a task id, in order of preference.
    public static let names = [
        "id", "request_id", "requestId", "video_id", "videoId", "task_id", "taskId", "job_id", "jobId",
        "prediction_id", "predictionId", "operation_id", "JobId", "TaskId", "history_record_id",
    ]

    /// The task id and the path it came from; an explicit path wins over detection.
    public static func detect(in body: JSONValue, explicitPath: JSONPath? = nil) -> Detected<String>? {
        if let explicitPath {
            guard let value = explicitPath.firstValue(in: body), let text = idText(value) else { return nil }
            return Detected(value: text, source: "\(explicitPath) (submit.taskIdPath)")
        }
        guard let (path, value) = FieldSearch.first(in: body, names: names, accept: { idText($0) != nil })
        else {
            return nil
        }
        // A request id at the top level names the HTTP request in many envelopes (Volcengine:
        // `request_id` beside `data.task_id`): a specific id in a container comes first.
        if path.components.count == 1, case .key(let name) = path.components[0],
            requestIdNames.contains(name),
            let (inner, specific) = FieldSearch.first(
                in: body, names: names.filter { !requestIdNames.contains($0) }, accept: { idText($0) != nil }),
            inner.components.count > 1
        {
            return Detected(value: idText(specific)!, source: inner.description)
        }
        return Detected(value: idText(value)!, source: path.description)
    }

    /// Names of a request's own id: the task id only when no container holds a more specific one.
    private static let requestIdNames: Set<String> = ["request_id", "requestId"]

    private static func idText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text) where !text.trimmingWhitespace().isEmpty: text
        case .integer(let number): String(number)
        default: nil
        }
    }
}

/// A detected value and where it came from (a JSON path, a header, a rule).
public struct Detected<Value: Sendable & Equatable>: Sendable, Equatable {
    /// The value.
    public var value: Value
    /// Where it came from, for `explain` and the detection report.
    public var source: String

    /// A detected value.
    public init(value: Value, source: String) {
        self.value = value
        self.source = source
    }
}
