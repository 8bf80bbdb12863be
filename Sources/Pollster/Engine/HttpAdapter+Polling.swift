import Foundation
import Logging
import PollsterCore

/// Where polling stands between two polls of one job: the status URL and the polling machine.
struct PollState: Sendable {
    /// Where the status URL comes from.
    enum URLSource: Sendable {
        /// Found in the submit response.
        case detected(String)
        /// `polling.statusUrl`, rendered for each poll (a waiting job keeps no copy of the URL).
        case configured(Template)
    }

    let url: URLSource
    /// The polling rules and where they stand (PollsterCore).
    var machine: PollMachine
    /// The origin of the status URL last checked against the URL policy.
    var checkedOrigin: String?
}

extension HttpAdapter {
    /// Polls once and hands the answer to the polling machine.
    /// - Returns: the delay before the next poll; nil when the job succeeded (its status JSON is
    ///   then `stage.final`).
    /// - Throws: what the machine decided (the job's failure, too many failed polls, a missing
    ///   status field) or `POLLING_TIMEOUT` (after canceling the job when `cancel.onTimeout` is set).
    func pollStep(_ stage: inout JobState.Stage) async throws -> Duration? {
        guard var state = stage.polling else { return nil }
        let plan = state.machine.plan
        let statusURL =
            switch state.url {
            case .detected(let url): url
            case .configured(let template): try stage.run.builder.configuredURL(template, stage.run.context)
            }
        if let origin = HTTPURL(statusURL)?.origin, origin != state.checkedOrigin {
            try await checkResponseURL(stage.run, statusURL, key: "status URL")
            state.checkedOrigin = origin
        }
        let event = await pollOnce(&stage.run, url: statusURL, machine: state.machine)
        // A poll cut short because the caller canceled the invocation is no failed poll: the
        // invocation ends as CANCELED.
        try Task.checkCancellation()
        var random = SystemRandomNumberGenerator()
        let step = state.machine.receive(event, elapsed: .now - stage.run.submitInstant, using: &random)
        stage.run.options.onPolled?(state.machine.progress)
        observe(step.observation, plan: plan, &stage.run)
        stage.polling = state
        return try await perform(step.action, &stage)
    }

    /// Carries out the machine's decision.
    /// - Returns: the delay before the next poll; nil when the job succeeded.
    func perform(_ action: PollMachine.Action, _ stage: inout JobState.Stage) async throws -> Duration? {
        switch action {
        case .poll(let delay):
            return delay
        case .succeed(let final):
            stage.final = final
            stage.polling = nil
            return nil
        case .fail(let error):
            throw error
        case .timeOut(var error):
            if let canceled = await cancelAfterTimeout(stage.run) { error.message += ". " + canceled }
            throw error
        }
    }

    /// Takes what a poll showed into the invocation: events, logs, the detection report.
    ///
    /// Synchronous and not inlined on purpose: its temporaries then live on the thread's stack,
    /// not in the async frame every waiting job keeps (docs/benchmarks.md).
    @inline(never)
    private func observe(
        _ observation: PollMachine.Observation, plan: PollingPlan, _ run: inout Invocation
    ) {
        guard let reading = observation.reading else {
            run.emit(
                .polled(
                    number: observation.number, phase: .unknown, status: nil, progress: nil,
                    error: observation.error))
            logger.debug(
                "poll failed",
                metadata: ["tool": "\(run.method.name)", "error": "\(observation.error ?? "")"])
            return
        }
        // Kept between polls only when the next status request reads it; the final answer
        // reaches the result step through `succeed(final:)`.
        if plan.requestUsesStatus { run.context.status = observation.body }
        run.lastStatus = observation.status
        run.report.statusPath = reading.statusPath
        run.report.statusRule = reading.rule
        run.emit(
            .polled(
                number: observation.number, phase: reading.phase, status: observation.status,
                progress: reading.progress, error: nil))
        if let unknown = observation.newUnknownStatus {
            run.report.unknownStatuses.append(unknown)
            logger.warning(
                "unrecognised status value; still polling",
                metadata: ["tool": "\(run.method.name)", "status": "\(unknown)"])
        }
    }

    /// Sends one status request.
    private func pollOnce(_ run: inout Invocation, url: String, machine: PollMachine) async
        -> PollMachine.Event
    {
        let response: TransportResponse
        do {
            var request = try run.builder.status(url: url, run.context, polling: machine.plan)
            // The deadline includes request time: an answer is waited for until it.
            request.timeout = machine.requestTimeout(request.timeout, elapsed: .now - run.submitInstant)
            run.polls += 1
            response = try await sendToProvider(run, request, kind: .poll)
        } catch let error as PollsterError {
            return .requestFailed(error)
        } catch {
            return .requestFailed(
                PollsterError(
                    .transportError,
                    "\(run.method.name): status request failed: \(run.redactor.redact("\(error)"))"))
        }
        return .answered(
            status: response.status,
            retryAfter: response.headers.retryAfterDelay, body: response.body)
    }
}
