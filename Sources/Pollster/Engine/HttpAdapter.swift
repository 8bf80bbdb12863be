import Foundation
import Logging
import NIOHTTP1
import PollsterCore

/// The steps of an invocation of an `http` tool method — submit and detect, one poll, fetch the
/// result and download the outputs — which `JobScheduler` runs.
///
/// A class, so that each of the many suspended calls of a waiting job holds one reference
/// to it rather than a copy of its fields.
final class HttpAdapter: Sendable {
    let transport: any Transport
    let secrets: Secrets
    let downloader: Downloader
    let limits: ProviderLimits
    let metrics: EngineMetrics
    let logger: Logger

    init(
        transport: any Transport, secrets: Secrets, downloader: Downloader, limits: ProviderLimits,
        metrics: EngineMetrics = EngineMetrics(factory: nil), logger: Logger
    ) {
        self.metrics = metrics
        self.transport = transport
        self.secrets = secrets
        self.downloader = downloader
        self.limits = limits
        self.logger = logger
    }

    /// Submits the job (or resumes it from its checkpoint) and reads the submit response.
    /// - Returns: the delay before the first poll; nil when the job needs no polling.
    func start(_ stage: inout JobState.Stage) async throws -> Duration? {
        let submitted: TransportResponse
        if let checkpoint = stage.run.options.resume {
            submitted = try resume(&stage.run, from: checkpoint)
            if let result = checkpoint.result {
                stage.storedResult = result
                stage.run.report.statusRule = "result stored with the task; downloading again"
                return nil
            }
        } else {
            submitted = try await submit(&stage.run)
            // Stored with the task: the answer may echo the request's credentials.
            try await stage.run.options.onAccepted?(
                TaskCheckpoint(
                    providerTaskId: stage.run.taskId, submitURL: stage.run.submitURL,
                    submittedAt: stage.run.submittedAt, response: stage.run.redactor.redact(submitted),
                    foundByReference: stage.run.foundByReference))
        }
        return try await beginPolling(&stage, submitted: submitted)
    }

    /// Fetches the result and downloads the outputs of a job that succeeded.
    func finish(_ stage: inout JobState.Stage) async throws {
        let result: JSONValue
        if let stored = stage.storedResult {
            result = stored
        } else {
            result = try await fetchResult(&stage.run, final: stage.final)
            try await stage.run.options.onResult?(stage.run.redactor.redact(result))
        }
        let files = try await outputs(&stage.run, result: result)
        stage.result = succeeded(stage.run, result: result, files: files)
    }

    // The helpers below are synchronous and not inlined, so their temporaries stay out of the
    // async frame that every running invocation keeps while it waits (docs/benchmarks.md).

    /// The state of a new invocation of `method` for `call`.
    /// - Throws: `MISSING_SECRET` when the method's secrets are not all set; nothing is sent.
    @inline(never)
    func prepare(_ method: ToolMethod, call: JobScheduler.Call) throws(PollsterError) -> JobState {
        try checkSecrets(method)
        return JobState(
            Invocation(
                method: method, input: call.item.input, secrets: secrets, options: call.options,
                baseUrl: call.options.baseUrlOverride ?? method.baseUrl,
                limiters: limits.limiters(for: method)),
            call: call)
    }

    /// Refuses a method whose secrets are not all set (MISSING_SECRET); nothing is sent.
    func checkSecrets(_ method: ToolMethod) throws(PollsterError) {
        let missing = method.plan.secretNames.filter { secrets[$0] == nil }.sorted()
        if let first = missing.first {
            throw PollsterError(
                .missingSecret,
                "\(method.name) needs secret ${\(first)}\(missing.count > 1 ? " (and \(missing.dropFirst().joined(separator: ", ")))" : ""); export \(first)=… or add it to .env. Nothing was sent."
            )
        }
    }

    /// The result of a finished invocation.
    @inline(never)
    private func succeeded(_ run: Invocation, result: JSONValue, files: [ToolFile]) -> ToolResult {
        let completed = ContinuousClock.now
        return ToolResult(
            tool: run.method.name, method: run.method.config.name, taskId: run.taskId, state: .succeeded,
            data: run.redactor.redact(result),
            files: files, warnings: run.warnings,
            timings: ToolTimings(
                submittedAt: run.submittedAt.timeIntervalSince1970, completedAt: Date().timeIntervalSince1970,
                polls: run.polls, elapsedSeconds: (completed - run.started).seconds),
            detection: run.report)
    }

