import PollsterCore
import Testing

/// `ResultStep`: the rules of the result request after a job succeeded, fed answers in order.
@Suite("Result step rules")
struct ResultStepTests {
    /// One answer or failure fed to the step.
    enum Given: Sendable, CustomStringConvertible {
        case answer(Int, String, retryAfter: Int? = nil)
        case noAnswer

        var event: ResultStep.Event {
            switch self {
            case .answer(let status, let body, let retryAfter):
                .answered(
                    status: status, retryAfter: retryAfter.map { .seconds($0) },
                    rawRetryAfter: retryAfter.map(String.init), body: Array(body.utf8))
            case .noAnswer: .requestFailed("connection refused")
            }
        }

        var description: String {
            switch self {
            case .answer(let status, let body, let retryAfter):
                "\(status) \(body)\(retryAfter.map { " Retry-After \($0)" } ?? "")"
            case .noAnswer: "no answer"
            }
        }
    }

    /// What the step says to one input.
    enum Expected: Sendable, Equatable {
        case done(JSONValue)
        /// A retry, after a delay within this range of seconds.
        case retry(ClosedRange<Double>)
        /// A failure with this code whose message contains every text.
        case fail(PollsterError.Code, [String])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let given: [Given]
        let expected: [Expected]
        var failureStatuses: Set<Int> = [400, 422]
        var maxAttempts = 3
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "a JSON answer is the result", given: [.answer(200, #"{"images":[{"url":"u"}]}"#)],
            expected: [.done(["images": [["url": "u"]]])]),
        Case(
            name: "a body that is not JSON is asked again, then fails naming the attempts",
            given: [.answer(200, "<html>"), .answer(200, "<html>"), .answer(200, "<html>")],
            expected: [
                .retry(0.25...0.5), .retry(0.5...1),
                .fail(.transportError, ["not JSON", "after 3 attempts", "task job-1 succeeded"]),
            ]),
        Case(
            name: "a 5xx is asked again and a later answer is the result",
            given: [.answer(503, "busy"), .answer(200, "{}")], expected: [.retry(0.25...0.5), .done([:])]),
        Case(
            name: "a 429's Retry-After is waited, and quoted when it gives up",
            given: [.answer(429, "slow down", retryAfter: 2), .answer(429, "slow down", retryAfter: 2)],
            expected: [.retry(2...2), .fail(.rateLimited, ["Retry-After: 2", "after 2 attempts"])],
            maxAttempts: 2),
        Case(
            name: "a Retry-After longer than 30 s is capped", given: [.answer(503, "", retryAfter: 120)],
            expected: [.retry(30...30)]),
        Case(
            name: "a 404 ends at once", given: [.answer(404, "gone")],
            expected: [.fail(.httpError, ["result request answered HTTP 404"])]),
        Case(
            name: "a 401 ends at once", given: [.answer(401, "no")],
            expected: [.fail(.httpError, ["HTTP 401", "check the API key"])]),
        Case(
            name: "a failure status with a message list is the job's failure (fal)",
            given: [.answer(422, #"{"detail":[{"msg":"NSFW content"},{"msg":"try again"}]}"#)],
            expected: [
                .fail(.taskFailed, ["reports failure (result step, HTTP 422)", "NSFW content; try again"])
            ]),
        Case(
            name: "a failure status saying canceled is TASK_CANCELED",
            given: [.answer(400, #"{"detail":"Request was cancelled by the user"}"#)],
            expected: [.fail(.taskCanceled, ["reports the request as canceled"])]),
        Case(
            name: "fal's 499 client_cancelled is TASK_CANCELED (its error_type says so)",
            given: [.answer(499, #"{"detail":"Request was aborted","error_type":"client_cancelled"}"#)],
            expected: [.fail(.taskCanceled, ["HTTP 499", "Request was aborted"])],
            failureStatuses: [400, 422, 499, 500, 504]),
        Case(
            name: "a listed 5xx with the model's JSON error is the job's failure (fal)",
            given: [
                .answer(
                    504, #"{"detail":[{"msg":"Generation timed out"}],"error_type":"generation_timeout"}"#)
            ],
            expected: [.fail(.taskFailed, ["result step, HTTP 504", "Generation timed out"])],
            failureStatuses: [400, 422, 499, 500, 504]),
        Case(
            name: "a listed 5xx with a server's generic error envelope is asked again",
            given: [
                .answer(500, #"{"error":{"code":"server_error","message":"500 Internal Server Error"}}"#)
            ],
            expected: [.retry(0.25...0.5)], failureStatuses: [400, 422, 499, 500, 504]),
        Case(
            name: "a listed 5xx with a framework's generic detail text is asked again",
            given: [.answer(500, #"{"detail":"Internal Server Error"}"#)],
            expected: [.retry(0.25...0.5)], failureStatuses: [400, 422, 499, 500, 504]),
        Case(
            name: "a listed 5xx from a proxy (not JSON) is asked again",
            given: [.answer(504, "<html>504 Gateway Time-out</html>"), .answer(200, "{}")],
            expected: [.retry(0.25...0.5), .done([:])], failureStatuses: [400, 422, 499, 500, 504]),
        Case(
            name: "a failure status without a JSON message is an HTTP error",
            given: [.answer(422, "unprocessable")], expected: [.fail(.httpError, ["HTTP 422"])]),
        Case(
            name: "a status not listed as failure is an HTTP error even with a message",
            given: [.answer(422, #"{"detail":"bad"}"#)], expected: [.fail(.httpError, ["HTTP 422"])],
            failureStatuses: [400]),
        Case(
            name: "no answer is asked again, then fails saying the job succeeded",
            given: [.noAnswer, .noAnswer],
            expected: [
                .retry(0.25...0.5),
                .fail(
                    .transportError, ["fetching its result failed (connection refused)", "after 2 attempts"]),
            ],
            maxAttempts: 2),
        Case(
            name: "one attempt only: the first failure is final", given: [.answer(500, "oops")],
            expected: [.fail(.httpError, ["HTTP 500", "after 1 attempts"])], maxAttempts: 1),
    ]

    @Test("each answer leads to the expected next action", arguments: cases)
    func actions(_ test: Case) throws {
        var step = ResultStep(
            job: ResultStep.Job(
                name: "fal.m", taskId: "job-1", lastStatus: "COMPLETED",
                redactor: Redactor(secrets: [String]())),
            failureStatuses: test.failureStatuses, maxAttempts: test.maxAttempts)
        var random = SystemRandomNumberGenerator()
        #expect(test.given.count == test.expected.count)
        for (given, expected) in zip(test.given, test.expected) {
            let action = step.receive(given.event, using: &random)
            switch (action, expected) {
            case (.done(let result), .done(let wanted)):
                #expect(result == wanted, "\(given)")
            case (.retry(let delay), .retry(let range)):
                #expect(range.contains(delay.seconds), "\(given): waits \(delay)")
            case (.fail(let error), .fail(let code, let texts)):
                #expect(error.code == code, "\(given): \(error.message)")
                for text in texts { #expect(error.message.contains(text), "\(given): \(error.message)") }
                #expect(error.taskId == "job-1")
            default:
                Issue.record("\(given): \(action), expected \(expected)")
            }
        }
        #expect(step.attempts == test.given.count)
    }

    @Test("a failure answer keeps the provider's answer and the last status")
    func failureDetails() {
        var step = ResultStep(
            job: ResultStep.Job(
                name: "fal.m", taskId: "job-1", lastStatus: "COMPLETED",
                redactor: Redactor(secrets: ["s3cr3t"])),
            failureStatuses: [422], maxAttempts: 3)
        var random = SystemRandomNumberGenerator()
        guard
            case .fail(let http) = step.receive(Given.answer(403, "key s3cr3t refused").event, using: &random)
        else {
            Issue.record("a 403 should end the step")
            return
        }
        #expect(http.provider?.status == 403)
        #expect(http.provider?.body.contains("s3cr3t") == false, "the answer is quoted redacted")
        guard
            case .fail(let failed) = step.receive(
                Given.answer(422, #"{"error":"model crashed"}"#).event, using: &random)
        else {
            Issue.record("a failure status should end the step")
            return
        }
        #expect(failed.lastStatus == "COMPLETED")
        #expect(failed.httpStatus == 422)
    }

    @Test("the backoff without Retry-After doubles from 0.5 s up to 8 s, with jitter in its upper half")
    func backoff() {
        var random = SystemRandomNumberGenerator()
        for (attempt, ceiling) in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (9, 8.0)] {
            for _ in 0..<50 {
                let delay = OutputRetry.delay(after: attempt, retryAfter: nil, using: &random).seconds
                #expect(delay >= ceiling / 2 && delay <= ceiling, "attempt \(attempt): \(delay)")
            }
        }
    }
}
