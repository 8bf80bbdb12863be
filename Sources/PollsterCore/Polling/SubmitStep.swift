/// The rules of the submit request: when it may be sent again, and what an answer means for the
/// job. Like `PollMachine` it does no I/O and has no clock: the engine sends the request, feeds
/// what happened in and does what comes back.
///
/// A submit may start a paid job, so it is repeated only where no job can have been created —
/// the request never left, the answer proves it was not processed (429, a rate-limit envelope,
/// a status in `submit.retryOn`) — or where `submit.idempotencyHeader` makes a repeat safe.
/// Anything else after the request was sent (5xx, a reset, a timeout, a 2xx that is not JSON)
/// means the job may exist: the engine looks it up by its client reference
/// (`submit.reconcile`) or fails with `SUBMIT_UNCERTAIN`.
package struct SubmitStep: Sendable {
    /// What the step knows about its method.
    package struct Job: Sendable {
        /// `inventory.method`, for messages.
        package let name: String
        /// The method's submit rules.
        package let plan: MethodPlan.Submit
        /// The provider's error envelope in 2xx bodies.
        package let envelope: ErrorEnvelope
        /// Hides the call's secrets in everything quoted.
        package let redactor: Redactor

        /// A job from its parts.
        package init(name: String, plan: MethodPlan.Submit, envelope: ErrorEnvelope, redactor: Redactor) {
            self.name = name
            self.plan = plan
            self.envelope = envelope
            self.redactor = redactor
        }
    }

    /// What happened to one submit request.
    package enum Event: Sendable {
        /// The provider answered; `retryAfter` is its `Retry-After`, read, and `rawRetryAfter`
        /// the header as sent (quoted in a rate-limit error).
        case answered(status: Int, retryAfter: Duration?, rawRetryAfter: String?, body: [UInt8])
        /// No answer; its message (redacted), and how far the request went.
        case requestFailed(String, Reach)
    }

    /// How far a request that got no answer went.
    package enum Reach: Sendable, Equatable {
        /// It never left (a refused connection, a connect timeout); sending it again may work.
        case notSent
        /// It never left, and sending it again fails the same way until the configuration
        /// changes: the TLS handshake failed (an untrusted or mismatched certificate, a server
        /// that does not speak TLS).
        case notSentForGood
        /// Some or all of it may have reached the provider.
        case maybeSent
    }

    /// What to do next.
    package enum Action: Sendable, Equatable {
        /// The provider took the job; its answer, parsed (nil for an empty body, a bare 202).
        case accepted(JSONValue?)
        /// Send the same request again after this delay; `reason` is for the log.
        case retry(after: Duration, reason: String)
        /// The request may have created a job and nothing says whether it did: look the job up
        /// by its client reference, else fail with `SUBMIT_UNCERTAIN` saying `what` happened,
        /// quoting the provider's `answer` if there was one.
        case lookUp(what: String, answer: ProviderAnswer?)
        /// The submit failed and created no job.
        case fail(PollsterError)
    }

    private let job: Job
    /// Requests answered or failed so far.
    package private(set) var attempts = 0

    /// A step for `job`.
    package init(job: Job) { self.job = job }

    /// Takes what happened to one request and says what to do next.
    package mutating func receive(_ event: Event, using random: inout some RandomNumberGenerator) -> Action {
        attempts += 1
        let plan = job.plan
        let canRetry = attempts < plan.maxAttempts
        let idempotent = plan.idempotencyHeader != nil
        let backoff = Self.backoff(after: attempts)
        switch event {
        case .requestFailed(let message, let reach):
            switch reach {
            case .notSent where canRetry, .maybeSent where idempotent && canRetry:
                return .retry(after: backoff, reason: "no answer (\(message))")
            case .notSent, .notSentForGood:
                let again =
                    reach == .notSent
                    ? "it is safe to try again" : "and trying again fails the same way until this is fixed"
                return .fail(
                    PollsterError(
                        .transportError,
                        "\(job.name): could not reach the provider (\(message)); nothing was submitted, \(again)"
                    ))
            case .maybeSent:
                return .lookUp(what: "no answer came back (\(message))", answer: nil)
            }
        case .answered(let status, let retryAfter, let rawRetryAfter, let body):
            // Quoted only by a failure: an accepted answer is not excerpted.
            var answer: ProviderAnswer { ProviderAnswer(status: status, body: job.redactor.excerpt(body)) }
            switch meaning(status: status, body: body) {
            case .accepted(let json):
                return .accepted(json)
            case .failed(let detail):
                var error = PollsterError(
                    .taskFailed,
                    "\(job.name): the provider refused the submit: \(job.redactor.redact(detail))")
                error.provider = answer
                return .fail(error)
            case .rateLimited(let detail):
                if plan.retryRateLimited && canRetry {
                    let delay = min(retryAfter ?? backoff, plan.maxRetryAfter)
                    return .retry(
                        after: Self.jittered(delay, using: &random),
                        reason: "rate limited (\(job.redactor.redact(detail)))")
                }
                var error = refusal(status: status, rawRetryAfter: rawRetryAfter, body: body, answer: answer)
                if status != 429 {
                    error = PollsterError(
                        .rateLimited,
                        "\(job.name): submit was rate limited by the provider (\(job.redactor.redact(detail))) after \(attempts) attempt(s); nothing was processed. Slow down, raise the provider's quota or submit.maxAttempts",
                        httpStatus: status)
                    error.provider = answer
                }
                return .fail(error)
            case .mayExist(let detail):
                if idempotent && canRetry {
                    return .retry(
                        after: backoff,
                        reason: "\(job.redactor.redact(detail)), resent with the same idempotency key")
                }
                return .lookUp(what: job.redactor.redact(detail), answer: answer)
            case .retryOn where canRetry:
                return .retry(
                    after: min(retryAfter ?? backoff, plan.maxRetryAfter),
                    reason: "HTTP \(status) (submit.retryOn)")
            case .retryOn, .refused:
                return .fail(
                    refusal(status: status, rawRetryAfter: rawRetryAfter, body: body, answer: answer))
            }
        }
    }

    /// What one answer means for the job.
    private enum Meaning {
        /// 2xx without an error envelope.
        case accepted(JSONValue?)
        /// A 2xx whose envelope reports a failure: no job.
        case failed(String)
        /// 429 or a rate-limit envelope code: not processed.
        case rateLimited(String)
        /// 5xx, 408, a transient envelope code or a 2xx that is not JSON: a job may exist.
        case mayExist(String)
        /// A status listed in `submit.retryOn`.
        case retryOn
        /// Any other refusal: nothing was created.
        case refused
    }

    private func meaning(status: Int, body: [UInt8]) -> Meaning {
        if (200..<300).contains(status) {
            let json: JSONValue
            do {
                guard let parsed = try Self.json(body) else { return .accepted(nil) }
                json = parsed
            } catch {
                return .mayExist(
                    "its answer (HTTP \(status)) is not JSON (\(error)): \(job.redactor.excerpt(body, limit: 120))"
                )
            }
            switch job.envelope.verdict(in: json) {
            case .rateLimited(let code, let message)?: return .rateLimited("\(code): \(message)")
            case .transient(let code, let message)?:
                return .mayExist("the provider answered HTTP \(status) with error \(code): \(message)")
            case .failed(let code, let message)?: return .failed(code.map { "\($0): \(message)" } ?? message)
            case nil: return .accepted(json)
            }
        }
        if status == 429 { return .rateLimited("HTTP 429") }
        if job.plan.retryOn.contains(status) { return .retryOn }
        if status >= 500 || status == 408 {
            return .mayExist(
                "the provider answered HTTP \(status): \(job.redactor.excerpt(body, limit: 120))")
        }
        return .refused
    }

    /// `HTTP_ERROR` or `RATE_LIMITED` for a non-2xx answer that created no job.
    private func refusal(status: Int, rawRetryAfter: String?, body: [UInt8], answer: ProviderAnswer)
        -> PollsterError
    {
        var error = PollsterError.providerAnswer(
            status: status, retryAfter: rawRetryAfter, body: body, context: "\(job.name): submit",
            redactor: job.redactor)
        error.provider = answer
        return error
    }

    /// A submit answer's body as JSON; nil when it is empty or blank (a bare 202).
    /// - Throws: the parse error of a body that is not JSON.
    package static func json(_ body: [UInt8]) throws -> JSONValue? {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        return try JSONParser.parse(body)
    }

    /// The wait before attempt `attempt + 1` when the provider says nothing: 0.25 s doubling,
    /// at most 8 s.
    package static func backoff(after attempt: Int) -> Duration { .milliseconds(250 << min(attempt - 1, 5)) }

    /// `delay` plus up to 10 % (at most one second) of random jitter, so clients that were
    /// told the same `Retry-After` do not come back at the same instant.
    package static func jittered(_ delay: Duration, using random: inout some RandomNumberGenerator)
        -> Duration
    {
        let extra = min(delay.seconds * 0.1, 1)
        return delay + .milliseconds(Int64(Double.random(in: 0...max(extra, 0.001), using: &random) * 1000))
    }
}
