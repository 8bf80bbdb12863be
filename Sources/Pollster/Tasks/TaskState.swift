import PollsterCore

/// Where a durable task is in its life.
///
/// `queued → submitting → running → downloading → succeeded | failed | canceled | timed_out`,
/// plus `submit_uncertain` when a worker died between persisting `submitting` and persisting
/// the provider's task id, and the method has no idempotency key that would make a repeat safe.
public enum TaskState: String, Sendable, Codable, CaseIterable {
    case queued
    case submitting
    case running
    case downloading
    case succeeded
    case failed
    case canceled
    case timedOut = "timed_out"
    case submitUncertain = "submit_uncertain"

    /// No worker will touch the task again (`retry` can queue it again).
    public var isFinished: Bool {
        switch self {
        case .succeeded, .failed, .canceled, .timedOut, .submitUncertain: true
        case .queued, .submitting, .running, .downloading: false
        }
    }

    /// States from which `retry` may queue the task again.
    public var isRetryable: Bool {
        self == .failed || self == .timedOut || self == .submitUncertain || self == .canceled
    }

    /// The final state for an invocation that ended with `error`.
    static func after(_ error: PollsterError.Code) -> TaskState {
        switch error {
        case .taskCanceled: .canceled
        case .pollingTimeout: .timedOut
        case .submitUncertain: .submitUncertain
        default: .failed
        }
    }
}
