import Foundation
import OrderedCollections
import Pollster
import PollsterCore

/// A finished recording: what `pollster record` writes.
///
/// ```swift
/// let recorder = RecordingTransport(HTTPClientTransport())
/// let pollster = Pollster(registry: registry, transport: recorder, secrets: secrets)
/// let result = await Result { try await pollster.invoke(tool, input: input) }
/// let recording = FixtureRecording(tool: method, input: input, baseUrl: nil, exchanges: recorder.exchanges,
///                                  result: result, secrets: secrets)
/// try PrettyJSON.string(recording.json).write(toFile: "Tests/Fixtures/heygen/success.json", …)
/// ```
public struct FixtureRecording: Sendable {
    /// The fixture document (`tool`, `input`, `baseUrl`, `secrets`, `exchanges`, `outcome`), redacted.
    public let json: JSONValue
    /// The outcome, as stored in `json`.
    public let outcome: FixtureOutcome

    /// Builds the redacted fixture of one invocation.
    /// - Parameters:
    ///   - method: the tool that was invoked; its `${NAME}` references decide what is redacted.
    ///   - input: the input it was invoked with.
    ///   - baseUrl: the base URL override it ran against, if any (a replay needs it).
    ///   - exchanges: what the ``RecordingTransport`` kept.
    ///   - result: how the invocation ended.
    ///   - secrets: the secret values, masked as `${NAME}` wherever they occur.
    ///   - description: what the fixture shows.
    ///   - reference: the client reference the call was made with (`InvokeOptions.idempotencyKey`);
    ///     a replay sends it again, so requests that carry it (`submit.reconcile`) match.
    public init(
        method: ToolMethod, input: JSONValue, baseUrl: String?, exchanges: [RecordedExchange],
        result: Result<ToolResult, PollsterError>, secrets: Secrets, description: String? = nil,
        reference: String? = nil
    ) {
        let names = method.plan.secretNames.sorted()
        var values: [String: String] = [:]
        for name in names { values[name] = secrets[name] }
        let redactor = FixtureRedactor(
            secrets: values, derived: Self.basicPair(method.plan, secrets: secrets, input: input))
        outcome = FixtureOutcome(result, redactor: redactor)
        // In reading order, as the hand-written fixtures are: what, which tool, then the exchanges.
        var document: OrderedDictionary<String, JSONValue> = [:]
        if let description { document["description"] = .string(description) }
        document["tool"] = .string(method.name)
        if let baseUrl { document["baseUrl"] = .string(redactor.url(baseUrl)) }
        if let reference { document["reference"] = .string(reference) }
        document["secrets"] = .array(names.map(JSONValue.string))
        document["input"] = redactor.json(input)
        document["exchanges"] = .array(exchanges.map { $0.fixtureJSON(redactor) })
        document["outcome"] = outcome.json
        json = .object(document)
    }

    /// The base64 `user:password` a Basic `Authorization` carries, which no single secret's forms cover.
    private static func basicPair(_ plan: MethodPlan, secrets: Secrets, input: JSONValue) -> [String] {
        guard case .basic(let username, let password)? = plan.auth else { return [] }
        let context = TemplateContext(input: input, secrets: secrets)
        guard let user = try? username.render(context, encoding: .header),
            let word = try? password.render(context, encoding: .header)
        else { return [] }
        let pair = Data("\(user):\(word)".utf8).base64EncodedString()
        return [pair, String(pair.prefix { $0 != "=" })]
    }
}
