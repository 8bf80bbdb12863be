import Logging
import PollsterCore

/// What a cancel request achieved.
public struct CancelResult: Sendable, Codable {
    /// `inventory.method`.
    public var tool: String
    /// The provider task id.
    public var taskId: String
    /// True when the provider answered the cancel request with a 2xx status.
    public var confirmed: Bool
    /// The provider's HTTP status.
    public var httpStatus: Int
    /// The provider's JSON answer, if any.
    public var data: JSONValue?
}

extension HttpAdapter {
    /// Sends the method's cancel request for `taskId`.
    /// - Parameter response: the submit response, for templates like `{response.urls.cancel}`.
    /// - Throws: `INVALID_CONFIG` when the method has no `cancel`; transport failures.
    func cancel(_ method: ToolMethod, taskId: String, response: JSONValue?, baseUrl: String?) async throws
        -> CancelResult
    {
        guard let plan = method.plan.cancel else {
            throw PollsterError(
                .invalidConfig,
                "\(method.name) has no adapterConfig.cancel; the provider's job cannot be canceled from here")
        }
        let builder = RequestBuilder(method: method, baseUrl: baseUrl, secrets: secrets)
        let context = TemplateContext(input: [:], taskId: taskId, response: response, secrets: secrets)
        let url = try builder.configuredURL(plan.url, context)
        try await checkResponseURL(url, builder: builder, purpose: "send the cancel request to")
        let request = try builder.plain(
            method: plan.method, url: url, body: plan.body, context, key: "cancel.url")
        let redactor = Redactor(method: method.plan, secrets: secrets)
        do {
            let answer = try await transport.send(request)
            logger.info("cancel sent", metadata: ["tool": "\(method.name)", "status": "\(answer.status)"])
            return CancelResult(
                tool: method.name, taskId: taskId, confirmed: (200..<300).contains(answer.status),
                httpStatus: answer.status, data: try? JSONParser.parse(answer.body))
        } catch let failure as TransportFailure {
            throw PollsterError(
                .transportError,
                "\(method.name): cancel of task \(taskId) failed: \(redactor.redact(failure.message))",
                taskId: taskId)
        }
    }

    /// Cancels the job after a polling timeout (the job machine's `cancelAndFail`, when
    /// `cancel.onTimeout` is set); returns a sentence for the error message.
    func cancelAfterTimeout(_ run: Invocation) async -> String? {
        guard let taskId = run.taskId else { return nil }
        do {
            let result = try await cancel(
                run.method, taskId: taskId, response: run.context.response, baseUrl: run.builder.baseUrl)
            return result.confirmed
                ? "The job was canceled at the provider (cancel.onTimeout, HTTP \(result.httpStatus))."
                : "Canceling it at the provider was not confirmed (HTTP \(result.httpStatus))."
        } catch {
            return "Canceling it at the provider failed: \(error)."
        }
    }
}
