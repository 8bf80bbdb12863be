import Foundation
import Logging
import PollsterCore

/// Where polling stands between two polls of one job.
struct PollState: Sendable {
    let url: String
    let mode: StatusURLDetector.Mode
    /// The method's polling plan, its classifier bound to the task id.
    let polling: PollingPlan
    /// The method's schedule with `InvokeOptions.pollInterval` and `maxWait` applied.
    let schedule: PollSchedule
    /// Polls scheduled so far.
    var number = 0
    var retryAfter: Duration?
    var consecutiveErrors = 0
    /// Whether the provider has answered a poll for this task (a later 404 then means it is gone).
    var seen = false
    var unknown: [String] = []
    /// Answers in a row in which no status field was found.
    var withoutStatus = 0
    /// The origin of the status URL last checked against the URL policy.
    var checkedOrigin: String?

    init(
        run: Invocation, url: String, mode: StatusURLDetector.Mode, polling: PollingPlan,
        retryAfter: Duration?
    ) {
        let polling = polling.bound(taskId: run.taskId)
        var schedule = polling.schedule
        if let interval = run.options.pollInterval { schedule.interval = interval }
        if let maxWait = run.options.maxWait { schedule.maxWait = maxWait }
        self.url = url
        self.mode = polling.mode ?? mode
        self.polling = polling
        self.schedule = schedule
        self.retryAfter = retryAfter
    }
}

extension HttpAdapter {
    /// Polls once and takes the answer into account.
    ///
    /// A failed poll (transport error, 5xx, 429, malformed body) is retried on the
    /// schedule; it never restarts the job.
    /// - Returns: the delay before the next poll; nil when the job succeeded (its status JSON is
    ///   then `stage.final`).
    /// - Throws: the job's failure, the last error after too many failed polls in a row, or
    ///   `POLLING_TIMEOUT` when the schedule allows no further poll.
    func pollStep(_ stage: inout JobState.Stage) async throws -> Duration? {
        guard var state = stage.polling else { return nil }
        let polling = state.polling
        state.retryAfter = nil
        let statusURL =
            try polling.statusUrl.map { try stage.run.builder.configuredURL($0, stage.run.context) }
            ?? state.url
        if let origin = HTTPURL(statusURL)?.origin, origin != state.checkedOrigin {
            try await checkResponseURL(stage.run, statusURL, key: "status URL")
            state.checkedOrigin = origin
        }
        let remaining = state.schedule.maxWait - (.now - stage.run.submitInstant)
        let outcome = await pollOnce(
            &stage.run, url: statusURL, mode: state.mode, polling: polling, seen: state.seen,
            remaining: remaining)
        // A poll cut short because the caller canceled the invocation is no failed poll: the
        // invocation ends as CANCELED.
        try Task.checkCancellation()
        if let body = try record(
            outcome, &stage.run, &state, maxConsecutiveErrors: polling.maxConsecutiveErrors)
        {
            stage.final = body
            stage.polling = nil
            return nil
        }
        let delay = try await nextDelay(stage.run, &state)
        stage.polling = state
        return delay
    }

    /// The delay before the next poll.
    /// - Throws: `POLLING_TIMEOUT` (after canceling the job when `cancel.onTimeout` is set) when
    ///   the schedule allows no further poll.
    func nextDelay(_ run: Invocation, _ state: inout PollState) async throws -> Duration {
        state.number += 1
        var random = SystemRandomNumberGenerator()
        if let delay = state.schedule.delay(
            beforePoll: state.number, retryAfter: state.retryAfter, elapsed: .now - run.submitInstant,
            using: &random)
        {
            return delay
        }
        var error = timeout(run, schedule: state.schedule, unknown: state.unknown)
        if let canceled = await cancelAfterTimeout(run) { error.message += ". " + canceled }
        throw error
    }

