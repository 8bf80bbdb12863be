/// How a run was understood: which path or header gave the id, the status URL, the
/// status and the outputs. Shown by `pollster explain` and carried in every result.
public struct DetectionReport: Sendable, Equatable, Codable {
    /// Where the task id came from.
    public var taskId: String?
    /// Where the status URL came from (`config polling.statusUrl`, a body path or a header).
    public var statusUrl: String?
    /// The status field path of the last status response.
    public var statusPath: String?
    /// The rule that decided the final phase.
    public var statusRule: String?
    /// Paths of the outputs.
    public var outputs: [String]
    /// Status values seen that no rule recognised.
    public var unknownStatuses: [String]
    /// Why the result step was skipped (`result.optional`), when it was.
    public var resultStep: String?

    /// An empty report.
    public init(
        taskId: String? = nil, statusUrl: String? = nil, statusPath: String? = nil, statusRule: String? = nil,
        outputs: [String] = [], unknownStatuses: [String] = [], resultStep: String? = nil
    ) {
        self.taskId = taskId
        self.statusUrl = statusUrl
        self.statusPath = statusPath
        self.statusRule = statusRule
        self.outputs = outputs
        self.unknownStatuses = unknownStatuses
        self.resultStep = resultStep
    }
}
