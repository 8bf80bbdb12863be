import PollsterCore
import PollsterMock
import Testing

/// One fault class of the matrix: how the mock misbehaves and how the invocation must end.
struct FaultCase: Sendable, CustomTestStringConvertible {
    /// How an invocation must end.
    enum Expected: Sendable, Equatable {
        case succeeds
        case fails(PollsterError.Code)
    }

    var name: String
    /// The scripts the mock follows, in order (the first is the job's; later ones serve retries).
    var scripts: @Sendable (ProtocolShape) -> [MockJobScript]
    var expected: @Sendable (ProtocolShape) -> Expected
    /// Provider jobs the invocation must create (0 when the submit itself was refused).
    var jobs = 1
    /// `maxWait` for the invocation, when the case is about the deadline.
    var maxWait: Duration?
    /// Text the error message must contain.
    var messageContains: String?
    /// The case only applies to some shapes.
    var applies: @Sendable (ProtocolShape) -> Bool = { _ in true }

    var testDescription: String { name }

    /// The output every successful run must deliver.
    static let output = MockOutput(kind: .png, size: 20_000)

    static func job(
        _ shape: ProtocolShape, polls: Int = 2, _ change: (inout MockJobScript) -> Void = { _ in }
    )
        -> MockJobScript
    {
        var script = MockJobScript(polls: polls, output: MockOutput(kind: shape.kind, size: output.size))
        change(&script)
        return script
    }

    static let all: [FaultCase] = submitFaults + pollFaults + outcomeFaults + downloadFaults

    static let submitFaults: [FaultCase] = [
        FaultCase(
            name: "submit answered 500: a job may exist",
            scripts: { [job($0) { $0.submitFault = .serverError(status: 500) }] },
            expected: { _ in .fails(.submitUncertain) }, jobs: 0, messageContains: "not repeated"),
        FaultCase(
            name: "submit answered a 502 HTML page",
            scripts: { [job($0) { $0.submitFault = .htmlErrorPage(status: 502) }] },
            expected: { _ in .fails(.submitUncertain) }, jobs: 0),
        FaultCase(
            name: "submit connection reset after sending",
            scripts: { [job($0) { $0.submitFault = .connectionReset }] },
            expected: { _ in .fails(.submitUncertain) }, jobs: 0),
        FaultCase(
            name: "submit answered 429 with Retry-After: retried",
            scripts: { [job($0) { $0.submitFault = .rateLimited(retryAfterSeconds: 1) }, job($0)] },
            expected: { _ in .succeeds }),
        FaultCase(
            name: "submit answered a rate-limit envelope: retried",
            scripts: { [job($0) { $0.submitFault = .rateLimitEnvelope }, job($0)] },
            expected: { _ in .succeeds }),
    ]

    static let pollFaults: [FaultCase] = [
        FaultCase(
            name: "poll 429 with Retry-After",
            scripts: { [job($0) { $0.faults = [1: .rateLimited(retryAfterSeconds: 1)] }] },
            expected: { _ in .succeeds }),
        FaultCase(
            name: "poll 5xx burst",
            scripts: {
                [
                    job($0) {
                        $0.faults = [
                            1: .serverError(status: 500), 2: .unavailable(retryAfterSeconds: 0),
                            3: .serverError(status: 504),
                        ]
                    }
                ]
            },
            expected: { _ in .succeeds }),
        FaultCase(
            name: "poll connection reset",
            scripts: { [job($0) { $0.faults = [1: .connectionReset] }] }, expected: { _ in .succeeds }),
        FaultCase(
            name: "poll answered truncated JSON (never completion)",
            scripts: { [job($0) { $0.faults = [1: .truncatedJSON, 2: .truncatedJSON] }] },
            expected: { _ in .succeeds }),
        FaultCase(
            name: "poll answered an HTML error page",
            scripts: { [job($0) { $0.faults = [1: .htmlErrorPage(status: 502)] }] },
            expected: { _ in .succeeds }),
        FaultCase(
            name: "poll answered a rate-limit envelope",
            scripts: { [job($0) { $0.faults = [1: .rateLimitEnvelope] }] }, expected: { _ in .succeeds }),
        FaultCase(
            name: "poll never answered: ended at the deadline",
            scripts: { [job($0, polls: 3) { $0.faults = [1: .noAnswer] }] },
            expected: { _ in .fails(.pollingTimeout) }, maxWait: .seconds(2)),
        FaultCase(
            name: "a 500 whose body says Failed is the task's failure",
            scripts: { [job($0) { $0.faults = [1: .failedStatus(status: 500)] }] },
            expected: { $0.explicitStatus ? .succeeds : .fails(.taskFailed) }),
        FaultCase(
            name: "the task vanishes (404 after it was seen)",
            scripts: { [job($0, polls: 5) { $0.faults = [2: .notFound] }] },
            expected: { _ in .fails(.taskNotFound) }),
        FaultCase(
            name: "unknown status until the deadline",
            scripts: { [job($0) { $0.outcome = .unknownStatus("frobnicating") }] },
            expected: { _ in .fails(.pollingTimeout) }, maxWait: .milliseconds(400)),
    ]