    /// Takes one poll's outcome into account: the final body when the job succeeded, nil to poll again.
    ///
    /// Synchronous and not inlined on purpose: its temporaries (errors, events, log metadata) then
    /// live on the thread's stack, not in the async frame every waiting job keeps (docs/benchmarks.md).
    /// - Throws: the job's failure, or the last error after too many failed polls in a row.
    @inline(never)
    private func record(
        _ outcome: PollOutcome, _ run: inout Invocation, _ loop: inout PollState, maxConsecutiveErrors: Int
    ) throws(PollsterError) -> JSONValue? {
        let number = loop.number
        switch outcome {
        case .failed(let error, let after):
            loop.consecutiveErrors += 1
            loop.retryAfter = after
            run.emit(
                .polled(number: number, phase: .unknown, status: nil, progress: nil, error: error.message)
            )
            logger.debug(
                "poll failed", metadata: ["tool": "\(run.method.name)", "error": "\(error.message)"])
            if error.code == .taskNotFound
                || error.code == .httpError && !(error.httpStatus.map(Self.isTransient) ?? true)
            {
                var final = error
                final.taskId = run.taskId
                throw final
            }
            if loop.consecutiveErrors >= maxConsecutiveErrors {
                var final = error
                final.message =
                    "\(run.method.name): \(loop.consecutiveErrors) polls in a row failed (polling.maxConsecutiveErrors); the task \(run.taskId ?? "") may still be running at the provider. Last error: \(error.message)"
                final.taskId = run.taskId
                throw final
            }
            return nil
        case .read(let reading, let body, let after):
            loop.consecutiveErrors = 0
            loop.seen = true
            if reading.statusFieldMissing && loop.mode == .statusBody {
                loop.withoutStatus += 1
                if loop.withoutStatus >= Self.pollsWithoutStatusField {
                    throw PollsterError(
                        .invalidConfig,
                        "\(run.method.name): status field not found at \(loop.polling.classifier.statusFieldDescription) in \(loop.withoutStatus) answers in a row; set polling.statusPath (or acceptors) to where this provider puts the status. The task \(run.taskId ?? "") may still be running at the provider. Last answer: \(run.redactor.excerpt(Array(body.description.utf8)))",
                        taskId: run.taskId)
                }
            } else {
                loop.withoutStatus = 0
            }
            loop.retryAfter = after
            run.context.status = body
            run.lastStatus = reading.rawStatus.map(run.redactor.redact)
            run.report.statusPath = reading.statusPath
            run.report.statusRule = reading.rule
            run.emit(
                .polled(
                    number: number, phase: reading.phase, status: run.lastStatus,
                    progress: reading.progress,
                    error: nil))
            if reading.phase == .unknown, let raw = reading.rawStatus.map(run.redactor.redact),
                !loop.unknown.contains(raw)
            {
                loop.unknown.append(raw)
                run.report.unknownStatuses = loop.unknown
                logger.warning(
                    "unrecognised status value; still polling",
                    metadata: ["tool": "\(run.method.name)", "status": "\(raw)"])
            }
            switch reading.phase {
            case .succeeded: return body
            case .failed, .canceled: throw run.terminalError(reading)
            default: return nil
            }
        }
    }

    private enum PollOutcome {
        case read(StatusReading, JSONValue, retryAfter: Duration?)
        case failed(PollsterError, retryAfter: Duration?)
    }

    /// The time the poll due at the deadline may take.
    static let lastPollGrace = Duration.seconds(1)

    /// Answers in a row without a status field before polling stops with a config error.
    static let pollsWithoutStatusField = 3

    private func pollOnce(
        _ run: inout Invocation, url: String, mode: StatusURLDetector.Mode, polling: PollingPlan, seen: Bool,
        remaining: Duration
    ) async -> PollOutcome {
        let name = run.method.name
        let response: TransportResponse
        do {
            var request = try run.builder.status(url: url, run.context, polling: polling)
            // The deadline includes request time: an answer is waited for until it (the last poll,
            // due at the deadline, gets a short grace so that it can be answered at all).
            request.timeout = min(request.timeout, max(remaining, Self.lastPollGrace))
            run.polls += 1
            response = try await sendToProvider(run, request, kind: .poll)
        } catch let error as PollsterError {
            return .failed(error, retryAfter: nil)
        } catch {
            return .failed(
                PollsterError(
                    .transportError, "\(name): status request failed: \(run.redactor.redact("\(error)"))"),
                retryAfter: nil)
        }
        return read(response, run, url: url, mode: mode, polling: polling, seen: seen)
    }

