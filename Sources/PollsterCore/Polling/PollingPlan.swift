/// Compiled polling rules.
///
/// A class, so that every waiting job of a method shares one plan (8 bytes each) rather than a
/// copy of its fields; it never changes once compiled.
public final class PollingPlan: Sendable {
    /// Status URL template; nil means detect it from the submit response.
    public let statusUrl: Template?
    /// HTTP method of the status request.
    public let method: String
    /// Body template of the status request.
    public let body: JSONValue?
    /// Extra headers of the status request, sorted by name.
    public let headers: [(name: String, value: Template)]
    /// When to poll.
    public let schedule: PollSchedule
    /// How to read a status response.
    public let classifier: StatusClassifier
    /// Failed polls in a row before giving up.
    public let maxConsecutiveErrors: Int
    /// How answers are read, when the config forces it; nil decides from how the URL was found.
    public let mode: StatusURLDetector.Mode?
    /// Whether the status body or headers need the task id (`{id}`).
    public let requestUsesTaskId: Bool
    /// Whether the status URL, body or headers read the last status answer (`{status.…}`): only
    /// then is a waiting job's last answer kept between polls.
    public let requestUsesStatus: Bool

    init(_ config: PollingConfig, envelope: ErrorEnvelope) throws(PollsterError) {
        let key = "adapterConfig.polling"
        statusUrl = try config.statusUrl.map { url throws(PollsterError) in
            try MethodPlan.template(url, key: "\(key).statusUrl")
        }
        method = try MethodPlan.httpMethod(config.statusMethod, key: "\(key).statusMethod")
        body = config.statusBody
        if let body { try MethodPlan.checkTemplates(in: body, key: "\(key).statusBody") }
        headers = try MethodPlan.templates(config.statusHeaders, key: "\(key).statusHeaders")
        guard config.intervalSeconds > 0, config.intervalSeconds <= 3600 else {
            throw PollsterError(
                .invalidConfig,
                "\(key).intervalSeconds: must be greater than 0 and at most 3600, got \(config.intervalSeconds)"
            )
        }
        guard config.maxWaitSeconds > 0 else {
            throw PollsterError(
                .invalidConfig, "\(key).maxWaitSeconds: must be greater than 0, got \(config.maxWaitSeconds)")
        }
        guard config.maxConsecutiveErrors >= 1 else {
            throw PollsterError(.invalidConfig, "\(key).maxConsecutiveErrors: must be at least 1")
        }
        maxConsecutiveErrors = config.maxConsecutiveErrors
        switch config.mode {
        case "auto": mode = nil
        case "body": mode = .statusBody
        case "location": mode = .location
        default:
            throw PollsterError(
                .invalidConfig, "\(key).mode: '\(config.mode)' is not one of auto, body, location")
        }
        requestUsesTaskId =
            headers.contains { $0.value.usesTaskId } || (body.map(MethodPlan.usesTaskId(in:)) ?? false)
        requestUsesStatus =
            statusUrl?.usesStatus == true || headers.contains { $0.value.usesStatus }
            || (body.map { MethodPlan.anyTemplate(in: $0, \.usesStatus) } ?? false)
        var backoff: PollSchedule.Backoff?
        if let config = config.backoff {
            guard config.multiplier >= 1 else {
                throw PollsterError(.invalidConfig, "\(key).backoff.multiplier: must be at least 1")
            }
            guard ["full", "none"].contains(config.jitter) else {
                throw PollsterError(
                    .invalidConfig, "\(key).backoff.jitter: '\(config.jitter)' is not one of full, none")
            }
            backoff = .init(
                multiplier: config.multiplier, maxInterval: .seconds(config.maxIntervalSeconds),
                jitter: config.jitter == "full")
        }
        schedule = PollSchedule(
            interval: .seconds(config.intervalSeconds), maxWait: .seconds(config.maxWaitSeconds),
            backoff: backoff)
        classifier = try StatusClassifier(config, envelope: envelope)
    }

    /// A copy of `plan` with another classifier.
    private init(_ plan: PollingPlan, classifier: StatusClassifier) {
        statusUrl = plan.statusUrl
        method = plan.method
        body = plan.body
        headers = plan.headers
        schedule = plan.schedule
        self.classifier = classifier
        maxConsecutiveErrors = plan.maxConsecutiveErrors
        mode = plan.mode
        requestUsesTaskId = plan.requestUsesTaskId
        requestUsesStatus = plan.requestUsesStatus
    }

    /// The same plan with `{id}` in the classifier's paths replaced by the task id (the plan
    /// itself when no path reads it).
    package func bound(taskId: String?) -> PollingPlan {
        guard taskId != nil, classifier.usesTaskId else { return self }
        return PollingPlan(self, classifier: classifier.bound(taskId: taskId))
    }

    var secretNames: Set<String> {
        var names = Set(statusUrl?.secretNames ?? [])
        for (_, template) in headers { names.formUnion(template.secretNames) }
        if let body { names.formUnion(MethodPlan.secretNames(in: body)) }
        return names
    }
}
