import OrderedCollections
import Pollster
import PollsterCore

/// How a recorded invocation ended, stored as a fixture's `outcome` so that a replay can be
/// checked against it.
///
/// ```json
/// {"state": "succeeded", "taskId": "…", "files": [{"url": "…", "mimeType": "video/mp4", "size": 4096, "sha256": "…"}]}
/// {"state": "failed", "code": "TASK_FAILED", "taskId": "…", "message": "…"}
/// ```
public struct FixtureOutcome: Sendable, Equatable {
    /// One output file.
    public struct File: Sendable, Equatable {
        /// The output URL (redacted as in the fixture).
        public var url: String
        /// The MIME type.
        public var mimeType: String
        /// Bytes downloaded when recorded (a replay serves none).
        public var size: Int?
        /// SHA-256 (hex) of the bytes when recorded.
        public var sha256: String?
    }

    /// `succeeded`, `failed`, `canceled`, `timed_out` or `error`.
    public var state: String
    /// The error code, when it did not succeed.
    public var code: String?
    /// The provider's task id.
    public var taskId: String?
    /// The output files.
    public var files: [File]
    /// The error message (redacted).
    public var message: String?

    /// The outcome of an invocation, with URLs and message passed through `redactor`.
    public init(_ result: Result<ToolResult, PollsterError>, redactor: FixtureRedactor) {
        switch result {
        case .success(let result):
            state = "succeeded"
            taskId = result.taskId.map(redactor.text)
            files = result.files.map {
                File(url: redactor.url($0.url), mimeType: $0.mimeType, size: $0.size, sha256: $0.sha256)
            }
        case .failure(let error):
            state =
                switch error.code {
                case .taskFailed: "failed"
                case .taskCanceled: "canceled"
                case .pollingTimeout: "timed_out"
                default: "error"
                }
            code = error.code.rawValue
            taskId = error.taskId.map(redactor.text)
            files = []
            message = redactor.text(error.message)
        }
    }

    /// The outcome stored in a fixture, if it has one.
    public init?(json: JSONValue?) {
        guard let json, let state = json["state"]?.stringValue else { return nil }
        self.state = state
        code = json["code"]?.stringValue
        taskId = json["taskId"]?.scalarText
        message = json["message"]?.stringValue
        files = (json["files"]?.arrayValue ?? []).compactMap { file in
            guard let url = file["url"]?.stringValue else { return nil }
            let size: Int? = if case .integer(let bytes)? = file["size"] { Int(bytes) } else { nil }
            return File(
                url: url, mimeType: file["mimeType"]?.stringValue ?? "", size: size,
                sha256: file["sha256"]?.stringValue)
        }
    }

    /// The fixture's `outcome` member.
    public var json: JSONValue {
        var members: OrderedDictionary<String, JSONValue> = ["state": .string(state)]
        if let code { members["code"] = .string(code) }
        if let taskId { members["taskId"] = .string(taskId) }
        if let message { members["message"] = .string(message) }
        if state == "succeeded" {
            members["files"] = .array(
                files.map { file in
                    var entry: OrderedDictionary<String, JSONValue> = [
                        "url": .string(file.url), "mimeType": .string(file.mimeType),
                    ]
                    if let size = file.size { entry["size"] = .integer(Int64(size)) }
                    if let sha256 = file.sha256 { entry["sha256"] = .string(sha256) }
                    return .object(entry)
                })
        }
        return .object(members)
    }

    /// How a replay's outcome differs from this recorded one: state, code, task id and each
    /// output's URL and MIME type (a replay has no file bytes, so sizes are not compared).
    /// Empty when they agree.
    public func differences(from replayed: FixtureOutcome) -> [String] {
        var differences: [String] = []
        if state != replayed.state {
            differences.append("state: recorded \(state), replayed \(replayed.state)")
        }
        if code != replayed.code {
            differences.append("code: recorded \(code ?? "none"), replayed \(replayed.code ?? "none")")
        }
        if taskId != replayed.taskId {
            differences.append("task id: recorded \(taskId ?? "none"), replayed \(replayed.taskId ?? "none")")
        }
        let recordedFiles = files.map { "\($0.url) (\($0.mimeType))" }
        let replayedFiles = replayed.files.map { "\($0.url) (\($0.mimeType))" }
        if recordedFiles != replayedFiles {
            differences.append("files: recorded \(recordedFiles), replayed \(replayedFiles)")
        }
        return differences
    }
}
