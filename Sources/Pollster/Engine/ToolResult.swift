import PollsterCore

/// What a finished invocation returns.
public struct ToolResult: Sendable, Codable {
    /// `inventory.method`.
    public var tool: String
    /// The method name.
    public var method: String
    /// The provider's task id (nil for synchronous methods without one).
    public var taskId: String?
    /// Always `succeeded`: failures are thrown as `PollsterError`.
    public var state: TaskPhase
    /// The final JSON (status response, or the result step's response).
    public var data: JSONValue
    /// Downloaded or found output files.
    public var files: [ToolFile]
    /// Non-fatal problems (`DOWNLOAD_FAILED`, `OUTPUT_NOT_FOUND`).
    public var warnings: [ToolWarning]
    /// When things happened.
    public var timings: ToolTimings
    /// Which paths and rules gave the id, status and outputs.
    public var detection: DetectionReport
}

/// One output file.
public struct ToolFile: Sendable, Codable {
    /// Where it came from (`data:` URIs are shortened).
    public var url: String
    /// The path in the result where the URL was found.
    public var foundAt: String
    /// A safe file name.
    public var filename: String
    /// The MIME type (header, magic bytes, or extension).
    public var mimeType: String
    /// Size in bytes.
    public var size: Int?
    /// Hex SHA-256 of the bytes.
    public var sha256: String?
    /// The bytes, when downloaded into memory (not encoded in JSON output).
    public var bytes: [UInt8]?
    /// The file path, when downloaded into a directory.
    public var path: String?

    enum CodingKeys: String, CodingKey {
        case url, foundAt, filename, mimeType, size, sha256, path
    }
}

/// A non-fatal problem.
public struct ToolWarning: Sendable, Codable, Equatable {
    /// The error code it would have been.
    public var code: PollsterError.Code
    /// What happened and what to change.
    public var message: String
}

/// Timestamps and counts of an invocation.
public struct ToolTimings: Sendable, Codable {
    /// When the submit was answered, seconds since 1970.
    public var submittedAt: Double
    /// When the invocation finished, seconds since 1970.
    public var completedAt: Double
    /// Status requests sent.
    public var polls: Int
    /// Seconds from the start of the submit to the end.
    public var elapsedSeconds: Double
}

/// Progress of an invocation, for live displays.
public enum ToolEvent: Sendable {
    /// The provider accepted the job.
    case submitted(taskId: String?)
    /// A status response was read (or a poll failed and will be retried, with `error`).
    case polled(number: Int, phase: TaskPhase, status: String?, progress: Double?, error: String?)
    /// Bytes of an output arrived.
    case downloading(url: String, receivedBytes: Int, totalBytes: Int?)
    /// An output is complete.
    case downloaded(ToolFile)
    /// A non-fatal problem.
    case warning(ToolWarning)
    /// The invocation ended: `succeeded`, or the phase and error it failed with.
    case finished(phase: TaskPhase, error: PollsterError?)
}
