extension JobMachine {
    /// Takes what `PollMachine` made of a poll into the job: the report, the last answer when
    /// a template reads it, and what comes next.
    mutating func polled(_ step: PollMachine.Step, _ machine: PollMachine) -> Step {
        phase = .polling(machine)
        let observation = step.observation
        if let reading = observation.reading {
            // Kept between polls only when the next status request reads it; the final answer
            // reaches the result step through `.succeed(final:)`.
            if machine.plan.requestUsesStatus { context.status = observation.body }
            let unknown = observation.newUnknownStatus
            if unknown != nil || report.statusPath != reading.statusPath || report.statusRule != reading.rule
            {
                var changed = report
                changed.statusPath = reading.statusPath
                changed.statusRule = reading.rule
                if let unknown { changed.unknownStatuses.append(unknown) }
                report = changed
            }
        }
        let notices = [Notice.polled(observation, machine.progress)]
        switch step.action {
        case .poll(let delay):
            return Step(notices, .wait(delay))
        case .succeed(let final):
            endedPolls = machine.polls
            return fetchResult(final, lastStatus: machine.lastStatus, notices)
        case .fail(let error):
            return finish(.fail(error), notices)
        case .timeOut(let error):
            return timedOut(error, notices)
        }
    }

    /// The job succeeded with `final` as its last status (`lastStatus`, read by the polls):
    /// polling is over. The result step (if configured) or the outputs come in the step after
    /// polling (`afterPolling`).
    mutating func fetchResult(_ final: JSONValue, lastStatus: String? = nil, _ notices: [Notice]) -> Step {
        context.status = final
        if let plan = job.plan.result, !plan.optional || !context.lacksValue(for: plan.url) {
            phase = .fetchingResult(
                ResultStep(
                    job: ResultStep.Job(
                        name: job.name, taskId: context.taskId, lastStatus: lastStatus, redactor: job.redactor
                    ),
                    failureStatuses: plan.failureStatuses, maxAttempts: job.plan.output.config.maxAttempts))
        } else {
            if let plan = job.plan.result {
                report.resultStep =
                    "skipped (result.optional): '\(plan.url.text)' has no value in the answers"
            }
            // Reported by `afterPolling`, in the step that collects the outputs.
            phase = .collectingOutputs(final, announced: false)
        }
        return Step(notices, .pollingSucceeded(final: final))
    }

    /// Does what `ResultStep` decided about a result answer.
    mutating func fetched(_ decision: ResultStep.Action) -> Step {
        switch decision {
        case .done(let result):
            // The result step runs in the step after polling: the outputs come next.
            return collectOutputs(of: result, [.resultFetched(result)])
        case .retry(let delay):
            return Step(.wait(delay))
        case .fail(let error):
            return finish(.fail(error))
        }
    }
}

extension JobMachine.Phase: CustomStringConvertible {
    /// The phase's name, for messages.
    package var description: String {
        switch self {
        case .idle: "idle"
        case .submitting: "submitting"
        case .lookingUp: "looking the job up"
        case .polling: "polling"
        case .fetchingResult: "fetching the result"
        case .collectingOutputs: "collecting outputs"
        case .downloading: "downloading outputs"
        case .finished: "finished"
        }
    }
}
