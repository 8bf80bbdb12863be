import Foundation
import Logging
import NIOHTTP1
import PollsterCore

/// Runs one invocation of an `http` tool method: submit, detect, poll, fetch the result,
/// find the outputs and download them.
struct HttpAdapter: Sendable {
    let transport: any Transport
    let secrets: Secrets
    let downloader: Downloader
    let limits: ProviderLimits
    let logger: Logger

    /// Runs `method` with `input`.
    func run(_ method: ToolMethod, input: JSONValue, options: InvokeOptions) async throws -> ToolResult {
        try checkSecrets(method)
        var run = Invocation(
            method: method, input: input, secrets: secrets, options: options,
            baseUrl: options.baseUrlOverride ?? method.baseUrl, limiters: limits.limiters(for: method))
        // limits.maxConcurrent: a slot is held from before the submit until the outputs are in.
        try await run.limiters.jobs?.acquire()
        defer { run.limiters.jobs?.release() }
        let submitted: TransportResponse
        if let checkpoint = options.resume {
            submitted = try resume(&run, from: checkpoint)
        } else {
            submitted = try await submit(&run)
            try await options.onAccepted?(
                TaskCheckpoint(
                    providerTaskId: run.taskId, submitURL: run.submitURL, submittedAt: run.submittedAt,
                    response: submitted))
        }
        let final = try await awaitCompletion(&run, submitted: submitted)
        let result = try await fetchResult(&run, final: final)
        let files = try await outputs(&run, result: result)
        return succeeded(run, result: result, files: files)
    }

    // The two helpers below are synchronous and not inlined, so their temporaries stay out of the
    // async frame that every running invocation keeps while it waits (docs/benchmarks.md).

    /// Refuses a method whose secrets are not all set (MISSING_SECRET); nothing is sent.
    @inline(never)
    private func checkSecrets(_ method: ToolMethod) throws(PollsterError) {
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
            data: result,
            files: files, warnings: run.warnings,
            timings: ToolTimings(
                submittedAt: run.submittedAt.timeIntervalSince1970, completedAt: Date().timeIntervalSince1970,
                polls: run.polls, elapsedSeconds: (completed - run.started).seconds),
            detection: run.report)
    }

    /// Sends a request to the provider under the inventory's request rate; 429s slow it down.
    func sendToProvider(_ run: Invocation, _ request: TransportRequest) async throws -> TransportResponse {
        try await run.limiters.requests?.acquire()
        let response = try await transport.send(request)
        if response.status == 429 {
            run.limiters.requests?.slowDown(
                retryAfter: response.headers.first(name: "Retry-After").flatMap {
                    RetryAfter.delay(from: $0, now: Date())
                })
        } else {
            run.limiters.requests?.recover()
        }
        return response
    }

    /// Waits for the job to finish and returns the final status JSON.
    private func awaitCompletion(_ run: inout Invocation, submitted: TransportResponse) async throws
        -> JSONValue
    {
        let body = run.context.response
        guard let polling = run.method.plan.polling else { return body ?? .null }
        if let body {
            let reading = polling.classifier.bound(taskId: run.taskId).classify(body)
            if reading.phase == .failed || reading.phase == .canceled {
                run.report.statusRule = reading.rule
                throw run.terminalError(reading)
            }
            if reading.phase == .succeeded, !OutputFinder.find(in: body).isEmpty {
                run.report.statusRule = "\(reading.rule) (in the submit response; no polling needed)"
                return body
            }
        }
        let (url, mode) = try statusURL(&run, submitted: submitted, polling: polling)
        // A 202's Retry-After (Azure-style operations) says when to look first.
        let retryAfter = submitted.headers.first(name: "Retry-After").flatMap {
            RetryAfter.delay(from: $0, now: Date())
        }
        return try await poll(&run, url: url, mode: mode, polling: polling, initialRetryAfter: retryAfter)
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
