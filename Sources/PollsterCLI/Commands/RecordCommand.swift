import ArgumentParser
import Foundation
import Logging
import Pollster
import PollsterCore
import PollsterMock

/// `pollster record <tool> --input JSON [--out FILE]`: runs the real invocation and writes the
/// whole exchange, redacted, as a fixture.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Invoke a tool and record the exchange (redacted) as a replayable fixture.",
        discussion: """
            Every request and answer is kept (downloads as size, MIME type and SHA-256 only). Secrets \
            become ${NAME}, credential headers keep only their scheme, signed URL parameters are \
            [REDACTED]. A failed invocation is recorded too; the exit code is 0 once the file is written.
            """)

    @Argument(help: "The tool, as inventory.method.")
    var tool: String

    @Option(help: "The input: inline JSON, or @path to a JSON file.")
    var input: String = "{}"

    @Option(
        help: "Write the fixture here (e.g. Tests/Fixtures/<provider>/<case>.json); default: standard output."
    )
    var out: String?

    @Option(help: "What the fixture shows (stored as its description).")
    var description: String?

    @Option(name: .customLong("poll-interval"), help: "Seconds between polls (default: the method's).")
    var pollInterval: Double?

    @Option(name: .customLong("max-wait"), help: "Seconds before polling gives up (default: the method's).")
    var maxWait: Double?

    @OptionGroup var engine: EngineOptions

    func run() async throws {
        let inputValue = try InputReader.read(input)
        let registry = try await engine.registry()
        let method: ToolMethod
        do { method = try await registry.method(named: tool) } catch let error as PollsterError {
            throw error.exit()
        }
        let secrets = SecretStore.load()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-record-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let transport = engine.transport()
        let recorder = RecordingTransport(transport)
        let pollster = Pollster(
            registry: registry, transport: recorder, secrets: secrets,
            urlPolicy: URLPolicy(allowPrivateNetworks: engine.allowPrivateNetworks),
            logger: Logger(label: "pollster"))
        let reference = "recorded-\(UUID().uuidString.lowercased())"
        let options = InvokeOptions(
            outputDirectory: scratch.path, baseUrlOverride: engine.baseUrl,
            pollInterval: pollInterval.map { .milliseconds(Int64($0 * 1000)) },
            maxWait: maxWait.map { .milliseconds(Int64($0 * 1000)) }, idempotencyKey: reference)
        let result: Result<ToolResult, PollsterError>
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            result = .success(try await pollster.invoke(tool, input: inputValue, options: options))
        } catch let error as PollsterError {
            result = .failure(error)
        }
        try? await transport.shutdown()
        let recording = FixtureRecording(
            method: method, input: inputValue, baseUrl: engine.baseUrl, exchanges: recorder.exchanges,
            result: result, secrets: secrets, description: description, reference: reference)
        let text = PrettyJSON.string(recording.json)
        if let out {
            do {
                let url = URL(fileURLWithPath: out)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            } catch {
                throw PollsterError(.invalidInput, "cannot write the fixture to \(out): \(error)").exit()
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        let ended =
            recording.outcome.code.map { "\(recording.outcome.state) (\($0))" } ?? recording.outcome.state
        Console.error(
            "recorded \(recorder.exchanges.count) exchanges of \(tool): \(ended)\(out.map { " → \($0)" } ?? "")"
        )
    }
}
