import Foundation
import PollsterCore

/// The state of one invocation: its job machine (PollsterCore, every rule of the job's life)
/// and what the engine needs to carry out the machine's actions.
///
/// A waiting job keeps one of these (docs/architecture.md, "How a waiting job is held"): what
/// can be derived from the rest (the method, the request builder) is not stored twice.
struct Invocation {
    let options: InvokeOptions
    let limiters: ProviderLimits.Limiters
    let started = ContinuousClock.now
    /// The job's rules and where it stands.
    var machine: JobMachine
    var warnings: [ToolWarning] = []

    init(
        method: ToolMethod, input: JSONValue, secrets: Secrets, options: InvokeOptions,
        limiters: ProviderLimits.Limiters
    ) {
        self.limiters = limiters
        self.options = options
        let redactor = Redactor(method: method.plan, secrets: secrets, input: input)
        var context = TemplateContext(input: input, secrets: secrets, reference: options.idempotencyKey)
        if options.idempotencyKey == nil {
            var random = SystemRandomNumberGenerator()
            context.generateReference(using: &random)
        }
        machine = JobMachine(
            job: JobMachine.Job(method: method, redactor: redactor),
            context: context)
    }

    /// The tool method invoked.
    var method: ToolMethod { machine.job.method }
    /// Builds the invocation's requests, to the call's base URL override or the method's.
    var builder: RequestBuilder {
        RequestBuilder(
            method: method, baseUrl: options.baseUrlOverride ?? method.baseUrl,
            secrets: machine.context.secrets)
    }
    var taskId: String? { machine.context.taskId }
    var context: TemplateContext { machine.context }
    /// Hides the call's secrets in everything quoted.
    var redactor: Redactor { machine.job.redactor }

    /// The time of the machine's events: since the invocation started.
    var now: Duration { .now - started }

    /// When the provider accepted the job, on the wall clock (for the result's timings and the
    /// checkpoint).
    var submittedAt: Date { Date(timeIntervalSinceNow: -(now - machine.submittedAt).seconds) }

    /// The call's poll interval and deadline, for the machine.
    var overrides: JobMachine.Overrides {
        JobMachine.Overrides(interval: options.pollInterval, maxWait: options.maxWait)
    }

    func emit(_ event: ToolEvent) { options.events?.yield(event) }

    mutating func warn(_ code: PollsterError.Code, _ message: String) {
        let warning = ToolWarning(code: code, message: redactor.redact(message))
        warnings.append(warning)
        emit(.warning(warning))
    }
}