    /// Sends a request to the provider under the inventory's request rate; 429s slow it down.
    /// `kind` labels it in the engine's metrics.
    func sendToProvider(_ run: Invocation, _ request: TransportRequest, kind: EngineMetrics.Kind) async throws
        -> TransportResponse
    {
        try await run.limiters.requests?.acquire()
        let started = ContinuousClock.now
        let response: TransportResponse
        do {
            response = try await transport.send(request)
        } catch {
            metrics.request(
                inventory: run.method.inventory, kind: kind, status: nil, duration: .now - started)
            throw error
        }
        metrics.request(
            inventory: run.method.inventory, kind: kind, status: response.status, duration: .now - started)
        if response.status == 429 {
            run.limiters.requests?.slowDown(
                retryAfter: response.headers.retryAfterDelay)
        } else {
            run.limiters.requests?.recover()
        }
        return response
    }

    /// Reads the submit response for a status and sets up polling.
    /// - Returns: the delay before the first poll; nil when the submit response is already final.
    private func beginPolling(_ stage: inout JobState.Stage, submitted: TransportResponse) async throws
        -> Duration?
    {
        let body = stage.run.context.response
        guard let polling = stage.run.method.plan.polling else {
            stage.final = body ?? .null
            return nil
        }
        if let body {
            let reading = polling.classifier.bound(taskId: stage.run.taskId).classify(body)
            if reading.phase == .failed || reading.phase == .canceled {
                stage.run.report.statusRule = reading.rule
                throw PollMachine.terminalError(reading, job: stage.run.pollJob)
            }
            if reading.phase == .succeeded, !OutputFinder.find(in: body).isEmpty {
                stage.run.report.statusRule = "\(reading.rule) (in the submit response; no polling needed)"
                stage.final = body
                return nil
            }
        }
        let (url, mode) = try statusURL(&stage.run, submitted: submitted, polling: polling)
        if polling.requestUsesTaskId, stage.run.taskId == nil {
            // Polling with an empty id would ask about no task until the deadline.
            throw stage.run.taskIdMissing(submitted)
        }
        // A resumed job goes on from where polling stood; a new one looks first when a 202's
        // Retry-After (Azure-style operations) says.
        let progress = stage.run.options.resume?.polling
        let retryAfter =
            progress != nil
            ? nil
            : submitted.headers.retryAfterDelay
        var machine = PollMachine(
            job: stage.run.pollJob, plan: polling, mode: mode, interval: stage.run.options.pollInterval,
            maxWait: stage.run.options.maxWait, retryAfter: retryAfter, progress: progress ?? .init())
        stage.run.polls = machine.polls
        var random = SystemRandomNumberGenerator()
        let first = machine.start(elapsed: .now - stage.run.submitInstant, using: &random)
        stage.polling = PollState(
            url: polling.statusUrl.map(PollState.URLSource.configured) ?? .detected(url), machine: machine)
        // Needed only to resolve a detected status URL and for the checkpoint, both done by now.
        stage.run.submitURL = ""
        return try await perform(first, &stage)
    }

    /// The status URL: configured, or detected from the submit response.
    private func statusURL(_ run: inout Invocation, submitted: TransportResponse, polling: PollingPlan) throws
        -> (String, StatusURLDetector.Mode)
    {
        if let template = polling.statusUrl {
            if template.usesTaskId, run.taskId == nil { throw run.taskIdMissing(submitted) }
            run.report.statusUrl = "config polling.statusUrl"
            return (try run.builder.configuredURL(template, run.context), .statusBody)
        }
        guard
            let (detected, mode) = StatusURLDetector.detect(
                body: run.context.response, status: submitted.status,
                header: { submitted.headers.first(name: $0) })
        else {
            throw PollsterError(
                .taskIdNotFound,
                "\(run.method.name): the submit response gives no status URL (looked for status_url, statusUrl, urls.get, polling_url, operation_url, and the Operation-Location, Azure-AsyncOperation and Location headers of a 202); set polling.statusUrl. Response: \(run.redactor.excerpt(submitted.body))",
                taskId: run.taskId)
        }
        run.report.statusUrl = detected.source
        let url = HTTPURL.resolve(detected.value, against: run.submitURL)
        if run.taskId == nil, let last = HTTPURL(url)?.path.split(separator: "/").last, !last.isEmpty {
            // 202 + Operation-Location carries no id in a body: the operation's last path segment is its id.
            run.context.taskId = PercentEncoding.decode(String(last)) ?? String(last)
            run.report.taskId = "\(detected.source) (last path segment)"
        }
        return (url, mode)
    }
}
