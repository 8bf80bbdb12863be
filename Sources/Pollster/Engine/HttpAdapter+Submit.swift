import Foundation
import Logging
import PollsterCore

extension HttpAdapter {
    /// Sends the submit request, retrying only where no job can have been created (or
    /// where an idempotency key makes a repeat safe), and detects the task id.
    func submit(_ run: inout Invocation) async throws -> TransportResponse {
        let plan = run.method.plan.submit
        let idempotent = plan.idempotencyHeader != nil
        let request = try run.builder.submit(
            run.context, idempotencyKey: run.options.idempotencyKey ?? UUID().uuidString)
        run.submitURL = request.url
        let name = run.method.name
        var attempt = 0
        while true {
            attempt += 1
            let response: TransportResponse
            do {
                response = try await sendToProvider(run, request)
            } catch let failure as TransportFailure {
                if (failure.requestWasNotSent || idempotent) && attempt < plan.maxAttempts {
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
                throw PollsterError(
                    .submitUncertain,
                    "\(name): the submit request may have reached the provider but no answer came back (\(run.redactor.redact(failure.message))). It was not repeated, to avoid a second paid job; check the provider's dashboard, or declare submit.idempotencyHeader so repeats are safe"
                )
            }
            if (200..<300).contains(response.status) {
                try accept(&run, response)
                return response
            }
            let retryable = plan.retryOn.contains(response.status) || (idempotent && response.status >= 500)
            if retryable && attempt < plan.maxAttempts {
                let retryAfter = response.headers.first(name: "Retry-After").flatMap {
                    RetryAfter.delay(from: $0, now: Date())
                }
                try await Task.sleep(for: min(retryAfter ?? Self.submitBackoff(attempt), .seconds(60)))
                continue
            }
            throw Self.httpError(response, context: "\(name): submit", redactor: run.redactor)
        }
    }

    /// Restores a submitted job from its checkpoint: the same detection as at submit time,
    /// with the clock set back to when the provider accepted it.
    func resume(_ run: inout Invocation, from checkpoint: TaskCheckpoint) throws -> TransportResponse {
        let response = checkpoint.response
        run.submitURL = checkpoint.submitURL
        try accept(&run, response)
        run.submittedAt = checkpoint.submittedAt
        run.submitInstant = .now - .seconds(max(0, Date().timeIntervalSince(checkpoint.submittedAt)))
        return response
    }

    /// Reads a 2xx submit response: JSON body (or none for a bare 202), error envelope, task id.
    private func accept(_ run: inout Invocation, _ response: TransportResponse) throws {
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
        if let envelope = run.context.response?["Response"]?["Error"], envelope.isMeaningful {
            throw PollsterError(
                .taskFailed,
                "\(name): the provider refused the submit: \(run.redactor.redact(StatusClassifier.messageText(envelope) ?? envelope.description))"
            )
        }
        if let body = run.context.response,
            let detected = TaskIdDetector.detect(in: body, explicitPath: run.method.plan.submit.taskIdPath)
        {
            run.context.taskId = detected.value
            run.report.taskId = detected.source
        } else if run.method.plan.submit.taskIdPath != nil {
            throw run.taskIdMissing(response)
        }
        logger.info("submitted", metadata: ["tool": "\(name)", "taskId": "\(run.taskId ?? "-")"])
        run.emit(.submitted(taskId: run.taskId))
    }

    static func submitBackoff(_ attempt: Int) -> Duration { .milliseconds(250 << min(attempt - 1, 5)) }

    /// `HTTP_ERROR` or `RATE_LIMITED` for a non-2xx answer, quoting a redacted excerpt.
    static func httpError(_ response: TransportResponse, context: String, redactor: Redactor) -> PollsterError
    {
        let excerpt = redactor.excerpt(response.body)
        if response.status == 429 {
            let after = response.headers.first(name: "Retry-After").map { " (Retry-After: \($0))" } ?? ""
            return PollsterError(
                .rateLimited,
                "\(context) was rate limited by the provider (HTTP 429)\(after); slow down or raise the provider's quota. Body: \(excerpt)",
                httpStatus: 429)
        }
        let hint: String
        switch response.status {
        case 401, 403: hint = "check the API key or token"
        case 400, 422: hint = "check the input against the provider's API"
        case 404: hint = "check the endpoint and baseUrl"
        default: hint = "the provider may be having problems"
        }
        return PollsterError(
            .httpError, "\(context) answered HTTP \(response.status); \(hint). Body: \(excerpt)",
            httpStatus: response.status)
    }
}
