import Foundation
import Logging
import NIOHTTP1
import PollsterCore

extension HttpAdapter {
    /// Where `drive` stopped.
    enum Pause {
        /// The job waits this long before its next poll.
        case poll(after: Duration)
        /// Polling succeeded: the finish step goes on with the machine's `afterPolling`.
        case pollingSucceeded
        /// The job is done: its result and its outputs' files.
        case succeeded(JSONValue, [ToolFile])
    }

    /// `drive` for a submit or poll step.
    /// - Returns: the delay before the next poll; nil when polling succeeded.
    func advance(_ stage: inout JobState.Stage, _ first: JobMachine.Step) async throws -> Duration? {
        switch try await drive(&stage, first) {
        case .poll(let delay):
            return delay
        case .pollingSucceeded, .succeeded:
            return nil
        }
    }

    /// Does what the job's machine says — reports its notices, sends its requests, waits its
    /// retries, downloads the outputs — until it waits between polls (the scheduler holds the
    /// job then), or polling succeeded (the finish step goes on), or the job is done.
    /// - Throws: the job's failure.
    func drive(_ stage: inout JobState.Stage, _ first: JobMachine.Step) async throws -> Pause {
        var step = first
        var random = SystemRandomNumberGenerator()
        var files: [ToolFile] = []
        while true {
            try await report(step.notices, &stage.run)
            let event: JobMachine.Event
            switch step.action {
            case .wait(let delay):
                if stage.run.machine.isPolling { return .poll(after: delay) }
                // Retries of the submit, a lookup or the result: rare, and short.
                try await Task.sleep(for: delay)
                event = .timerFired
            case .send(.submit):
                event = try await sendSubmit(stage.run)
            case .send(.lookup):
                event = try await sendLookup(stage.run)
            case .send(.poll):
                event = try await sendPoll(&stage)
                // A poll cut short because the caller canceled the invocation is no failed poll:
                // the invocation ends as CANCELED.
                try Task.checkCancellation()
            case .send(.result):
                event = try await sendResult(&stage)
            case .pollingSucceeded:
                return .pollingSucceeded
            case .download(let output):
                event = try await download(output, stage.run, into: &files)
            case .succeed(let result, let listed):
                return .succeeded(result, files + listed.map(ToolFile.init(listed:)))
            case .fail(let error):
                throw error
            case .failUncertain(let what, let answer, let lookup):
                var error = try Self.uncertain(stage.run, what, lookup: lookup)
                if let answer {
                    error.httpStatus = answer.status
                    error.provider = answer
                }
                throw error
            case .cancelAndFail(var error):
                if let canceled = await cancelAfterTimeout(stage.run) { error.message += ". " + canceled }
                throw error
            }
            step = stage.run.machine.receive(event, at: stage.run.now, using: &random)
        }
    }

    /// Reports what the machine noticed: logs, events, and what a durable task stores.
    func report(_ notices: [JobMachine.Notice], _ run: inout Invocation) async throws {
        for notice in notices {
            switch notice {
            case .retryingSubmit(let attempt, let delay, let reason):
                logger.warning(
                    "submit retrying",
                    metadata: [
                        "tool": "\(run.method.name)", "attempt": "\(attempt)", "delay": "\(delay)",
                        "reason": "\(reason)",
                    ])
            case .accepted(let answer, let isNew, let submitURL):
                logger.info(
                    "submitted", metadata: ["tool": "\(run.method.name)", "taskId": "\(run.taskId ?? "-")"])
                run.emit(.submitted(taskId: run.taskId))
                guard isNew, let onAccepted = run.options.onAccepted else { continue }
                // Stored with the task: the answer may echo the request's credentials.
                try await onAccepted(
                    TaskCheckpoint(
                        providerTaskId: run.taskId, submitURL: submitURL, submittedAt: run.submittedAt,
                        response: run.redactor.redact(TransportResponse(answer)),
                        foundByReference: run.machine.foundByReference))
            case .foundByReference(let attempt):
                logger.notice(
                    "found the job of an interrupted submit by its client reference",
                    metadata: [
                        "tool": "\(run.method.name)", "reference": "\(run.context.reference ?? "")",
                        "attempt": "\(attempt)",
                    ])
            case .polled(let observation, let progress):
                run.options.onPolled?(progress)
                observe(observation, run)
            case .resultFetched(let result):
                try await run.options.onResult?(run.redactor.redact(result))
            case .warning(let code, let message):
                run.warn(code, message)
            }
        }
    }

    /// Reports what a poll showed: an event and the logs.
    ///
    /// Synchronous and not inlined on purpose: its temporaries then live on the thread's stack,
    /// not in an async frame (docs/benchmarks.md).
    @inline(never)
    private func observe(_ observation: PollMachine.Observation, _ run: Invocation) {
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
        run.emit(
            .polled(
                number: observation.number, phase: reading.phase, status: observation.status,
                progress: reading.progress, error: nil))
        if let unknown = observation.newUnknownStatus {
            logger.warning(
                "unrecognised status value; still polling",
                metadata: ["tool": "\(run.method.name)", "status": "\(unknown)"])
        }
    }
}

extension JobMachine.Answer {
    /// A provider's answer as the machine reads it; `withHeaders` copies the headers too (only
    /// the submit's are read: a 202's operation URL).
    init(_ response: TransportResponse, withHeaders: Bool = false) {
        let hint = response.headers.retryHint
        self.init(
            status: response.status, headers: withHeaders ? response.headers.map { ($0.name, $0.value) } : [],
            body: response.body, retryAfter: hint.delay, rawRetryAfter: hint.raw)
    }
}

extension TransportResponse {
    /// The answer the machine accepted, as stored in a checkpoint.
    init(_ answer: JobMachine.Answer) {
        self.init(
            status: answer.status, headers: HTTPHeaders(answer.headers.map { ($0.name, $0.value) }),
            body: answer.body)
    }
}