    /// Reads one status response (synchronous and not inlined, like `record`).
    @inline(never)
    private func read(
        _ response: TransportResponse, _ run: Invocation, url: String, mode: StatusURLDetector.Mode,
        polling: PollingPlan, seen: Bool
    ) -> PollOutcome {
        let name = run.method.name
        let retryAfter = response.headers.first(name: "Retry-After").flatMap {
            RetryAfter.delay(from: $0, now: Date())
        }
        if response.status == 404 && seen {
            return .failed(
                PollsterError(
                    .taskNotFound,
                    "\(name): the provider no longer knows task \(run.taskId ?? url) (HTTP 404 after it was seen); it expired or was deleted",
                    httpStatus: 404, taskId: run.taskId, lastStatus: run.lastStatus), retryAfter: nil)
        }
        if mode == .location && (response.status == 202 || response.status == 200 || response.status == 201) {
            if response.status == 202 {
                let body = (try? JSONParser.parse(response.body)) ?? .null
                return .read(Self.locationReading(.running, status: 202), body, retryAfter: retryAfter)
            }
            // A final answer must parse: a cut or garbled body is a failed poll, never completion.
            let body: JSONValue
            if Self.isBlank(response.body) {
                body = .null
            } else {
                do { body = try JSONParser.parse(response.body) } catch {
                    return .failed(
                        PollsterError(
                            .transportError,
                            "\(name): the final answer (HTTP \(response.status)) is not JSON (\(error)): \(run.redactor.excerpt(response.body))"
                        ),
                        retryAfter: retryAfter)
                }
            }
            // A final answer can still report failure in its body (success-with-error rules apply),
            // or be a passing error envelope rather than the result.
            let reading = polling.classifier.classify(body)
            if let fault = reading.transientError {
                return .failed(Self.passingFault(fault, run), retryAfter: retryAfter)
            }
            if reading.phase == .failed || reading.phase == .canceled {
                return .read(reading, body, retryAfter: retryAfter)
            }
            return .read(
                Self.locationReading(.succeeded, status: response.status), body, retryAfter: retryAfter)
        }
        let body: JSONValue
        do {
            body = try JSONParser.parse(response.body)
        } catch {
            if (200..<300).contains(response.status) {
                return .failed(
                    PollsterError(
                        .transportError,
                        "\(name): status response is not JSON (\(error)): \(run.redactor.excerpt(response.body))"
                    ),
                    retryAfter: retryAfter)
            }
            return .failed(
                Self.httpError(response, context: "\(name): status request", redactor: run.redactor),
                retryAfter: retryAfter)
        }
        let reading = polling.classifier.classify(body)
        if let fault = reading.transientError {
            return .failed(Self.passingFault(fault, run), retryAfter: retryAfter)
        }
        if !(200..<300).contains(response.status) {
            // A terminal status in the body wins over the HTTP code (500 with {"status": "Failed", …}),
            // except on answers that only say "come back later".
            if reading.phase == .failed || reading.phase == .canceled, !Self.isRetryLater(response.status) {
                return .read(reading, body, retryAfter: retryAfter)
            }
            return .failed(
                Self.httpError(response, context: "\(name): status request", redactor: run.redactor),
                retryAfter: retryAfter)
        }
        return .read(reading, body, retryAfter: retryAfter)
    }

    /// What a Location-mode answer says: the status code decides.
    static func locationReading(_ phase: TaskPhase, status: Int) -> StatusReading {
        StatusReading(
            phase: phase, rawStatus: "HTTP \(status)", rule: "Location mode: 202 running, 200/201 done")
    }

    /// A poll answered with a rate-limit or transient error envelope: retried like a 5xx.
    static func passingFault(_ text: String, _ run: Invocation) -> PollsterError {
        PollsterError(
            .httpError,
            "\(run.method.name): the provider answered a passing error (\(run.redactor.redact(text))); polling again"
        )
    }

    /// Answers that only say "come back later", whatever their body: 429 and gateway errors.
    static func isRetryLater(_ status: Int) -> Bool {
        status == 429 || status == 502 || status == 503 || status == 504
    }

    static func isBlank(_ body: [UInt8]) -> Bool {
        body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }

    /// Statuses worth polling again: timeouts, rate limits, server errors, and 404 before the task was seen.
    static func isTransient(_ status: Int) -> Bool {
        status == 404 || status == 408 || status == 425 || status == 429 || status >= 500
    }

    private func timeout(_ run: Invocation, schedule: PollSchedule, unknown: [String]) -> PollsterError {
        var message =
            "\(run.method.name): the task \(run.taskId ?? "") did not finish within \(Int(schedule.maxWait.seconds)) s (polling.maxWaitSeconds) after \(run.polls) polls; last status: \(run.lastStatus.map(run.redactor.redact) ?? "none")"
        if !unknown.isEmpty {
            message +=
                ". Status values no rule recognised: \(unknown.joined(separator: ", ")); if they mean done or failed, add them to polling.successValues / polling.failureValues"
        } else {
            message += ". Raise polling.maxWaitSeconds if the provider is just slow"
        }
        return PollsterError(
            .pollingTimeout, message, taskId: run.taskId, lastStatus: run.lastStatus, unknownStatuses: unknown
        )
    }
}
