import Logging
import Pollster
import PollsterCore

/// Replays a recorded fixture through a registry's tool method and reports how it ended.
///
/// The secrets the recording used get stand-in values; each request URL is redacted the way
/// the recording was (`${NAME}` for a secret, `[REDACTED]` for signed query values) before it is
/// matched, so a provider that takes its key in the query string replays too.
///
/// ```swift
/// let fixture = try Fixture.load(path: "Tests/Fixtures/heygen/recorded-success.json")
/// let run = await FixtureReplay.run(fixture, registry: try YAMLRegistry(directory: "adapters"))
/// #expect(fixture.outcome?.differences(from: run.outcome) == [])
/// ```
public enum FixtureReplay {
    /// One replay.
    public struct Run: Sendable {
        /// How the engine ended.
        public var result: Result<ToolResult, PollsterError>
        /// The same, as a fixture outcome (comparable with the recorded one).
        public var outcome: FixtureOutcome
        /// Requests that were not the next one recorded.
        public var unexpectedRequests: [String]
        /// Exchanges the replay did not use.
        public var remainingExchanges: Int
    }

    /// Replays `fixture`.
    /// - Parameters:
    ///   - fixture: the recording; its `tool`, `input` and `baseUrl` are used unless given.
    ///   - registry: where the tool method comes from (the shipped adapters, a drafted one).
    ///   - tool: the tool to invoke instead of the fixture's.
    ///   - maxWait: the polling deadline; default the method's.
    /// - Throws: `INVALID_INPUT` when the fixture names no tool and none is given.
    public static func run(
        _ fixture: Fixture, registry: any ToolRegistry, tool: String? = nil, maxWait: Duration? = nil
    ) async throws -> Run {
        guard let name = tool ?? fixture.tool else {
            throw PollsterError(
                .invalidInput, "the fixture names no tool: pass the tool to replay it with (--tool)")
        }
        let method = try await registry.method(named: name)
        var values: [String: String] = [:]
        for secret in Set(fixture.secrets).union(method.plan.secretNames) {
            values[secret] = "replay-\(secret.lowercased())-value"
        }
        let redactor = FixtureRedactor(secrets: values)
        let replay = ReplayTransport(fixture: fixture)
        var logger = Logger(label: "pollster.replay")
        logger.logLevel = .critical
        let pollster = Pollster(
            registry: registry, transport: RedactedURLTransport(base: replay, redactor: redactor),
            secrets: Secrets(values), urlPolicy: URLPolicy(allowPrivateNetworks: true), logger: logger)
        let options = InvokeOptions(
            baseUrlOverride: fixture.baseUrl, pollInterval: .milliseconds(1), maxWait: maxWait,
            idempotencyKey: fixture.reference)
        let result: Result<ToolResult, PollsterError>
        do {
            result = .success(try await pollster.invoke(name, input: fixture.input ?? [:], options: options))
        } catch {
            result = .failure(error)
        }
        return Run(
            result: result, outcome: FixtureOutcome(result, redactor: redactor),
            unexpectedRequests: replay.unexpectedRequests, remainingExchanges: replay.remainingExchanges)
    }
}

/// Redacts each request's URL before passing it on, so it matches a redacted recording.
private struct RedactedURLTransport: Transport {
    let base: ReplayTransport
    let redactor: FixtureRedactor

    func stream<Result>(
        _ request: TransportRequest, _ handle: (TransportResponseHead, TransportBody) async throws -> Result
    ) async throws -> Result {
        var request = request
        request.url = redactor.url(request.url)
        return try await base.stream(request, handle)
    }
}
