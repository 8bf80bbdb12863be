import ArgumentParser
import PollsterCore

extension PollsterError.Code {
    /// The process exit code for this error (documented in docs/cli.md).
    var exitCode: Int32 {
        switch self {
        case .toolNotFound: 3
        case .invalidConfig: 4
        case .missingSecret: 5
        case .invalidInput: 6
        case .conflict: 7
        case .httpError: 10
        case .rateLimited: 11
        case .transportError: 12
        case .taskIdNotFound: 13
        case .taskFailed: 20
        case .taskCanceled: 21
        case .taskNotFound: 22
        case .pollingTimeout: 23
        case .outputNotFound: 24
        case .downloadFailed: 25
        case .unsafeURL: 26
        case .responseTooLarge: 27
        case .submitUncertain: 30
        case .storeError: 14
        case .internal: 70
        case .canceled: 130
        default: 1
        }
    }
}

/// Prints a `PollsterError` and exits with its code.
struct ReportedFailure: Error {
    let error: PollsterError
}

extension PollsterError {
    /// Writes the error to standard error and turns it into the matching exit code.
    func exit() -> ExitCode {
        Console.error("error \(code.rawValue): \(message)")
        return ExitCode(code.exitCode)
    }
}
