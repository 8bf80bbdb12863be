import Foundation
import PollsterCore

/// The mutable state of one invocation.
struct Invocation {
    let method: ToolMethod
    let options: InvokeOptions
    let builder: RequestBuilder
    let redactor: Redactor
    let limiters: ProviderLimits.Limiters
    let started = ContinuousClock.now
    var context: TemplateContext
    var submitURL = ""
    var submittedAt = Date()
    var submitInstant = ContinuousClock.now
    var polls = 0
    var report = DetectionReport()
    var warnings: [ToolWarning] = []
    var lastStatus: String?
    /// The submit's answer was lost and the job was found by its client reference.
    var foundByReference = false

    init(
        method: ToolMethod, input: JSONValue, secrets: Secrets, options: InvokeOptions, baseUrl: String?,
        limiters: ProviderLimits.Limiters
    ) {
        self.limiters = limiters
        self.method = method
        self.options = options
        self.builder = RequestBuilder(method: method, baseUrl: baseUrl, secrets: secrets)
        self.redactor = Redactor(method: method.plan, secrets: secrets, input: input)
        self.context = TemplateContext(input: input, secrets: secrets, reference: options.idempotencyKey)
        if options.idempotencyKey == nil {
            var random = SystemRandomNumberGenerator()
            context.generateReference(using: &random)
        }
    }

    var taskId: String? { context.taskId }

    func emit(_ event: ToolEvent) { options.events?.yield(event) }

    mutating func warn(_ code: PollsterError.Code, _ message: String) {
        let warning = ToolWarning(code: code, message: redactor.redact(message))
        warnings.append(warning)
        emit(.warning(warning))
    }

    /// The job as the polling machine knows it.
    var pollJob: PollMachine.Job { PollMachine.Job(name: method.name, taskId: taskId, redactor: redactor) }

    func taskIdMissing(_ response: TransportResponse) -> PollsterError {
        PollsterError(
            .taskIdNotFound,
            "\(method.name): no task id in the submit response (looked for \(TaskIdDetector.names.prefix(6).joined(separator: ", ")), … at the top level and inside data, result, task, job, Response, operation); set adapterConfig.submit.taskIdPath. Response: \(redactor.excerpt(response.body))"
        )
    }
}
