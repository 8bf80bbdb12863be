/// One job of an `http` tool method, from its submit to its outputs, as a state machine: the
/// engine feeds in what happened (an answer, a failed request, a timer, a download's end) and
/// does what comes back (send a request, wait, download an output, succeed, fail). It does no
/// I/O and has no clock: every event carries the time since the invocation started, and the
/// random source is passed in.
///
/// Every rule of a job's life is reached from here, in the order it applies:
///
/// | phase | event | rule (where it lives) | next |
/// |---|---|---|---|
/// | submitting | submit answered / failed | resend, look up or fail (`SubmitStep`) | accepted → polling; `.wait` → resend |
/// | lookingUp | lookup answered / failed | the job that carries the reference (`ReconcilePlan`) | found → polling; else `lookup.attempts`, then `SUBMIT_UNCERTAIN` |
/// | (accepted) | — | task id (`TaskIdDetector`), a final submit answer, the status URL (`StatusURLDetector`) | polling, or result when already final |
/// | polling | timer fired | the next poll, within the deadline (`PollMachine`) | `.send(.poll)` |
/// | polling | poll answered / failed | status, `Retry-After`, failed polls in a row, vanish, acceptors (`PollMachine`) | `.wait`, result, fail or time out |
/// | fetchingResult | result answered / failed | retries and failure answers (`ResultStep`) | outputs |
/// | collectingOutputs | — (`afterPolling`) | the outputs in the result (`OutputFinder`, `output.paths`, `maxFiles`) | `.download` each, or succeed |
/// | downloading | download ended / failed | a lost output fails the job after the others are tried, or warns (`failOnDownloadError`) | next `.download`, then succeed or fail |
///
/// ```
/// var machine = JobMachine(job: job, context: context)
/// var step = machine.start(submitURL: url, at: .zero)   // .send(.submit)
/// // … send it, then:
/// step = machine.receive(.submitAnswered(answer), at: t, using: &random)  // notices + .wait(5 s)
/// ```
package struct JobMachine: Sendable {
    /// What the machine knows about its job.
    package struct Job: Sendable {
        /// The tool method (a shared reference: a waiting job keeps no copy of its plan).
        package let method: ToolMethod
        /// Hides the call's secrets in everything quoted.
        package let redactor: Redactor

        /// A job from its parts.
        package init(method: ToolMethod, redactor: Redactor) {
            self.method = method
            self.redactor = redactor
        }

        /// `inventory.method`, for messages.
        var name: String { method.name }
        /// The method's compiled rules.
        var plan: MethodPlan { method.plan }
    }

    /// The call's poll interval and deadline, replacing the plan's. Kept only until polling
    /// begins (in the boxed phases), so a waiting job keeps no copy.
    package struct Overrides: Sendable {
        package var interval: Duration?
        package var maxWait: Duration?

        /// Overrides from their parts; nil keeps the plan's.
        package init(interval: Duration? = nil, maxWait: Duration? = nil) {
            self.interval = interval
            self.maxWait = maxWait
        }
    }

    /// Where the job stands.
    package enum Phase: Sendable {
        /// Not started.
        case idle
        /// The submit request is out, or waits to be sent again. (The phases a job does not
        /// wait in between polls are boxed, so that a waiting job keeps room only for polling.)
        indirect case submitting(SubmitStep, Overrides)
        /// The submit may have created a job: looking it up by its client reference. `what` says
        /// what happened to the submit, `answer` quotes the provider's answer if there was one.
        indirect case lookingUp(attempt: Int, what: String, answer: ProviderAnswer?, Overrides)
        /// Polling the status URL.
        case polling(PollMachine)
        /// The job succeeded; fetching its result (`result:` in the config).
        indirect case fetchingResult(ResultStep)
        /// The result is known; `afterPolling` finds its outputs. `announced`: the
        /// `resultFetched` notice went out (or the result was stored before).
        case collectingOutputs(JSONValue, announced: Bool)
        /// Downloading the outputs, one after another (each download's own retries are
        /// `DownloadStep`'s).
        indirect case downloading(Downloads)
        /// The machine has said its last word (`.succeed`, `.fail`).
        case finished
    }

    /// An answer from the provider.
    package struct Answer: Sendable {
        /// The HTTP status.
        package var status: Int
        /// The headers, in order.
        package var headers: [(name: String, value: String)]
        /// The body.
        package var body: [UInt8]
        /// `Retry-After`, read, and as sent.
        package var retryAfter: Duration?
        package var rawRetryAfter: String?

        /// An answer from its parts.
        package init(
            status: Int, headers: [(name: String, value: String)] = [], body: [UInt8],
            retryAfter: Duration? = nil, rawRetryAfter: String? = nil
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.retryAfter = retryAfter
            self.rawRetryAfter = rawRetryAfter
        }

        /// The first header named `name` (case-insensitive).
        package func header(_ name: String) -> String? {
            let lowered = name.lowercased()
            return headers.first { $0.name.lowercased() == lowered }?.value
        }
    }

    /// What happened.
    package enum Event: Sendable {
        case submitAnswered(Answer)
        /// No answer to the submit; its message (redacted), and how far the request went.
        case submitFailed(String, SubmitStep.Reach)
        case lookupAnswered(Answer)
        /// The lookup got no answer or could not be sent; why (redacted).
        case lookupFailed(String)
        /// The wait the machine asked for is over.
        case timerFired
        case pollAnswered(Answer)
        /// The status request got no answer (or could not be built or was refused).
        case pollFailed(PollsterError)
        case resultAnswered(Answer)
        /// The result request got no answer; its message (redacted).
        case resultFailed(String)
        /// The output of the last `.download` is saved.
        case downloaded
        /// The output of the last `.download` is lost (its retries are over).
        case downloadFailed(PollsterError)
    }

    /// A request the engine builds from the method's templates and the machine's `context`.
    package enum Request: Sendable, Equatable {
        case submit
        /// The lookup of `submit.reconcile`.
        case lookup
        /// A status request to `statusURL`; its timeout is `requestTimeout(_:at:)`.
        case poll
        /// The request of `result:`.
        case result
    }

    /// What to do next.
    package enum Action: Sendable, Equatable {
        case send(Request)
        /// Wait, then feed `.timerFired`.
        case wait(Duration)
        /// Polling is over and the job succeeded with this final answer: the engine goes on
        /// with `afterPolling()` (result step, outputs) in a step of its own (the caller's,
        /// under the shared scheduler).
        case pollingSucceeded(final: JSONValue)
        /// Download this output (into memory or `outputDirectory`), then feed `.downloaded` or
        /// `.downloadFailed`.
        case download(Output)
        /// The job is done with this result. `listed`: outputs found but not downloaded
        /// (`output.download: false`), to be listed with their URLs only.
        case succeed(JSONValue, listed: [OutputFinder.Candidate])
        case fail(PollsterError)
        /// The submit may have created a job and nothing says whether it did: fail with
        /// `SUBMIT_UNCERTAIN` (the engine adds the request's fingerprint). `lookup` says what
        /// looking the job up found, when the method declares `submit.reconcile`.
        case failUncertain(what: String, answer: ProviderAnswer?, lookup: String)
        /// Polling timed out and `cancel.onTimeout` is set: cancel the job at the provider, then
        /// fail with this error.
        case cancelAndFail(PollsterError)
    }

    /// Something the engine reports or stores on the way; it needs no answer.
    package enum Notice: Sendable {
        /// The submit is sent again after `delay` (attempt `attempt` failed).
        case retryingSubmit(attempt: Int, delay: Duration, reason: String)
        /// The provider has the job, described by `answer` (the submit's answer, or the job a
        /// lookup found), submitted to `submitURL`. `isNew` is false for a job resumed from its
        /// checkpoint.
        case accepted(Answer, isNew: Bool, submitURL: String)
        /// A lookup found the job of an interrupted submit.
        case foundByReference(attempt: Int)
        /// A poll came back (`PollMachine.Observation`); where polling stands after it.
        case polled(PollMachine.Observation, PollMachine.Progress)
        /// The job's result, fetched: a durable task stores it.
        case resultFetched(JSONValue)
        /// Something the caller should know about an otherwise successful job (the result's
        /// `warnings`).
        case warning(PollsterError.Code, String)
    }

    /// The outcome of an event: what to report, then what to do.
    package struct Step: Sendable {
        package var notices: [Notice] = []
        package var action: Action

        init(_ notices: [Notice], _ action: Action) {
            self.notices = notices
            self.action = action
        }

        /// A step with no notices.
        package init(_ action: Action) { self.init([], action) }
    }

    /// A job resumed from its checkpoint: what the provider answered when it accepted it.
    package struct Stored: Sendable {
        package var answer: Answer
        /// The job was found by its client reference (its task id is read at the lookup's path).
        package var foundByReference: Bool
        /// The result, once fetched.
        package var result: JSONValue?
        /// Where polling stood.
        package var polling: PollMachine.Progress?

        /// A stored job from its parts.
        package init(
            answer: Answer, foundByReference: Bool, result: JSONValue?, polling: PollMachine.Progress?
        ) {
            self.answer = answer
            self.foundByReference = foundByReference
            self.result = result
            self.polling = polling
        }
    }

    /// Where the status URL comes from.
    package enum StatusURL: Sendable, Equatable {
        /// Not known yet.
        case none
        /// Found in the submit response (absolute).
        case detected(String)
        /// `polling.statusUrl`, rendered by the engine for each poll.
        case configured(Template)
    }

    package let job: Job
    /// What templates read: the input, the task id, the submit and last status answers.
    package internal(set) var context: TemplateContext
    /// How the task id, status URL, status and outputs were found (the engine adds the outputs).
    /// Boxed: it is read when the job ends, so a waiting job keeps 8 bytes for it (each change
    /// makes a new box; a poll changes it only when the status reads differently).
    package var report: DetectionReport {
        get { reportBox.report }
        set { reportBox = ReportBox(newValue) }
    }
    private var reportBox = ReportBox(DetectionReport())
    /// Where the job stands.
    package internal(set) var phase = Phase.idle
    /// Where polls go, once polling begins.
    package internal(set) var statusURL = StatusURL.none
    /// The submit URL, to resolve a relative status URL; dropped once polling begins.
    package internal(set) var submitURL = ""
    /// When the provider accepted the job, in the time of the events (negative for a job
    /// resumed from before this invocation started).
    package internal(set) var submittedAt = Duration.zero
    /// The job was found by its client reference.
    package internal(set) var foundByReference = false
    /// Polls answered or failed so far (a resumed job counts its earlier ones).
    package var polls: Int {
        if case .polling(let machine) = phase { return machine.polls }
        return endedPolls
    }
    /// Polls counted when polling ended.
    var endedPolls = 0

    /// A machine for `job`, whose templates read `context`.
    package init(job: Job, context: TemplateContext) {
        self.job = job
        self.context = context
    }

    /// What to do once polling succeeded, which the engine does in a step of its own (the
    /// caller's, under the shared scheduler): fetch the result, or report it and download the
    /// outputs; nil in any other phase.
    package mutating func afterPolling() -> Step? {
        switch phase {
        case .fetchingResult:
            return Step(.send(.result))
        case .collectingOutputs(let result, let announced):
            return collectOutputs(of: result, announced ? [] : [.resultFetched(result)])
        default:
            return nil
        }
    }

    /// Whether the machine waits between polls (the scheduler then holds the job as data).
    package var isPolling: Bool {
        if case .polling = phase { return true }
        return false
    }

    /// The first step of a new job: send the submit request (to `submitURL`, as the engine
    /// rendered it).
    package mutating func start(submitURL: String, overrides: Overrides = Overrides()) -> Step {
        self.submitURL = submitURL
        phase = .submitting(
            SubmitStep(
                job: SubmitStep.Job(
                    name: job.name, plan: job.plan.submit, envelope: job.plan.envelope, redactor: job.redactor
                )), overrides)
        return Step(.send(.submit))
    }

    /// Looks up the job of a submit sent by an earlier process whose answer was never stored
    /// (`submit.reconcile`); the step after a found job carries `.accepted`.
    package mutating func lookUp(submitURL: String) -> Step {
        self.submitURL = submitURL
        return beginLookup(
            what: "the submitting process stopped before storing the answer", answer: nil,
            overrides: Overrides())
    }

    /// Goes on with a job the provider accepted earlier (a durable task's checkpoint), as the
    /// first invocation would have: same detection, its clock set back to the acceptance.
    /// - Parameter submittedAt: when the provider accepted it, in the time of the events.
    package mutating func resume(
        _ stored: Stored, submitURL: String, submittedAt: Duration, at now: Duration,
        overrides: Overrides = Overrides(),
        using random: inout some RandomNumberGenerator
    ) -> Step {
        self.submitURL = submitURL
        foundByReference = stored.foundByReference
        let taskIdPath = stored.foundByReference ? job.plan.submit.reconcile?.taskIdPath : nil
        let body: JSONValue?
        do { body = try SubmitStep.json(stored.answer.body) } catch {
            return finish(
                .fail(
                    PollsterError(
                        .submitUncertain,
                        "\(job.name): the job's answer (HTTP \(stored.answer.status)) is not JSON (\(error)): \(job.redactor.excerpt(stored.answer.body))"
                    )))
        }
        if let error = adopt(body, stored.answer, taskIdPath: taskIdPath, at: submittedAt) {
            return finish(.fail(error))
        }
        let notices = [Notice.accepted(stored.answer, isNew: false, submitURL: submitURL)]
        if let result = stored.result {
            report.statusRule = "result stored with the task; downloading again"
            endedPolls = stored.polling?.polls ?? 0
            phase = .collectingOutputs(result, announced: true)
            return Step(notices, .pollingSucceeded(final: result))
        }
        return beginPolling(
            notices, stored.answer, progress: stored.polling, overrides: overrides, at: now, using: &random)
    }

    /// Takes what happened and says what to do next.
    package mutating func receive(
        _ event: Event, at now: Duration, using random: inout some RandomNumberGenerator
    ) -> Step {
        switch (phase, event) {
        case (.submitting(var step, let overrides), .submitAnswered),
            (.submitting(var step, let overrides), .submitFailed):
            let decision = step.receive(Self.submitEvent(event), using: &random)
            phase = .submitting(step, overrides)
            return submitted(
                decision, event, attempt: step.attempts, overrides: overrides, at: now, using: &random)
        case (.submitting, .timerFired):
            return Step(.send(.submit))
        case (.lookingUp, .lookupAnswered(let answer)):
            return lookedUp(answer, at: now, using: &random)
        case (.lookingUp(let attempt, let what, let answer, let overrides), .lookupFailed(let why)):
            return lookupMissed(attempt: attempt, why: why, what: what, answer: answer, overrides: overrides)
        case (.lookingUp, .timerFired):
            return Step(.send(.lookup))
        case (.polling, .timerFired):
            return Step(.send(.poll))
        case (.polling(var machine), .pollAnswered(let answer)):
            let step = machine.receive(
                .answered(status: answer.status, retryAfter: answer.retryAfter, body: answer.body),
                for: pollJob, elapsed: now - submittedAt, using: &random)
            return polled(step, machine)
        case (.polling(var machine), .pollFailed(let error)):
            let step = machine.receive(
                .requestFailed(error), for: pollJob, elapsed: now - submittedAt, using: &random)
            return polled(step, machine)
        case (.fetchingResult(var step), .resultAnswered(let answer)):
            let decision = step.receive(
                .answered(
                    status: answer.status, retryAfter: answer.retryAfter, rawRetryAfter: answer.rawRetryAfter,
                    body: answer.body), using: &random)
            phase = .fetchingResult(step)
            return fetched(decision)
        case (.fetchingResult(var step), .resultFailed(let message)):
            let decision = step.receive(.requestFailed(message), using: &random)
            phase = .fetchingResult(step)
            return fetched(decision)
        case (.fetchingResult, .timerFired):
            return Step(.send(.result))
        case (.downloading(let downloads), .downloaded):
            return downloadEnded(downloads, failure: nil)
        case (.downloading(let downloads), .downloadFailed(let error)):
            return downloadEnded(downloads, failure: error)
        default:
            return finish(
                .fail(
                    PollsterError(
                        .internal,
                        "internal error: \(job.name) got an event it does not expect while \(phase)")))
        }
    }

    /// The timeout of the next status request: no later than the deadline (`PollMachine`).
    package func requestTimeout(_ configured: Duration, at now: Duration) -> Duration {
        guard case .polling(let machine) = phase else { return configured }
        return machine.requestTimeout(configured, elapsed: now - submittedAt)
    }

    /// Ends the machine with `action`.
    mutating func finish(_ action: Action, _ notices: [Notice] = []) -> Step {
        endedPolls = polls
        phase = .finished
        return Step(notices, action)
    }
}

/// A `DetectionReport` on the heap (`JobMachine.report`).
private final class ReportBox: Sendable {
    let report: DetectionReport

    init(_ report: DetectionReport) { self.report = report }
}
