import Crypto
import Foundation
import Logging
import PollsterCore

extension HttpAdapter {
    /// Sends the submit request, retrying only where no job can have been created (or
    /// where an idempotency key makes a repeat safe), and detects the task id.
    ///
    /// - Throws: `SUBMIT_UNCERTAIN` when the request may have created a job but no usable
    ///   answer came back (5xx, reset or timeout after sending, a 2xx that is not JSON);
    ///   `RATE_LIMITED` once rate-limit retries are used up; `HTTP_ERROR` for other refusals.
    func submit(_ run: inout Invocation) async throws -> TransportResponse {
        let plan = run.method.plan.submit
        let idempotent = plan.idempotencyHeader != nil
        let request = try run.builder.submit(run.context)
        run.submitURL = request.url
        let name = run.method.name
        var attempt = 0
        while true {
            attempt += 1
            let canRetry = attempt < plan.maxAttempts
            let response: TransportResponse
            do {
                response = try await sendToProvider(run, request, kind: .submit)
            } catch let failure as TransportFailure {
                if (failure.requestWasNotSent || idempotent) && canRetry {
                    logger.warning(
                        "submit failed, retrying", metadata: ["tool": "\(name)", "attempt": "\(attempt)"])
                    try await Task.sleep(for: Self.submitBackoff(attempt))
                    continue
                }
                if failure.requestWasNotSent {
                    throw PollsterError(
                        .transportError,
                        "\(name): could not reach the provider (\(run.redactor.redact(failure.message))); nothing was submitted, it is safe to try again"
                    )
                }
                return try await foundOrUncertain(
                    &run, request, "no answer came back (\(run.redactor.redact(failure.message)))")
            }
            let refusal = Self.submitRefusal(response, run)
            switch refusal {
            case .accepted:
                do {
                    try accept(&run, response)
                } catch let error as PollsterError where error.code == .submitUncertain {
                    // A 2xx whose body is not JSON: a job may exist; look it up if the method can.
                    let (job, why) = try await reconcile(&run)
                    guard let job else {
                        var uncertain = error
                        if !why.isEmpty {
                            uncertain.message +=
                                ". Looking the job up by its client reference \(run.context.reference ?? "-") found nothing: \(why)"
                        }
                        throw uncertain
                    }
                    return job
                }
                return response
            case .rateLimited(let retryAfter, let detail) where plan.retryRateLimited && canRetry:
                let delay = Self.jittered(min(retryAfter ?? Self.submitBackoff(attempt), plan.maxRetryAfter))
                logger.warning(
                    "submit rate limited, retrying",
                    metadata: [
                        "tool": "\(name)", "attempt": "\(attempt)", "delay": "\(delay)",
                        "answer": "\(detail)",
                    ])
                try await Task.sleep(for: delay)
                continue
            case .rateLimited(_, let detail):
                var error = Self.httpError(response, context: "\(name): submit", redactor: run.redactor)
                if response.status != 429 {
                    error = PollsterError(
                        .rateLimited,
                        "\(name): submit was rate limited by the provider (\(run.redactor.redact(detail))) after \(attempt) attempt(s); nothing was processed. Slow down, raise the provider's quota or submit.maxAttempts",
                        httpStatus: response.status)
                }
                error.provider = Self.answer(response, run.redactor)
                throw error
            case .mayExist(let detail) where idempotent && canRetry:
                logger.warning(
                    "submit answered a server error, retrying with the same idempotency key",
                    metadata: ["tool": "\(name)", "attempt": "\(attempt)", "answer": "\(detail)"])
                try await Task.sleep(for: Self.submitBackoff(attempt))
                continue
            case .mayExist(let detail):
                return try await foundOrUncertain(
                    &run, request, "the provider answered \(run.redactor.redact(detail))", answer: response)
            case .retryOn where canRetry:
                let retryAfter = response.headers.first(name: "Retry-After").flatMap {
                    RetryAfter.delay(from: $0, now: Date())
                }
                try await Task.sleep(for: min(retryAfter ?? Self.submitBackoff(attempt), plan.maxRetryAfter))
                continue
            case .retryOn, .refused:
                var error = Self.httpError(response, context: "\(name): submit", redactor: run.redactor)
                error.provider = Self.answer(response, run.redactor)
                throw error
            }
        }
    }

    /// What a submit answer means for the job.
    private enum SubmitAnswer {
        /// 2xx without an error envelope.
        case accepted
        /// 429 or a rate-limit envelope code: not processed.
        case rateLimited(retryAfter: Duration?, detail: String)
        /// 5xx, or a transient envelope code: a job may exist.
        case mayExist(detail: String)
        /// A status listed in `submit.retryOn`.
        case retryOn
        /// Any other refusal: nothing was created.
        case refused
    }

    private static func submitRefusal(_ response: TransportResponse, _ run: Invocation) -> SubmitAnswer {
        let plan = run.method.plan.submit
        let retryAfter = response.headers.first(name: "Retry-After").flatMap {
            RetryAfter.delay(from: $0, now: Date())
        }
        if (200..<300).contains(response.status) {
            guard let body = try? JSONParser.parse(response.body) else { return .accepted }
            switch run.method.plan.envelope.verdict(in: body) {
            case .rateLimited(let code, let message)?:
                return .rateLimited(retryAfter: retryAfter, detail: "\(code): \(message)")
            case .transient(let code, let message)?:
                return .mayExist(detail: "HTTP \(response.status) with error \(code): \(message)")
            default: return .accepted
            }
        }
        if response.status == 429 { return .rateLimited(retryAfter: retryAfter, detail: "HTTP 429") }
        if plan.retryOn.contains(response.status) { return .retryOn }
        if response.status >= 500 || response.status == 408 {
            return .mayExist(
                detail: "HTTP \(response.status): \(run.redactor.excerpt(response.body, limit: 120))")
        }
        return .refused
    }

