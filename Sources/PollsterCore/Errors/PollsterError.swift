/// What a provider answered, as an error quotes it.
public struct ProviderAnswer: Sendable, Equatable, Codable {
    /// The HTTP status.
    public var status: Int
    /// A redacted, truncated excerpt of the body.
    public var body: String

    /// An answer from its parts.
    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
}

/// The one error type of Pollster: a stable `code`, a message that says what happened and
/// what to change, and optional structured detail.
///
/// Messages never contain secret values: everything quoted from a request or a response
/// passes through `Redactor` first.
public struct PollsterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable code.
    public var code: Code
    /// What happened and what to change.
    public var message: String
    /// The HTTP status involved, for `HTTP_ERROR` and `RATE_LIMITED`.
    public var httpStatus: Int?
    /// The provider task id, once one is known: with it an operator can look the job up
    /// instead of submitting it again.
    public var taskId: String?
    /// The last status value seen, for `POLLING_TIMEOUT` and `TASK_FAILED`.
    public var lastStatus: String?
    /// Status values seen that no rule recognised, for `POLLING_TIMEOUT`.
    public var unknownStatuses: [String]
    /// The provider's answer that caused the error (status and a redacted body excerpt).
    public var provider: ProviderAnswer?
    /// For `SUBMIT_UNCERTAIN`: the SHA-256 of the submit request (method, redacted URL, body), so
    /// an operator can match the request against the provider's logs.
    public var requestFingerprint: String?
    /// For `DOWNLOAD_FAILED` and other lost outputs of a job that succeeded: the output URLs, so
    /// they can still be fetched.
    public var outputs: [String] = []

    /// An error with a code and message.
    public init(
        _ code: Code, _ message: String, httpStatus: Int? = nil, taskId: String? = nil,
        lastStatus: String? = nil, unknownStatuses: [String] = []
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.taskId = taskId
        self.lastStatus = lastStatus
        self.unknownStatuses = unknownStatuses
    }

    /// `CODE: message`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// The same error with a prefix on the message (for example the file and key of a config).
    public func prefixed(_ prefix: String) -> PollsterError {
        var copy = self
        copy.message = "\(prefix): \(message)"
        return copy
    }
}