    static let outcomeFaults: [FaultCase] = [
        FaultCase(
            name: "the provider reports failure",
            scripts: { [job($0) { $0.outcome = .failure(message: "content check failed") }] },
            expected: { _ in .fails(.taskFailed) }, messageContains: "content check failed"),
        FaultCase(
            name: "the provider reports the task canceled",
            scripts: { [job($0) { $0.outcome = .canceled }] }, expected: { _ in .fails(.taskCanceled) }),
        FaultCase(
            name: "result step answered 500 once",
            scripts: { [job($0) { $0.resultFaults = [1: .serverError(status: 500)] }] },
            expected: { _ in .succeeds }),
        FaultCase(
            name: "result step answered truncated JSON once",
            scripts: { [job($0) { $0.resultFaults = [1: .truncatedJSON] }] }, expected: { _ in .succeeds }),
    ]

    static let downloadFaults: [FaultCase] = [
        FaultCase(
            name: "download answered 503 with Retry-After once",
            scripts: { [job($0) { $0.fileFaults = [1: .unavailable(retryAfterSeconds: 1)] }] },
            expected: { _ in .succeeds }),
        FaultCase(
            name: "download connection reset once",
            scripts: { [job($0) { $0.fileFaults = [1: .connectionReset] }] }, expected: { _ in .succeeds }),
        FaultCase(
            name: "download body cut short twice (resumed with Range)",
            scripts: {
                [job($0) { $0.fileFaults = [1: .cutBody(afterBytes: 5000), 2: .cutBody(afterBytes: 4000)] }]
            },
            expected: { _ in .succeeds }),
        FaultCase(
            name: "download Content-Length shorter than the file stated",
            scripts: { [job($0) { $0.fileFaults = [1: .shortContentLength(missingBytes: 100)] }] },
            expected: { _ in .succeeds }, applies: { $0.statesSize }),
        FaultCase(
            name: "download always short of the stated size",
            scripts: { [job($0) { $0.fileFault = .shortContentLength(missingBytes: 100) }] },
            expected: { _ in .fails(.downloadFailed) }, messageContains: "states 20000 bytes",
            applies: { $0.statesSize }),
        FaultCase(
            name: "download gone (404): DOWNLOAD_FAILED, URLs listed",
            scripts: { [job($0) { $0.fileFault = .notFound }] }, expected: { _ in .fails(.downloadFailed) },
            messageContains: "outputs are still listed"),
        FaultCase(
            name: "download through a redirect chain",
            scripts: { [job($0) { $0.fileRedirects = 3 }] }, expected: { _ in .succeeds }),
        FaultCase(
            name: "download without a Content-Type (sniffed)",
            scripts: { [job($0) { $0.omitContentType = true }] }, expected: { _ in .succeeds }),
    ]
}
