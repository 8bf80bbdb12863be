import Logging
import Pollster
import PollsterCore

extension MockProviderServer {
    /// Runs `body` with a mock provider and an engine that reaches it over real HTTP, then shuts
    /// both down (also when `body` throws). Point invocations at it with
    /// `InvokeOptions(baseUrlOverride: mock.baseURL)`.
    ///
    /// ```swift
    /// try await MockProviderServer.withEngine(registry: try YAMLRegistry(directory: "adapters"), secrets: secrets) {
    ///     pollster, mock in
    ///     let result = try await pollster.invoke("fal.fast_sdxl", input: input, options: .init(baseUrlOverride: mock.baseURL))
    /// }
    /// ```
    /// - Parameters:
    ///   - registry: the tool methods.
    ///   - script: how the mock's jobs behave unless a test enqueues others.
    ///   - secrets: values for the adapters' `${NAME}`s (the mock only checks one is sent).
    ///   - urlPolicy: the download policy; default allows loopback, where the mock is.
    ///   - logger: the engine's logger.
    ///   - tls: serve the mock over HTTPS with this certificate.
    ///   - transport: the engine's HTTP client settings (e.g. to trust that certificate).
    public static func withEngine<T>(
        registry: any ToolRegistry, script: MockJobScript = MockJobScript(), secrets: Secrets,
        urlPolicy: URLPolicy = URLPolicy(allowPrivateNetworks: true),
        logger: Logger = Logger(label: "pollster"), tls: MockTLSIdentity? = nil,
        transport configuration: HTTPClientTransport.Configuration = .init(),
        _ body: (Pollster, MockProviderServer) async throws -> T
    ) async throws -> T {
        let mock = try await MockProviderServer.start(defaultScript: script, tls: tls)
        let transport = HTTPClientTransport(configuration: configuration)
        let pollster = Pollster(
            registry: registry, transport: transport, secrets: secrets, urlPolicy: urlPolicy, logger: logger)
        do {
            let value = try await body(pollster, mock)
            try await transport.shutdown()
            try await mock.shutdown()
            return value
        } catch {
            try? await transport.shutdown()
            try? await mock.shutdown()
            throw error
        }
    }
}
