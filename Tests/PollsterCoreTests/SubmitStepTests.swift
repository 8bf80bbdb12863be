import PollsterCore
import Testing

/// `SubmitStep`: when a submit is sent again and what an answer means, fed answers in order.
@Suite("Submit step rules")
struct SubmitStepTests {
    /// One answer or failure fed to the step.
    enum Given: Sendable, CustomStringConvertible {
        case answer(Int, String, retryAfter: Int? = nil)
        /// The request never left (a refused connection).
        case notSent
        /// The request left and no answer came back (a reset, a timeout).
        case lost
        /// The TLS handshake failed (an untrusted certificate): the request never left.
        case refusedTLS

        var event: SubmitStep.Event {
            switch self {
            case .answer(let status, let body, let retryAfter):
                .answered(
                    status: status, retryAfter: retryAfter.map { .seconds($0) },
                    rawRetryAfter: retryAfter.map(String.init), body: Array(body.utf8))
            case .notSent: .requestFailed("connection refused", .notSent)
            case .lost: .requestFailed("connection reset by peer", .maybeSent)
            case .refusedTLS: .requestFailed("the TLS handshake failed", .notSentForGood)
            }
        }

        var description: String {
            switch self {
            case .answer(let status, let body, let retryAfter):
                "\(status) \(body)\(retryAfter.map { " Retry-After \($0)" } ?? "")"
            case .notSent: "not sent"
            case .lost: "lost"
            case .refusedTLS: "TLS refused"
            }
        }
    }

    /// What the step says to one input.
    enum Expected: Sendable, Equatable {
        case accepted(JSONValue?)
        /// A retry, after a delay within this range of seconds.
        case retry(ClosedRange<Double>)
        /// A job may exist: look it up; `what` contains these texts, `status` is the answer's.
        case lookUp([String], status: Int?)
        /// A failure with this code whose message contains every text.
        case fail(PollsterError.Code, [String])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let given: [Given]
        let expected: [Expected]
        var submit = SubmitConfig()
        var testDescription: String { name }
    }

    static let idempotent = SubmitConfig(idempotencyHeader: "Idempotency-Key")

