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
        // A request id names the HTTP request in many envelopes (Volcengine: `request_id` beside
        // `data.task_id`): a task-specific name anywhere comes first (a bare `id` does not).
        if case .key(let name)? = path.components.last, requestIdNames.contains(name),
            let (specificPath, specific) = FieldSearch.first(
                in: body, names: specificNames, accept: { idText($0) != nil })
        {
            return Detected(value: idText(specific)!, source: specificPath.description)
        }
        return Detected(value: idText(value)!, source: path.description)
    }

    /// Names of a request's own id: the task id only when no task-specific name is found.
    private static let requestIdNames: Set<String> = ["request_id", "requestId"]
    /// The names that can only mean a job (neither `id` nor a request id).
    private static let specificNames = names.filter { $0 != "id" && !requestIdNames.contains($0) }

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
