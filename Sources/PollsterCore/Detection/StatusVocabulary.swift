/// The default status words (compared lowercased) and the status field names.
public enum StatusVocabulary {
    /// Field names that hold a status value, in order.
    public static let fieldNames = [
        "status", "state", "Status", "State", "JobStatusCode", "job_status", "task_status",
    ]

    /// Boolean fields meaning "finished" when true.
    public static let doneFlags = ["done", "completed", "finished"]

    /// The default words.
    public static let defaults: [String: TaskPhase] = {
        var map: [String: TaskPhase] = [:]
        for word in ["completed", "complete", "succeeded", "success", "done", "finished", "ready"] {
            map[word] = .succeeded
        }
        for word in [
            "failed", "failure", "error", "errored", "rejected", "expired", "timeout", "timed_out",
            "not_found",
        ] {
            map[word] = .failed
        }
        for word in ["canceled", "cancelled", "aborted"] { map[word] = .canceled }
        for word in ["pending", "queued", "in_queue", "waiting", "submitted", "created", "notstarted"] {
            map[word] = .pending
        }
        for word in [
            "starting", "processing", "in_progress", "inprogress", "running", "throttled", "generating",
        ] {
            map[word] = .running
        }
        return map
    }()

    /// Fields whose meaningful presence next to a success status makes it a failure.
    public static let errorFields = ["error", "error_message", "errorMessage", "failure"]

    /// Fields that carry a failure message, in order.
    public static let messageFields = [
        "error", "error_message", "errorMessage", "failure", "failure_reason", "fail_reason", "JobErrorMsg",
        "ErrMsg", "ErrorMessage",
    ]

    /// Fields that carry a failure's code beside its message text (`failureCode: message`).
    public static let failureCodeFields = [
        "failureCode", "failure_code", "error_code", "errorCode", "fail_code",
    ]

    /// Fields that may carry a failure message when none of `messageFields` does.
    public static let genericMessageFields = [
        "message", "Message", "msg", "detail", "reason", "description", "errors",
    ]

    /// Fields that carry progress.
    public static let progressFields = ["progress", "percent", "percentage"]
}
