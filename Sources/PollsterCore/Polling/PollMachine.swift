/// The polling rules of one job, as a state machine: it takes what happened to a poll and says
/// what to do next. Every polling decision lives here — how an answer reads, the schedule and
/// `Retry-After`, failed polls in a row, the deadline, a task that vanished, answers without a
/// status field — with no I/O and no clock: the caller passes the time elapsed since submit and a
/// random source, sends the polls and waits the delays.
///
/// ```
/// var machine = PollMachine(job: job, plan: plan, mode: .statusBody)
/// var action = machine.start(for: job, elapsed: .zero, using: &random)   // .poll(after: 5 s)
/// // … wait, send the status request …
/// let step = machine.receive(
///     .answered(status: 200, retryAfter: nil, body: bytes), for: job, elapsed: t, using: &random)
/// action = step.action                                         // .poll, .succeed, .fail or .timeOut
/// ```
///
/// The rules, in the order they apply, are listed in docs/architecture.md ("The polling
/// machine"). The job (its name, task id and redactor, which its `JobMachine` holds) is passed
/// with each event rather than kept here: a waiting job holds it once.
package struct PollMachine: Sendable {
    /// What the machine knows about the job it polls.
    package struct Job: Sendable {
        /// `inventory.method`, for messages.
        package let name: String
        /// The provider's task id, if known.
        package let taskId: String?
        /// Hides the call's secrets in everything quoted.
        package let redactor: Redactor

        /// A job from its parts.
        package init(name: String, taskId: String?, redactor: Redactor) {
            self.name = name
            self.taskId = taskId
            self.redactor = redactor
        }
    }

    /// What happened to a poll.
    package enum Event: Sendable {
        /// The provider answered the status request.
        case answered(status: Int, retryAfter: Duration?, body: [UInt8])
        /// The status request got no answer (transport failure, timeout, a refused URL, a
        /// request that could not be built).
        case requestFailed(PollsterError)
    }

    /// What to do next.
    package enum Action: Sendable, Equatable {
        /// Send the next status request after this delay.
        case poll(after: Duration)
        /// The job succeeded; this is its final status JSON.
        case succeed(final: JSONValue)
        /// The job failed, or polling cannot go on.
        case fail(PollsterError)
        /// The deadline passed (`POLLING_TIMEOUT`); the job may still run at the provider.
        case timeOut(PollsterError)
    }

    /// What one poll showed, for events, logs and the detection report.
    package struct Observation: Sendable, Equatable {
        /// The poll's number, from 1.
        package var number: Int
        /// How the answer read; nil when the poll failed.
        package var reading: StatusReading?
        /// The status JSON, when an answer was read.
        package var body: JSONValue?
        /// The raw status, redacted.
        package var status: String?
        /// Why the poll failed, when it did.
        package var error: String?
        /// A status value no rule recognised, the first time it is seen (redacted).
        package var newUnknownStatus: String?
    }

    /// The outcome of one event: what the poll showed and what to do next.
    package struct Step: Sendable, Equatable {
        /// What the poll showed.
        package var observation: Observation
        /// What to do next.
        package var action: Action
    }

    /// Answers in a row without a status field before polling stops with a config error.
    package static let answersWithoutStatusField = 3
    /// The time the poll due at the deadline may take.
    package static let lastPollGrace = Duration.seconds(1)

    /// The method's polling plan, its classifier bound to the task id.
    package let plan: PollingPlan
    /// When to poll, with the call's overrides applied.
    package let schedule: PollSchedule
    /// How answers are read. (Declared after `schedule`, it fills the padding at its end.)
    package let mode: StatusURLDetector.Mode
    /// Where polling stands: all the machine's state that changes (a durable task stores it with
    /// its checkpoint, and a resumed machine goes on from it).
    package private(set) var progress: Progress

    /// Polls answered or failed so far.
    package var polls: Int { progress.polls }
    /// The last status value read (redacted).
    package var lastStatus: String? { progress.lastStatus }
    /// Status values no rule recognised, in the order first seen (redacted).
    package var unknownStatuses: [String] { progress.unknownStatuses }

    /// A machine for a job whose status is read as `mode` says.
    /// - Parameters:
    ///   - job: the job polled (its task id binds the plan; pass the job with each event too).
    ///   - plan: the method's polling plan (bound to the task id here).
    ///   - mode: how the status URL was found; the plan's `mode`, when set, wins.
    ///   - interval: the call's poll interval, replacing the plan's.
    ///   - maxWait: the call's deadline, replacing the plan's.
    ///   - retryAfter: the submit answer's `Retry-After`: when to look first.
    ///   - progress: where an earlier machine of the same job stopped (a resumed durable task).
    package init(
        job: Job, plan: PollingPlan, mode: StatusURLDetector.Mode, interval: Duration? = nil,
        maxWait: Duration? = nil, retryAfter: Duration? = nil, progress: Progress = Progress()
    ) {
        let plan = plan.bound(taskId: job.taskId)
        var schedule = plan.schedule
        if let interval { schedule.interval = interval }
        if let maxWait { schedule.maxWait = maxWait }
        self.plan = plan
        self.mode = plan.mode ?? mode
        self.schedule = schedule
        self.progress = progress
        if let retryAfter { self.progress.retryAfter = retryAfter }
    }

    /// The first action: the first poll after the interval (or the submit's `Retry-After`), or a
    /// timeout when the deadline has already passed. A machine resumed from its progress goes on
    /// with the next poll of its schedule.
    package mutating func start(
        for job: Job, elapsed: Duration, using random: inout some RandomNumberGenerator
    ) -> Action {
        // Resumed between two polls: the poll scheduled before the machine stopped is the next.
        if progress.scheduled > progress.polls { progress.scheduled -= 1 }
        return next(job, elapsed: elapsed, using: &random)
    }

    /// Takes one poll's outcome into account.
    package mutating func receive(
        _ event: Event, for job: Job, elapsed: Duration, using random: inout some RandomNumberGenerator
    ) -> Step {
        progress.polls += 1
        switch read(event, job) {
        case .failed(let error, let after):
            return failedPoll(error, job, retryAfter: after, elapsed: elapsed, using: &random)
        case .read(let reading, let body, let after):
            return answeredPoll(reading, body, job, retryAfter: after, elapsed: elapsed, using: &random)
        }
    }

    /// The timeout of the next status request: no later than the deadline, but the poll due at
    /// the deadline gets `lastPollGrace` so that it can be answered at all.
    package func requestTimeout(_ configured: Duration, elapsed: Duration) -> Duration {
        min(configured, max(schedule.maxWait - elapsed, Self.lastPollGrace))
    }

    private mutating func failedPoll(
        _ error: PollsterError, _ job: Job, retryAfter after: Duration?, elapsed: Duration,
        using random: inout some RandomNumberGenerator
    ) -> Step {
        progress.consecutiveErrors += 1
        progress.retryAfter = after
        let observation = Observation(number: progress.scheduled, error: error.message)
        var final = error
        final.taskId = job.taskId
        if error.code == .taskNotFound
            || error.code == .httpError && !(error.httpStatus.map(PollsterError.isTransient) ?? true)
        {
            return Step(observation: observation, action: .fail(final))
        }
        if progress.consecutiveErrors >= plan.maxConsecutiveErrors {
            final.message =
                "\(job.name): \(progress.consecutiveErrors) polls in a row failed (polling.maxConsecutiveErrors); the task \(job.taskId ?? "") may still be running at the provider. Last error: \(error.message)"
            return Step(observation: observation, action: .fail(final))
        }
        return Step(observation: observation, action: next(job, elapsed: elapsed, using: &random))
    }

    private mutating func answeredPoll(
        _ reading: StatusReading, _ body: JSONValue, _ job: Job, retryAfter after: Duration?,
        elapsed: Duration,
        using random: inout some RandomNumberGenerator
    ) -> Step {
        progress.consecutiveErrors = 0
        progress.seen = true
        progress.retryAfter = after
        let status = reading.rawStatus.map(job.redactor.redact)
        progress.lastStatus = status
        var observation = Observation(
            number: progress.scheduled, reading: reading, body: body, status: status)
        if reading.phase == .unknown, let status, !progress.unknownStatuses.contains(status) {
            progress.unknownStatuses.append(status)
            observation.newUnknownStatus = status
        }
        let withoutStatus =
            reading.statusFieldMissing && mode == .statusBody ? progress.withoutStatus + 1 : 0
        progress.withoutStatus = withoutStatus
        if withoutStatus >= Self.answersWithoutStatusField {
            let error = PollsterError(
                .invalidConfig,
                "\(job.name): status field not found at \(plan.classifier.statusFieldDescription) in \(withoutStatus) answers in a row; set polling.statusPath (or acceptors) to where this provider puts the status. The task \(job.taskId ?? "") may still be running at the provider. Last answer: \(job.redactor.excerpt(Array(body.description.utf8)))",
                taskId: job.taskId)
            return Step(observation: observation, action: .fail(error))
        }
        switch reading.phase {
        case .succeeded:
            return Step(observation: observation, action: .succeed(final: body))
        case .failed, .canceled:
            return Step(observation: observation, action: .fail(Self.terminalError(reading, job: job)))
        case .pending, .running, .unknown:
            return Step(observation: observation, action: next(job, elapsed: elapsed, using: &random))
        }
    }

    /// The next poll, or the timeout when the schedule allows none.
    private mutating func next(
        _ job: Job, elapsed: Duration, using random: inout some RandomNumberGenerator
    ) -> Action {
        progress.scheduled += 1
        // The Retry-After stays until the next answer replaces it: a resumed machine waits as
        // this one would have.
        if let delay = schedule.delay(
            beforePoll: progress.scheduled, retryAfter: progress.retryAfter, elapsed: elapsed, using: &random)
        {
            return .poll(after: delay)
        }
        return .timeOut(timeoutError(job))
    }
}
