import OrderedCollections

/// The rules of the result step (`result:` in the config): one request after the job succeeded,
/// whose JSON becomes the final result (fal's `response_url`, Azure's `resourceLocation`). Like
/// `PollMachine` it does no I/O and has no clock: the engine sends the request, feeds the answer
/// in and does what comes back.
///
/// The job has succeeded by then, so the request is retried like a download (an idempotent
/// read, `OutputRetry`): transport failures, 408/429/5xx and bodies that are not JSON, up to
/// `output.maxAttempts` attempts. A 404 or another 4xx ends it; one of `result.failureStatuses`
/// with a JSON message means the job failed after all (fal reports a model's failure this way).
package struct ResultStep: Sendable {
    /// What the step knows about its job.
    package struct Job: Sendable {
        /// `inventory.method`, for messages.
        package let name: String
        /// The provider's task id, if known.
        package let taskId: String?
        /// The last status the polls read (redacted), for a failure's report.
        package let lastStatus: String?
        /// Hides the call's secrets in everything quoted.
        package let redactor: Redactor

        /// A job from its parts.
        package init(name: String, taskId: String?, lastStatus: String?, redactor: Redactor) {
            self.name = name
            self.taskId = taskId
            self.lastStatus = lastStatus
            self.redactor = redactor
        }
    }

    /// What happened to a result request.
    package enum Event: Sendable {
        /// The provider answered; `retryAfter` is its `Retry-After`, read, and `rawRetryAfter`
        /// the header as sent (quoted in a rate-limit error).
        case answered(status: Int, retryAfter: Duration?, rawRetryAfter: String?, body: [UInt8])
        /// No answer (a transport failure); its message, redacted.
        case requestFailed(String)
    }

    /// What to do next.
    package enum Action: Sendable, Equatable {
        /// The result is this JSON.
        case done(JSONValue)
        /// Send the request again after this delay.
        case retry(after: Duration)
        /// The step failed; the job's outcome is this error.
        case fail(PollsterError)
    }

    private let job: Job
    private let failureStatuses: Set<Int>
    private let maxAttempts: Int
    /// Requests answered or failed so far.
    package private(set) var attempts = 0

    /// A step for `job`, treating `failureStatuses` as the provider's failure answers and giving
    /// up after `maxAttempts` attempts.
    package init(job: Job, failureStatuses: Set<Int>, maxAttempts: Int) {
        self.job = job
        self.failureStatuses = failureStatuses
        self.maxAttempts = maxAttempts
    }

    /// Takes what happened to one request and says what to do next.
    package mutating func receive(_ event: Event, using random: inout some RandomNumberGenerator) -> Action {
        attempts += 1
        let failure: PollsterError
        var retryAfter: Duration?
        switch event {
        case .answered(let status, let after, let rawRetryAfter, let body):
            retryAfter = after
            if (200..<300).contains(status) {
                do { return .done(try JSONParser.parse(body)) } catch {
                    failure = PollsterError(
                        .transportError,
                        "\(job.name): the result response is not JSON (\(error)): \(job.redactor.excerpt(body))",
                        taskId: job.taskId)
                }
            } else {
                if let rejection = rejection(status: status, body: body) { return .fail(rejection) }
                var error = PollsterError.providerAnswer(
                    status: status, retryAfter: rawRetryAfter, body: body,
                    context: "\(job.name): result request", redactor: job.redactor)
                error.taskId = job.taskId
                error.provider = ProviderAnswer(status: status, body: job.redactor.excerpt(body))
                guard PollsterError.isTransient(httpStatus: status), status != 404 else {
                    return .fail(error)
                }
                failure = error
            }
        case .requestFailed(let message):
            failure = PollsterError(
                .transportError, "\(job.name): the job succeeded but fetching its result failed (\(message))",
                taskId: job.taskId)
        }
        guard attempts < maxAttempts else {
            var final = failure
            final.message +=
                " (after \(attempts) attempts); task \(job.taskId ?? "") succeeded and its result can be fetched again"
            return .fail(final)
        }
        return .retry(after: OutputRetry.delay(after: attempts, retryAfter: retryAfter, using: &random))
    }

    /// An answer with one of `failureStatuses` and a JSON message: the job ran and failed; a
    /// message or an `error_type` saying the request was canceled (fal's 499 `client_cancelled`)
    /// makes it `TASK_CANCELED`. A body that is not JSON (a proxy's error page) is no such answer,
    /// nor is a 5xx unless its body is the model's own error as fal sends it (an `error_type`, or
    /// a `detail` list): a server's generic error (`{"detail": "Internal Server Error"}`,
    /// `{"error": …}`) is asked again.
    private func rejection(status: Int, body: [UInt8]) -> PollsterError? {
        guard failureStatuses.contains(status),
            case .object(let object)? = try? JSONParser.parse(body),
            status < 500 || object["error_type"] != nil || object["detail"]?.arrayValue != nil,
            let detail = ["detail", "error", "message", "errors"].lazy.compactMap({ object[$0] }).first,
            let message = Self.text(of: detail)
        else { return nil }
        let errorType = object["error_type"].flatMap(StatusClassifier.messageText) ?? ""
        if message.lowercased().contains("cancel") || errorType.lowercased().contains("cancel") {
            return PollsterError(
                .taskCanceled,
                "\(job.name): the provider reports the request as canceled (result step, HTTP \(status)): \(job.redactor.redact(message))",
                httpStatus: status, taskId: job.taskId, lastStatus: job.lastStatus)
        }
        return PollsterError(
            .taskFailed,
            "\(job.name): the provider reports failure (result step, HTTP \(status)): \(job.redactor.redact(message))",
            httpStatus: status, taskId: job.taskId, lastStatus: job.lastStatus)
    }

    /// The text of an error value; a list of errors (fal's `detail[]`) joins their messages.
    private static func text(of value: JSONValue) -> String? {
        if case .array(let items) = value {
            let texts = items.compactMap(StatusClassifier.messageText)
            return texts.isEmpty ? nil : texts.joined(separator: "; ")
        }
        return StatusClassifier.messageText(value)
    }
}
