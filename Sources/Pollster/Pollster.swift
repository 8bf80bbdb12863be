import CoreMetrics
import Logging
import PollsterCore

/// The engine's front door: invoke tool methods by name.
///
/// ```swift
/// let transport = HTTPClientTransport()
/// let pollster = Pollster(registry: try YAMLRegistry(directory: "adapters"), transport: transport)
/// let result = try await pollster.invoke("replicate.create_prediction", input: ["input": ["prompt": "a cat"]])
/// try await transport.shutdown()
/// ```
public struct Pollster: Sendable {
    /// Where tool methods come from.
    public let registry: any ToolRegistry
    private let adapter: HttpAdapter
    /// The loop `invoke` calls share while `run()` hosts it.
    let shared = SharedScheduler()

    /// An engine.
    /// - Parameters:
    ///   - registry: the tool methods.
    ///   - transport: the network (or fixtures).
    ///   - secrets: secret values for `${NAME}` templates; default: environment + `.env`.
    ///   - urlPolicy: the download policy; default refuses private networks.
    ///   - logger: where the engine logs (secrets redacted).
    ///   - metrics: where the engine records its provider requests and downloads (swift-metrics;
    ///     labels in docs/http-api.md, Metrics); nil records nothing.
    public init(
        registry: any ToolRegistry, transport: any Transport, secrets: Secrets = SecretStore.load(),
        urlPolicy: URLPolicy = URLPolicy(), logger: Logger = Logger(label: "pollster"),
        metrics: (any MetricsFactory)? = nil
    ) {
        self.registry = registry
        self.adapter = HttpAdapter(
            transport: transport, secrets: secrets,
            downloader: Downloader(transport: transport, policy: urlPolicy), limits: ProviderLimits(),
            metrics: EngineMetrics(factory: metrics), logger: logger)
    }

    /// Invokes `tool` (`inventory.method`) with `input` and waits for its result.
    ///
    /// While `run()` hosts the engine's scheduler, the job waits there between its submit and its
    /// result, as data, with the other invocations' jobs; otherwise the calling task sleeps
    /// between polls. The result is the same either way.
    /// - Throws: `PollsterError` with a stable code; never anything else.
    public func invoke(_ tool: String, input: JSONValue, options: InvokeOptions = InvokeOptions())
        async throws(PollsterError)
        -> ToolResult
    {
        // The result goes straight to the caller (no copy of it waits in this frame); the last
        // event follows it through `defer`.
        var failed = false
        defer { if !failed { Self.finish(options.events, error: nil) } }
        do {
            return try await scheduler.invoke(tool, input: input, options: options)
        } catch {
            failed = true
            let error = Self.mapped(error, tool: tool)
            Self.finish(options.events, error: error)
            throw error
        }
    }

    /// Sends the last event and closes the stream (not inlined, so that its temporaries stay out
    /// of the async frame every waiting invocation keeps; docs/benchmarks.md).
    @inline(never)
    private static func finish(_ events: AsyncStream<ToolEvent>.Continuation?, error: PollsterError?) {
        guard let events else { return }
        let phase: TaskPhase =
            switch error?.code {
            case nil: .succeeded
            case .taskCanceled: .canceled
            default: .failed
            }
        events.yield(.finished(phase: phase, error: error))
        events.finish()
    }

    /// Cancels a provider job of `tool` (the method needs `adapterConfig.cancel`).
    /// - Parameters:
    ///   - taskId: the provider's task id (`ToolResult.taskId`, `PollsterError.taskId`).
    ///   - response: the submit response, when the cancel URL comes from it (`{response.urls.cancel}`).
    ///   - baseUrlOverride: as in `InvokeOptions`.
    /// - Returns: whether the provider confirmed the cancel.
    public func cancel(
        _ tool: String, taskId: String, response: JSONValue? = nil, baseUrlOverride: String? = nil
    )
        async throws(PollsterError) -> CancelResult
    {
        do {
            let method = try await registry.method(named: tool)
            return try await adapter.cancel(
                method, taskId: taskId, response: response, baseUrl: baseUrlOverride ?? method.baseUrl)
        } catch {
            throw PollsterError.mapping(error, "\(tool): cancel failed", from: .transport)
        }
    }

    /// Finds the provider job of a submit whose answer was never stored (a process stopped
    /// between sending it and storing the answer), by the client reference it was sent with
    /// (`submit.reconcile`). Resume it with `InvokeOptions.resume`.
    /// - Parameters:
    ///   - reference: the key the submit was sent with (`InvokeOptions.idempotencyKey`).
    ///   - baseUrlOverride: as in `InvokeOptions`.
    /// - Returns: the checkpoint to resume from; nil when the method declares no `submit.reconcile`.
    /// - Throws: `SUBMIT_UNCERTAIN` saying what the lookup saw when it found no job.
    public func findSubmitted(
        _ tool: String, input: JSONValue, reference: String, baseUrlOverride: String? = nil
    ) async throws(PollsterError) -> TaskCheckpoint? {
        do {
            let method = try await registry.method(named: tool)
            return try await adapter.findSubmitted(
                method, input: input, reference: reference, baseUrlOverride: baseUrlOverride)
        } catch {
            throw Self.mapped(error, tool: tool)
        }
    }

    /// Checks that `tool` exists and that `input` is acceptable for it, without sending anything:
    /// the input must be a JSON object and match the method's `requestSchema`, if it has one.
    ///
    /// `invoke` runs exactly these checks first; call this to refuse a bad input before
    /// accepting work for later (for example before persisting a durable task).
    ///
    /// ```swift
    /// let method = try await pollster.validateInput("fal.fast_sdxl", input: ["prompt": "a lighthouse"])
    /// ```
    /// - Returns: the method, ready to run.
    /// - Throws: `TOOL_NOT_FOUND`, `INVALID_CONFIG` (the method's config is broken) or
    ///   `INVALID_INPUT` listing every violation with its path (`input.images[2]: …`).
    public func validateInput(_ tool: String, input: JSONValue) async throws(PollsterError) -> ToolMethod {
        let method: ToolMethod
        do {
            method = try await registry.method(named: tool)
        } catch {
            throw Self.mapped(error, tool: tool)
        }
        try Self.check(input, of: tool, against: method)
        return method
    }

    /// The synchronous part of `validateInput` (not inlined, like `finish`).
    @inline(never)
    private static func check(_ input: JSONValue, of tool: String, against method: ToolMethod)
        throws(PollsterError)
    {
        guard case .object = input else {
            throw PollsterError(
                .invalidInput,
                "\(tool): the input must be a JSON object, got \(input.description.prefix(60))")
        }
        if let schema = method.plan.inputSchema {
            let violations = schema.validate(input)
            if !violations.isEmpty {
                throw PollsterError(
                    .invalidInput,
                    "\(tool): the input does not match requestSchema: \(InputSchema.summary(of: violations)). Nothing was sent."
                )
            }
        }
    }

    /// Runs invocations' steps, holding waiting jobs as data.
    var scheduler: JobScheduler {
        JobScheduler(adapter: adapter, shared: shared) { tool, input in
            try await validateInput(tool, input: input)
        }
    }

    /// Every error as a `PollsterError`.
    @inline(never)
    static func mapped(_ error: any Error, tool: String) -> PollsterError {
        PollsterError.mapping(error, tool, from: .transport)
    }
}