    static let cases: [Case] = [
        Case(
            name: "a JSON answer is accepted", given: [.answer(201, #"{"id":"j1"}"#)],
            expected: [.accepted(["id": "j1"])]),
        Case(name: "an empty 202 is accepted", given: [.answer(202, " \n")], expected: [.accepted(nil)]),
        Case(
            name: "a request that never left is sent again, then fails saying nothing was submitted",
            given: [.notSent, .notSent, .notSent],
            expected: [
                .retry(0.25...0.25), .retry(0.5...0.5),
                .fail(
                    .transportError,
                    ["could not reach the provider (connection refused)", "safe to try again"]),
            ]),
        Case(
            name: "a failed TLS handshake is not sent again: it fails the same way until fixed",
            given: [.refusedTLS],
            expected: [
                .fail(
                    .transportError,
                    [
                        "the TLS handshake failed", "nothing was submitted",
                        "fails the same way until this is fixed",
                    ])
            ]),
        Case(
            name: "a failed TLS handshake is not sent again even with an idempotency key",
            given: [.refusedTLS], expected: [.fail(.transportError, ["nothing was submitted"])],
            submit: idempotent),
        Case(
            name: "a lost answer is never sent again without an idempotency key", given: [.lost],
            expected: [.lookUp(["no answer came back (connection reset by peer)"], status: nil)]),
        Case(
            name: "a lost answer is sent again with an idempotency key", given: [.lost, .answer(200, "{}")],
            expected: [.retry(0.25...0.25), .accepted([:])], submit: idempotent),
        Case(
            name: "a 5xx may have created a job: look it up", given: [.answer(500, "oops")],
            expected: [.lookUp(["the provider answered HTTP 500: oops"], status: 500)]),
        Case(
            name: "a 5xx is sent again with an idempotency key until attempts run out",
            given: [.answer(503, "busy"), .answer(503, "busy"), .answer(503, "busy")],
            expected: [.retry(0.25...0.25), .retry(0.5...0.5), .lookUp(["HTTP 503"], status: 503)],
            submit: idempotent),
        Case(
            name: "a 408 may have created a job", given: [.answer(408, "")],
            expected: [.lookUp(["HTTP 408"], status: 408)]),
        Case(
            name: "a 2xx that is not JSON may have created a job", given: [.answer(200, "<html>")],
            expected: [.lookUp(["its answer (HTTP 200) is not JSON", "an HTML page"], status: 200)]),
        Case(
            name: "a 429 was not processed: its Retry-After is waited (plus jitter) and quoted at the end",
            given: [.answer(429, "slow", retryAfter: 2), .answer(429, "slow", retryAfter: 2)],
            expected: [.retry(2...2.2), .fail(.rateLimited, ["Retry-After: 2"])],
            submit: SubmitConfig(maxAttempts: 2)),
        Case(
            name: "a Retry-After beyond submit.maxRetryAfterSeconds is capped",
            given: [.answer(429, "", retryAfter: 600)], expected: [.retry(5...5.5)],
            submit: SubmitConfig(maxRetryAfterSeconds: 5)),
        Case(
            name: "without retryRateLimited a 429 fails at once", given: [.answer(429, "")],
            expected: [.fail(.rateLimited, ["HTTP 429"])], submit: SubmitConfig(retryRateLimited: false)),
        Case(
            name: "a rate-limit envelope in a 200 is retried, then RATE_LIMITED naming the attempts",
            given: [
                .answer(200, #"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"too fast"}}}"#),
                .answer(200, #"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"too fast"}}}"#),
            ],
            expected: [
                .retry(0.25...0.275),
                .fail(
                    .rateLimited,
                    ["RequestLimitExceeded: too fast", "after 2 attempt(s)", "nothing was processed"]),
            ],
            submit: SubmitConfig(maxAttempts: 2)),
        Case(
            name: "a transient envelope in a 200 may have created a job",
            given: [.answer(200, #"{"Response":{"Error":{"Code":"InternalError","Message":"try later"}}}"#)],
            expected: [.lookUp(["HTTP 200 with error InternalError: try later"], status: 200)]),
        Case(
            name: "a failure envelope in a 200 refuses the submit",
            given: [
                .answer(200, #"{"Response":{"Error":{"Code":"InvalidParameter","Message":"bad prompt"}}}"#)
            ],
            expected: [.fail(.taskFailed, ["refused the submit: InvalidParameter: bad prompt"])]),
        Case(
            name: "a status in submit.retryOn is sent again, then is an HTTP error",
            given: [.answer(409, "locked", retryAfter: 1), .answer(409, "locked")],
            expected: [.retry(1...1), .fail(.httpError, ["HTTP 409"])],
            submit: SubmitConfig(retryOn: [409], maxAttempts: 2)),
        Case(
            name: "a 400 refuses the submit at once", given: [.answer(400, "bad input")],
            expected: [.fail(.httpError, ["submit answered HTTP 400", "check the input"])]),
        Case(
            name: "a 401 is not sent again, even with an idempotency key", given: [.answer(401, "")],
            expected: [.fail(.httpError, ["check the API key"])], submit: idempotent),
        Case(
            name: "one attempt only: a refused connection is final", given: [.notSent],
            expected: [.fail(.transportError, ["nothing was submitted"])],
            submit: SubmitConfig(maxAttempts: 1)),
    ]

    static func step(_ submit: SubmitConfig, secrets: [String] = []) throws -> SubmitStep {
        let method = MethodConfig(
            name: "m", endpoint: "https://api.test/jobs", adapterConfig: AdapterConfig(submit: submit))
        let plan = try MethodPlan(method: method, baseUrl: nil)
        return SubmitStep(
            job: SubmitStep.Job(
                name: "test.m", plan: plan.submit, envelope: plan.envelope,
                redactor: Redactor(secrets: secrets)))
    }

    @Test("each answer leads to the expected next action", arguments: cases)
    func actions(_ test: Case) throws {
        var step = try Self.step(test.submit)
        var random = SystemRandomNumberGenerator()
        #expect(test.given.count == test.expected.count)
        for (given, expected) in zip(test.given, test.expected) {
            let action = step.receive(given.event, using: &random)
            switch (action, expected) {
            case (.accepted(let body), .accepted(let wanted)):
                #expect(body == wanted, "\(given)")
            case (.retry(let delay, _), .retry(let range)):
                #expect(range.contains(delay.seconds), "\(given): waits \(delay)")
            case (.lookUp(let what, let answer), .lookUp(let texts, let status)):
                for text in texts { #expect(what.contains(text), "\(given): \(what)") }
                #expect(answer?.status == status)
            case (.fail(let error), .fail(let code, let texts)):
                #expect(error.code == code, "\(given): \(error.message)")
                for text in texts { #expect(error.message.contains(text), "\(given): \(error.message)") }
            default:
                Issue.record("\(given): \(action), expected \(expected)")
            }
        }
        #expect(step.attempts == test.given.count)
    }

    @Test("answers are quoted redacted, in errors and in what a lookup is told")
    func redaction() throws {
        var step = try Self.step(SubmitConfig(), secrets: ["s3cr3t"])
        var random = SystemRandomNumberGenerator()
        guard
            case .fail(let refused) = step.receive(
                Given.answer(403, "key s3cr3t refused").event, using: &random)
        else {
            Issue.record("a 403 should end the submit")
            return
        }
        #expect(refused.provider?.status == 403)
        #expect(refused.provider?.body.contains("s3cr3t") == false)
        #expect(!refused.message.contains("s3cr3t"))
        var second = try Self.step(SubmitConfig(), secrets: ["s3cr3t"])
        guard
            case .lookUp(let what, let answer) = second.receive(
                Given.answer(502, "s3cr3t").event, using: &random)
        else {
            Issue.record("a 502 should ask for a lookup")
            return
        }
        #expect(!what.contains("s3cr3t"))
        #expect(answer?.body.contains("s3cr3t") == false)
    }

    @Test("the backoff without Retry-After doubles from 0.25 s up to 8 s")
    func backoff() {
        let table: [(Int, Double)] = [(1, 0.25), (2, 0.5), (3, 1), (4, 2), (5, 4), (6, 8), (9, 8)]
        for (attempt, seconds) in table {
            #expect(SubmitStep.backoff(after: attempt).seconds == seconds, "attempt \(attempt)")
        }
    }
}
