extension JobMachine {
    static func submitEvent(_ event: Event) -> SubmitStep.Event {
        switch event {
        case .submitFailed(let message, let reach): .requestFailed(message, reach)
        case .submitAnswered(let answer):
            .answered(
                status: answer.status, retryAfter: answer.retryAfter, rawRetryAfter: answer.rawRetryAfter,
                body: answer.body)
        default: preconditionFailure("not a submit event")
        }
    }

    /// Does what `SubmitStep` decided about a submit answer.
    mutating func submitted(
        _ decision: SubmitStep.Action, _ event: Event, attempt: Int, overrides: Overrides, at now: Duration,
        using random: inout some RandomNumberGenerator
    ) -> Step {
        switch decision {
        case .accepted(let body):
            guard case .submitAnswered(let answer) = event else {
                preconditionFailure("accepted without an answer")
            }
            if let error = adopt(body, answer, taskIdPath: nil, at: now) { return finish(.fail(error)) }
            return beginPolling(
                [.accepted(answer, isNew: true, submitURL: submitURL)], answer, progress: nil,
                overrides: overrides, at: now,
                using: &random)
        case .retry(let delay, let reason):
            return Step([.retryingSubmit(attempt: attempt, delay: delay, reason: reason)], .wait(delay))
        case .lookUp(let what, let answer):
            return beginLookup(what: what, answer: answer, overrides: overrides)
        case .fail(let error):
            return finish(.fail(error))
        }
    }

    // Looking an interrupted submit's job up by its client reference (`submit.reconcile`).

    mutating func beginLookup(what: String, answer: ProviderAnswer?, overrides: Overrides) -> Step {
        guard job.plan.submit.reconcile != nil else {
            return finish(.failUncertain(what: what, answer: answer, lookup: ""))
        }
        phase = .lookingUp(attempt: 1, what: what, answer: answer, overrides)
        return Step(.send(.lookup))
    }

    /// A lookup answered: the job that carries the reference stands in for the lost submit
    /// answer. The lookup is a read, so it is repeated (`lookup.attempts`) until it finds the job.
    mutating func lookedUp(_ lookup: Answer, at now: Duration, using random: inout some RandomNumberGenerator)
        -> Step
    {
        guard case .lookingUp(let attempt, let what, let submitAnswer, let overrides) = phase,
            let reconcile = job.plan.submit.reconcile
        else {
            return finish(.fail(PollsterError(.internal, "internal error: a lookup answer without a lookup")))
        }
        let redactor = job.redactor
        guard (200..<300).contains(lookup.status) else {
            let why =
                lookup.status == 404
                ? "the provider has no job with this reference (HTTP 404)"
                : "the lookup answered HTTP \(lookup.status): \(redactor.excerpt(lookup.body, limit: 120))"
            return lookupMissed(
                attempt: attempt, why: why, what: what, answer: submitAnswer, overrides: overrides,
                failed: false)
        }
        guard let answer = try? JSONParser.parse(lookup.body) else {
            let why = "the lookup's answer is not JSON: \(redactor.excerpt(lookup.body, limit: 120))"
            return lookupMissed(
                attempt: attempt, why: why, what: what, answer: submitAnswer, overrides: overrides,
                failed: false)
        }
        let reference = context.reference ?? ""
        guard let found = reconcile.job(in: answer, reference: reference) else {
            var why = "no job listed carries the reference"
            if reference.count < ReconcilePlan.minimumEmbeddedReferenceLength {
                why +=
                    " (a reference shorter than \(ReconcilePlan.minimumEmbeddedReferenceLength) characters matches only a whole field, never inside a text such as a title; use a longer idempotency key, e.g. a UUID)"
            }
            return lookupMissed(
                attempt: attempt, why: why, what: what, answer: submitAnswer, overrides: overrides,
                failed: false)
        }
        let jobAnswer = Answer(status: 200, body: JSONWriter.bytes(found))
        if let error = adopt(found, jobAnswer, taskIdPath: reconcile.taskIdPath, at: now) {
            return finish(
                .failUncertain(
                    what: what, answer: submitAnswer,
                    lookup: "a job was found but cannot be used (\(error.message))"))
        }
        foundByReference = true
        report.taskId = "\(report.taskId ?? "detected") (job found by its client reference)"
        return beginPolling(
            [.foundByReference(attempt: attempt), .accepted(jobAnswer, isNew: true, submitURL: submitURL)],
            jobAnswer, progress: nil, overrides: overrides, at: now, using: &random)
    }

    /// A lookup that found nothing: another after `lookup.delay`, or `SUBMIT_UNCERTAIN`.
    /// - Parameter failed: `why` is the message of a lookup that got no answer.
    mutating func lookupMissed(
        attempt: Int, why: String, what: String, answer: ProviderAnswer?, overrides: Overrides,
        failed: Bool = true
    ) -> Step {
        let why = failed ? "the lookup failed (\(why))" : why
        guard let reconcile = job.plan.submit.reconcile, attempt < reconcile.attempts else {
            return finish(.failUncertain(what: what, answer: answer, lookup: why))
        }
        phase = .lookingUp(attempt: attempt + 1, what: what, answer: answer, overrides)
        return Step(.wait(reconcile.delay))
    }

    // The accepted job.