    /// The job found by its client reference when the method can reconcile; else
    /// `SUBMIT_UNCERTAIN` (the request may have created a job; it is not repeated).
    private func foundOrUncertain(
        _ run: inout Invocation, _ request: TransportRequest, _ what: String, answer: TransportResponse? = nil
    ) async throws -> TransportResponse {
        let (job, why) = try await reconcile(&run)
        if let job { return job }
        var error = Self.uncertain(run, request, what, lookup: why)
        if let answer {
            error.httpStatus = answer.status
            error.provider = Self.answer(answer, run.redactor)
        }
        throw error
    }

    /// `SUBMIT_UNCERTAIN`: the request may have created a job; it is not repeated.
    /// `lookup` says what `submit.reconcile` found, when the method declares it.
    static func uncertain(_ run: Invocation, _ request: TransportRequest, _ what: String, lookup: String = "")
        -> PollsterError
    {
        let found =
            lookup.isEmpty
            ? ""
            : " Looking the job up by its client reference \(run.context.reference ?? "-") found nothing: \(lookup)."
        var error = PollsterError(
            .submitUncertain,
            "\(run.method.name): the submit request may have reached the provider but \(what).\(found) It was not repeated, to avoid a second paid job; check the provider's dashboard for a job matching request sha256 \(fingerprint(request, run.redactor).prefix(16))…, or declare submit.idempotencyHeader (or submit.reconcile) so this resolves itself"
        )
        error.requestFingerprint = fingerprint(request, run.redactor)
        return error
    }

    /// SHA-256 (hex) of the request's method, redacted URL and body.
    static func fingerprint(_ request: TransportRequest, _ redactor: Redactor) -> String {
        var hasher = SHA256()
        hasher.update(data: Array("\(request.method) \(redactor.redact(request.url))\n".utf8))
        hasher.update(data: request.body ?? [])
        return Hex.lowercase(hasher.finalize())
    }

    /// The provider's answer as errors quote it.
    static func answer(_ response: TransportResponse, _ redactor: Redactor) -> ProviderAnswer {
        ProviderAnswer(status: response.status, body: redactor.excerpt(response.body))
    }

    /// `delay` plus up to 10 % (at most one second) of random jitter, so clients that were
    /// told the same `Retry-After` do not come back at the same instant.
    static func jittered(_ delay: Duration) -> Duration {
        let extra = min(delay.seconds * 0.1, 1)
        return delay + .milliseconds(Int64(Double.random(in: 0...max(extra, 0.001)) * 1000))
    }

    /// Restores a submitted job from its checkpoint: the same detection as at submit time,
    /// with the clock set back to when the provider accepted it.
    func resume(_ run: inout Invocation, from checkpoint: TaskCheckpoint) throws -> TransportResponse {
        let response = checkpoint.response
        run.submitURL = checkpoint.submitURL
        run.foundByReference = checkpoint.foundByReference
        try accept(
            &run, response,
            taskIdPath: checkpoint.foundByReference ? run.method.plan.submit.reconcile?.taskIdPath : nil)
        run.submittedAt = checkpoint.submittedAt
        run.submitInstant = .now - .seconds(max(0, Date().timeIntervalSince(checkpoint.submittedAt)))
        return response
    }

    /// Reads a 2xx submit response: JSON body (or none for a bare 202), error envelope, task id
    /// (at `taskIdPath` when given, else `submit.taskIdPath`, else detected).
    func accept(_ run: inout Invocation, _ response: TransportResponse, taskIdPath: JSONPath? = nil) throws {
        run.submittedAt = Date()
        run.submitInstant = .now
        let name = run.method.name
        let isBlank = response.body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if !isBlank {
            do {
                run.context.response = try JSONParser.parse(response.body)
            } catch {
                throw PollsterError(
                    .submitUncertain,
                    "\(name): the provider accepted the submit (HTTP \(response.status)) but its body is not JSON (\(error)): \(run.redactor.excerpt(response.body)). A job may have been created; it was not repeated"
                )
            }
        }
        if let body = run.context.response,
            case .failed(let code, let message)? = run.method.plan.envelope.verdict(in: body)
        {
            var error = PollsterError(
                .taskFailed,
                "\(name): the provider refused the submit: \(run.redactor.redact(code.map { "\($0): \(message)" } ?? message))"
            )
            error.provider = Self.answer(response, run.redactor)
            throw error
        }
        if let body = run.context.response,
            let detected = TaskIdDetector.detect(
                in: body, explicitPath: taskIdPath ?? run.method.plan.submit.taskIdPath)
        {
            run.context.taskId = detected.value
            run.report.taskId = detected.source
        } else if (taskIdPath ?? run.method.plan.submit.taskIdPath) != nil {
            throw run.taskIdMissing(response)
        }
        logger.info("submitted", metadata: ["tool": "\(name)", "taskId": "\(run.taskId ?? "-")"])
        run.emit(.submitted(taskId: run.taskId))
    }

    static func submitBackoff(_ attempt: Int) -> Duration { .milliseconds(250 << min(attempt - 1, 5)) }

    /// `HTTP_ERROR` or `RATE_LIMITED` for a non-2xx answer, quoting a redacted excerpt.
    static func httpError(_ response: TransportResponse, context: String, redactor: Redactor) -> PollsterError
    {
        .providerAnswer(
            status: response.status, retryAfter: response.headers.first(name: "Retry-After"),
            body: response.body,
            context: context, redactor: redactor)
    }
}
