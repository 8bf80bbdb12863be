import Foundation
import Logging
import NIOHTTP1
import PollsterCore

/// The steps of an invocation of an `http` tool method — start, one poll, finish — which
/// `JobScheduler` runs: each carries out what the job's `JobMachine` says (send this request,
/// wait, download an output) until the machine waits between polls or is done.
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

    /// Submits the job (or resumes it from its checkpoint) and runs its machine until the first
    /// wait between polls.
    /// - Returns: the delay before the first poll; nil when the job needs no (more) polling.
    func start(_ stage: inout JobState.Stage) async throws -> Duration? {
        var random = SystemRandomNumberGenerator()
        let step: JobMachine.Step
        if let checkpoint = stage.run.options.resume {
            let now = stage.run.now
            step = stage.run.machine.resume(
                JobMachine.Stored(
                    answer: JobMachine.Answer(checkpoint.response, withHeaders: true),
                    foundByReference: checkpoint.foundByReference,
                    result: checkpoint.result, polling: checkpoint.polling),
                submitURL: checkpoint.submitURL,
                submittedAt: now - .seconds(max(0, Date().timeIntervalSince(checkpoint.submittedAt))),
                at: now, overrides: stage.run.overrides, using: &random)
        } else {
            step = stage.run.machine.start(
                submitURL: try stage.run.builder.submit(stage.run.context).url, overrides: stage.run.overrides
            )
        }
        let delay = try await advance(&stage, step)
        if delay != nil, case .configured(let template) = stage.run.machine.statusURL {
            // A status URL its template cannot fill fails the job now, not after the first wait.
            _ = try stage.run.builder.configuredURL(template, stage.run.context)
        }
        return delay
    }

    /// Fetches the result and downloads the outputs of a job whose polling succeeded.
    func finish(_ stage: inout JobState.Stage) async throws {
        guard let step = stage.run.machine.afterPolling() else {
            throw PollsterError(
                .internal, "internal error: \(stage.run.method.name) finished before it succeeded")
        }
        guard case .succeeded(let result, let files) = try await drive(&stage, step) else {
            throw PollsterError(
                .internal, "internal error: \(stage.run.method.name) stopped before its outputs")
        }
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
                polls: run.machine.polls, elapsedSeconds: (completed - run.started).seconds),
            detection: run.machine.report)
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
}
