import Crypto
import Foundation
import Logging
import PollsterCore

extension HttpAdapter {
    /// Sends the submit request and detects the task id. When to send it again and what an
    /// answer means are `SubmitStep`'s rules; this sends the requests and looks a job up by its
    /// client reference when the step says one may exist.
    ///
    /// - Throws: `SUBMIT_UNCERTAIN` when the request may have created a job but no usable
    ///   answer came back (5xx, reset or timeout after sending, a 2xx that is not JSON);
    ///   `RATE_LIMITED` once rate-limit retries are used up; `HTTP_ERROR` for other refusals.
    func submit(_ run: inout Invocation) async throws -> TransportResponse {
        let request = try run.builder.submit(run.context)
        run.submitURL = request.url
        var step = SubmitStep(
            job: SubmitStep.Job(
                name: run.method.name, plan: run.method.plan.submit, envelope: run.method.plan.envelope,
                redactor: run.redactor))
        var random = SystemRandomNumberGenerator()
        while true {
            let event: SubmitStep.Event
            var response: TransportResponse?
            do {
                let answer = try await sendToProvider(run, request, kind: .submit)
                response = answer
                event = .answered(
                    status: answer.status, retryAfter: answer.headers.retryAfterDelay,
                    rawRetryAfter: answer.headers.retryAfter, body: answer.body)
            } catch let failure as TransportFailure {
                event = .requestFailed(run.redactor.redact(failure.message), sent: !failure.requestWasNotSent)
            }
            switch step.receive(event, using: &random) {
            case .accepted(let body):
                guard let response else { preconditionFailure("accepted without an answer") }
                try adopt(&run, body, response)
                return response
            case .retry(let delay, let reason):
                logger.warning(
                    "submit retrying",
                    metadata: [
                        "tool": "\(run.method.name)", "attempt": "\(step.attempts)", "delay": "\(delay)",
                        "reason": "\(reason)",
                    ])
                try await Task.sleep(for: delay)
            case .lookUp(let what, let answer):
                let (job, why) = try await reconcile(&run)
                if let job { return job }
                var error = Self.uncertain(run, request, what, lookup: why)
                if let answer {
                    error.httpStatus = answer.status
                    error.provider = answer
                }
                throw error
            case .fail(let error):
                throw error
            }
        }
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

    /// Reads a stored answer or the job a lookup found as a submit answer: JSON (or nothing),
    /// then `adopt`.
    func accept(_ run: inout Invocation, _ response: TransportResponse, taskIdPath: JSONPath? = nil) throws {
        let body: JSONValue?
        do { body = try SubmitStep.json(response.body) } catch {
            throw PollsterError(
                .submitUncertain,
                "\(run.method.name): the job's answer (HTTP \(response.status)) is not JSON (\(error)): \(run.redactor.excerpt(response.body))"
            )
        }
        try adopt(&run, body, response, taskIdPath: taskIdPath)
    }

    /// Takes the job an accepted answer describes: its JSON becomes `{response.…}` and its task
    /// id is read at `taskIdPath` when given, else `submit.taskIdPath`, else detected.
    func adopt(
        _ run: inout Invocation, _ body: JSONValue?, _ response: TransportResponse,
        taskIdPath: JSONPath? = nil
    )
        throws
    {
        run.submittedAt = Date()
        run.submitInstant = .now
        run.context.response = body
        let path = taskIdPath ?? run.method.plan.submit.taskIdPath
        if let body, let detected = TaskIdDetector.detect(in: body, explicitPath: path) {
            run.context.taskId = detected.value
            run.report.taskId = detected.source
        } else if path != nil {
            throw run.taskIdMissing(response)
        }
        logger.info("submitted", metadata: ["tool": "\(run.method.name)", "taskId": "\(run.taskId ?? "-")"])
        run.emit(.submitted(taskId: run.taskId))
    }

}
