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

    init(
        run: Invocation, url: String, mode: StatusURLDetector.Mode, polling: PollingPlan,
        retryAfter: Duration?
    ) {
        var polling = polling
        polling.classifier = polling.classifier.bound(taskId: run.taskId)
        var schedule = polling.schedule
        if let interval = run.options.pollInterval { schedule.interval = interval }
        if let maxWait = run.options.maxWait { schedule.maxWait = maxWait }
        self.url = url
        self.mode = mode
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
        let outcome = await pollOnce(
            &stage.run, url: statusURL, mode: state.mode, polling: polling, seen: state.seen)
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
            loop.retryAfter = after
            run.context.status = body
            run.lastStatus = reading.rawStatus
            run.report.statusPath = reading.statusPath
            run.report.statusRule = reading.rule
            run.emit(
                .polled(
                    number: number, phase: reading.phase, status: reading.rawStatus,
                    progress: reading.progress,
                    error: nil))
            if reading.phase == .unknown, let raw = reading.rawStatus, !loop.unknown.contains(raw) {
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

    private func pollOnce(
        _ run: inout Invocation, url: String, mode: StatusURLDetector.Mode, polling: PollingPlan, seen: Bool
    ) async -> PollOutcome {
        let name = run.method.name
        let response: TransportResponse
        do {
            let request = try run.builder.status(url: url, run.context, polling: polling)
            run.polls += 1
            response = try await sendToProvider(run, request)
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
            let body = (try? JSONParser.parse(response.body)) ?? .null
            if response.status != 202 {
                // A final answer can still report failure in its body (success-with-error rules apply).
                let reading = polling.classifier.classify(body)
                if reading.phase == .failed || reading.phase == .canceled {
                    return .read(reading, body, retryAfter: retryAfter)
                }
            }
            let phase: TaskPhase = response.status == 202 ? .running : .succeeded
            return .read(
                StatusReading(
                    phase: phase, rawStatus: "HTTP \(response.status)",
                    rule: "Location mode: 202 running, 200/201 done"),
                body, retryAfter: retryAfter)
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
        if !(200..<300).contains(response.status) {
            // A 4xx with a body that clearly says failed is a task failure; anything else is an HTTP error.
            if reading.phase == .failed || reading.phase == .canceled, !Self.isTransient(response.status) {
                return .read(reading, body, retryAfter: retryAfter)
            }
            return .failed(
                Self.httpError(response, context: "\(name): status request", redactor: run.redactor),
                retryAfter: retryAfter)
        }
        return .read(reading, body, retryAfter: retryAfter)
    }

    /// Statuses worth polling again: timeouts, rate limits, server errors, and 404 before the task was seen.
    static func isTransient(_ status: Int) -> Bool {
        status == 404 || status == 408 || status == 425 || status == 429 || status >= 500
    }

    private func timeout(_ run: Invocation, schedule: PollSchedule, unknown: [String]) -> PollsterError {
        var message =
            "\(run.method.name): the task \(run.taskId ?? "") did not finish within \(Int(schedule.maxWait.seconds)) s (polling.maxWaitSeconds) after \(run.polls) polls; last status: \(run.lastStatus ?? "none")"
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
