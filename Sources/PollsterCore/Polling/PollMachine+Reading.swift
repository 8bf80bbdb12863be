extension PollMachine {
    /// What one poll came to: a status read from the answer, or a failed poll to retry.
    enum Outcome {
        case read(StatusReading, JSONValue, retryAfter: Duration?)
        case failed(PollsterError, retryAfter: Duration?)
    }

    /// Reads one poll's event.
    ///
    /// - A 404 after the provider has answered once: the task is gone (`TASK_NOT_FOUND`).
    /// - Location mode: 202 is running; a 200/201/204 is done unless its body reports failure or is
    ///   a passing error envelope; a final answer that does not parse is a failed poll.
    /// - Otherwise the body must be JSON; a passing error envelope is a failed poll; a non-2xx
    ///   answer is a failed poll unless its body states a terminal failure (and it is not a
    ///   "come back later" status).
    func read(_ event: Event, _ job: Job) -> Outcome {
        switch event {
        case .requestFailed(let error):
            return .failed(error, retryAfter: nil)
        case .answered(let status, let retryAfter, let body):
            if status == 404 && progress.seen {
                return .failed(
                    PollsterError(
                        .taskNotFound,
                        "\(job.name): the provider no longer knows task \(job.taskId ?? "") (HTTP 404 after it was seen); it expired or was deleted",
                        httpStatus: 404, taskId: job.taskId, lastStatus: lastStatus), retryAfter: nil)
            }
            // 204: done with nothing to say (Azure's answer to a finished DELETE operation).
            if mode == .location && [200, 201, 202, 204].contains(status) {
                return readLocation(status: status, body: body, job, retryAfter: retryAfter)
            }
            return readBody(status: status, body: body, job, retryAfter: retryAfter)
        }
    }

    private func readLocation(status: Int, body bytes: [UInt8], _ job: Job, retryAfter: Duration?) -> Outcome
    {
        if status == 202 {
            let body = (try? JSONParser.parse(bytes)) ?? .null
            return .read(Self.locationReading(.running, status: 202), body, retryAfter: retryAfter)
        }
        // A final answer must parse: a cut or garbled body is a failed poll, never completion.
        let body: JSONValue
        if Self.isBlank(bytes) {
            body = .null
        } else {
            do { body = try JSONParser.parse(bytes) } catch {
                return .failed(
                    PollsterError(
                        .transportError,
                        "\(job.name): the final answer (HTTP \(status)) is not JSON (\(error)): \(job.redactor.excerpt(bytes))"
                    ),
                    retryAfter: retryAfter)
            }
        }
        // A final answer can still report failure in its body (success-with-error rules apply),
        // or be a passing error envelope rather than the result.
        let reading = plan.classifier.classify(body)
        if let fault = reading.transientError {
            return .failed(passingFault(fault, job), retryAfter: retryAfter)
        }
        if reading.phase == .failed || reading.phase == .canceled {
            return .read(reading, body, retryAfter: retryAfter)
        }
        return .read(Self.locationReading(.succeeded, status: status), body, retryAfter: retryAfter)
    }

    private func readBody(status: Int, body bytes: [UInt8], _ job: Job, retryAfter: Duration?) -> Outcome {
        let body: JSONValue
        do {
            body = try JSONParser.parse(bytes)
        } catch {
            if (200..<300).contains(status) {
                return .failed(
                    PollsterError(
                        .transportError,
                        "\(job.name): status response is not JSON (\(error)): \(job.redactor.excerpt(bytes))"),
                    retryAfter: retryAfter)
            }
            return .failed(
                httpError(status: status, body: bytes, job, retryAfter: retryAfter), retryAfter: retryAfter)
        }
        let reading = plan.classifier.classify(body)
        if let fault = reading.transientError {
            return .failed(passingFault(fault, job), retryAfter: retryAfter)
        }
        if !(200..<300).contains(status) {
            // A terminal status in the body wins over the HTTP code (500 with {"status": "Failed", …}),
            // except on answers that only say "come back later".
            if reading.phase == .failed || reading.phase == .canceled, !Self.isRetryLater(status) {
                return .read(reading, body, retryAfter: retryAfter)
            }
            return .failed(
                httpError(status: status, body: bytes, job, retryAfter: retryAfter), retryAfter: retryAfter)
        }
        return .read(reading, body, retryAfter: retryAfter)
    }

    /// What a Location-mode answer says: the status code decides.
    static func locationReading(_ phase: TaskPhase, status: Int) -> StatusReading {
        StatusReading(
            phase: phase, rawStatus: "HTTP \(status)", rule: "Location mode: 202 running, 200/201/204 done")
    }

    /// Answers that only say "come back later", whatever their body: 429 and gateway errors.
    static func isRetryLater(_ status: Int) -> Bool {
        status == 429 || status == 502 || status == 503 || status == 504
    }

    static func isBlank(_ body: [UInt8]) -> Bool {
        body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }

    private func httpError(status: Int, body: [UInt8], _ job: Job, retryAfter: Duration?) -> PollsterError {
        .providerAnswer(
            status: status, retryAfter: retryAfter.map { "\(Int($0.seconds.rounded(.up)))" }, body: body,
            context: "\(job.name): status request", redactor: job.redactor)
    }

    /// A poll answered with a rate-limit or transient error envelope: retried like a 5xx.
    private func passingFault(_ text: String, _ job: Job) -> PollsterError {
        PollsterError(
            .httpError,
            "\(job.name): the provider answered a passing error (\(job.redactor.redact(text))); polling again"
        )
    }
}