    /// Takes the job an accepted answer describes: its JSON becomes `{response.…}` and its task
    /// id is read at `taskIdPath` when given, else `submit.taskIdPath`, else detected.
    /// - Returns: `TASK_ID_NOT_FOUND` when a path is set and holds no id.
    mutating func adopt(_ body: JSONValue?, _ answer: Answer, taskIdPath: JSONPath?, at time: Duration)
        -> PollsterError?
    {
        submittedAt = time
        context.response = body
        let path = taskIdPath ?? job.plan.submit.taskIdPath
        if let body, let detected = TaskIdDetector.detect(in: body, explicitPath: path) {
            context.taskId = detected.value
            report.taskId = detected.source
        } else if path != nil {
            return taskIdMissing(answer)
        }
        return nil
    }

    /// Reads the accepted answer for a status and sets up polling: a final answer needs none;
    /// otherwise the status URL is configured or detected, and the first poll is scheduled.
    mutating func beginPolling(
        _ notices: [Notice], _ answer: Answer, progress: PollMachine.Progress?, overrides: Overrides,
        at now: Duration, using random: inout some RandomNumberGenerator
    ) -> Step {
        let body = context.response
        guard let polling = job.plan.polling else { return fetchResult(body ?? .null, notices) }
        if let body {
            let reading = polling.classifier.bound(taskId: context.taskId).classify(body)
            if reading.phase == .failed || reading.phase == .canceled {
                report.statusRule = reading.rule
                return finish(.fail(PollMachine.terminalError(reading, job: pollJob)), notices)
            }
            if reading.phase == .succeeded, !OutputFinder.find(in: body).isEmpty {
                report.statusRule = "\(reading.rule) (in the submit response; no polling needed)"
                return fetchResult(body, notices)
            }
        }
        let mode: StatusURLDetector.Mode
        switch findStatusURL(answer, polling: polling) {
        case .success(let found): mode = found
        case .failure(let error): return finish(.fail(error), notices)
        }
        if polling.requestUsesTaskId, context.taskId == nil {
            // Polling with an empty id would ask about no task until the deadline.
            return finish(.fail(taskIdMissing(answer)), notices)
        }
        // A resumed job goes on from where polling stood; a new one looks first when a 202's
        // Retry-After (Azure-style operations) says.
        var machine = PollMachine(
            job: pollJob, plan: polling, mode: mode, interval: overrides.interval, maxWait: overrides.maxWait,
            retryAfter: progress == nil ? answer.retryAfter : nil, progress: progress ?? .init())
        let first = machine.start(for: pollJob, elapsed: now - submittedAt, using: &random)
        phase = .polling(machine)
        // Needed only to resolve a detected status URL, done by now.
        submitURL = ""
        switch first {
        case .poll(let delay): return Step(notices, .wait(delay))
        case .timeOut(let error): return timedOut(error, notices)
        case .fail(let error): return finish(.fail(error), notices)
        case .succeed(let final): return fetchResult(final, notices)
        }
    }

    /// Polling ran out of time: cancel the job at the provider first when `cancel.onTimeout` says.
    mutating func timedOut(_ error: PollsterError, _ notices: [Notice]) -> Step {
        let cancels = job.plan.cancel?.onTimeout == true && context.taskId != nil
        return finish(cancels ? .cancelAndFail(error) : .fail(error), notices)
    }

    /// The status URL: configured, or detected from the accepted answer (a relative one resolves
    /// against the submit URL; a 202's operation URL also gives the task id).
    private mutating func findStatusURL(_ answer: Answer, polling: PollingPlan)
        -> Result<StatusURLDetector.Mode, PollsterError>
    {
        if let template = polling.statusUrl {
            if template.usesTaskId, context.taskId == nil { return .failure(taskIdMissing(answer)) }
            report.statusUrl = "config polling.statusUrl"
            statusURL = .configured(template)
            return .success(.statusBody)
        }
        guard
            let (detected, mode) = StatusURLDetector.detect(
                body: context.response, status: answer.status, header: answer.header)
        else {
            return .failure(
                PollsterError(
                    .taskIdNotFound,
                    "\(job.name): the submit response gives no status URL (looked for status_url, statusUrl, urls.get, polling_url, operation_url, the Operation-Location and Azure-AsyncOperation headers of a 2xx and the Location header of a 202); set polling.statusUrl. Response: \(job.redactor.excerpt(answer.body))",
                    taskId: context.taskId))
        }
        report.statusUrl = detected.source
        let url = HTTPURL.resolve(detected.value, against: submitURL)
        if context.taskId == nil, let last = HTTPURL(url)?.path.split(separator: "/").last, !last.isEmpty {
            // 202 + Operation-Location carries no id in a body: the operation's last path segment is its id.
            context.taskId = PercentEncoding.decode(String(last)) ?? String(last)
            report.taskId = "\(detected.source) (last path segment)"
        }
        statusURL = .detected(url)
        return .success(mode)
    }

    /// The job as the polling machine knows it.
    var pollJob: PollMachine.Job {
        PollMachine.Job(name: job.name, taskId: context.taskId, redactor: job.redactor)
    }

    /// `TASK_ID_NOT_FOUND` for an accepted answer without a usable task id.
    func taskIdMissing(_ answer: Answer) -> PollsterError {
        PollsterError(
            .taskIdNotFound,
            "\(job.name): no task id in the submit response (looked for \(TaskIdDetector.names.prefix(6).joined(separator: ", ")), … at the top level and inside data, result, task, job, Response, operation); set adapterConfig.submit.taskIdPath. Response: \(job.redactor.excerpt(answer.body))"
        )
    }
}
