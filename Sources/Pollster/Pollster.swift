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

    /// An engine.
    /// - Parameters:
    ///   - registry: the tool methods.
    ///   - transport: the network (or fixtures).
    ///   - secrets: secret values for `${NAME}` templates; default: environment + `.env`.
    ///   - urlPolicy: the download policy; default refuses private networks.
    ///   - logger: where the engine logs (secrets redacted).
    public init(
        registry: any ToolRegistry, transport: any Transport, secrets: Secrets = SecretStore.load(),
        urlPolicy: URLPolicy = URLPolicy(), logger: Logger = Logger(label: "pollster")
    ) {
        self.registry = registry
        self.adapter = HttpAdapter(
            transport: transport, secrets: secrets,
            downloader: Downloader(transport: transport, policy: urlPolicy), limits: ProviderLimits(),
            logger: logger)
    }

    /// Invokes `tool` (`inventory.method`) with `input` and waits for its result.
    /// - Throws: `PollsterError` with a stable code; never anything else.
    public func invoke(_ tool: String, input: JSONValue, options: InvokeOptions = InvokeOptions())
        async throws(PollsterError)
        -> ToolResult
    {
        defer { options.events?.finish() }
        do {
            let result = try await run(tool, input: input, options: options)
            options.events?.yield(.finished(phase: .succeeded, error: nil))
            return result
        } catch {
            let phase: TaskPhase =
                switch error.code {
                case .taskCanceled: .canceled
                default: .failed
                }
            options.events?.yield(.finished(phase: phase, error: error))
            throw error
        }
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
        } catch let error as PollsterError {
            throw error
        } catch {
            throw PollsterError(.transportError, "\(tool): cancel failed: \(error)")
        }
    }

    private func run(_ tool: String, input: JSONValue, options: InvokeOptions) async throws(PollsterError)
        -> ToolResult
    {
        do {
            let method = try await registry.method(named: tool)
            guard case .object = input else {
                throw PollsterError(
                    .invalidInput,
                    "\(tool): the input must be a JSON object, got \(input.description.prefix(60))")
            }
            return try await adapter.run(method, input: input, options: options)
        } catch let error as PollsterError {
            throw error
        } catch is CancellationError {
            throw PollsterError(.transportError, "\(tool): the invocation was cancelled")
        } catch let failure as TransportFailure {
            throw PollsterError(.transportError, "\(tool): \(failure.message)")
        } catch {
            throw PollsterError(.transportError, "\(tool): \(error)")
        }
    }
}
