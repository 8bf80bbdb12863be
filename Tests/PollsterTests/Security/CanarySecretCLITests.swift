import Foundation
import Pollster
import PollsterCore
import PollsterMock
import PollsterTesting
import Testing

/// The command line shows no canary secret, whatever an echoing provider answers: `invoke`
/// (text and `--json`, with trace logs on standard error), `explain` of a recording of those
/// answers, `list` and `registry export` (issue 12).
@Suite("Security: a canary secret never leaks from the command line")
struct CanarySecretCLITests {
    /// The canary's variables and trace-level logging.
    static let environment = Canary.environment.merging(["POLLSTER_LOG_LEVEL": "trace"]) { $1 }

    @Test(
        "invoke prints no canary on stdout or stderr (text and --json, trace logs)",
        arguments: CanaryAuth.allCases, CanaryRun.allCases)
    func invoke(auth: CanaryAuth, run: CanaryRun) async throws {
        let server = try await EchoProviderServer.start(outcome: run.outcome)
        let adapters = try auth.adapterDirectory(baseURL: server.baseURL)
        defer { try? FileManager.default.removeItem(at: adapters) }
        for json in [false, true] {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent(
                "pollster-canary-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: output) }
            let arguments =
                [
                    "invoke", canaryTool, "--input", #"{"prompt": "a lighthouse"}"#, "--adapters",
                    adapters.path,
                    "--output", output.path, "--allow-private-networks",
                ] + (json ? ["--json"] : [])
            let result = try await CLITests.run(arguments, in: output, environment: Self.environment)
            #expect((result.status == 0) == (run == .success), "\(result.error)")
            #expect(!result.error.isEmpty, "trace logs go to standard error")
            let shown = result.output + "\n" + result.error
            #expect(Canary.leaks(in: shown).isEmpty, "\(Canary.leaks(in: shown)) in \(shown)")
        }
        #expect(!Canary.leaks(in: server.requests.joined()).isEmpty, "the canary was not sent")
        try await server.shutdown()
    }

    @Test("explain of a recording of the echoing answers shows no canary", arguments: CanaryAuth.allCases)
    func explain(auth: CanaryAuth) async throws {
        let answers = try await EchoEngine.with(auth, .providerFailure) { engine in
            let recorder = FixtureRecorder()
            let pollster = Pollster(
                registry: try YAMLRegistry(directory: engine.adapters.path), transport: recorder,
                secrets: Secrets(Canary.environment), urlPolicy: URLPolicy(allowPrivateNetworks: true),
                logger: quietLogger)
            _ = try? await pollster.invoke(
                canaryTool, input: canaryInput)
            try await recorder.shutdown()
            return recorder.exchanges
        }
        #expect(answers.count >= 3, "submit and two polls recorded")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-canary-explain-\(UUID().uuidString)")
        let adapters = try auth.adapterDirectory(baseURL: "https://api.canary.test")
        defer {
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(at: adapters)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let fixture: JSONValue = ["tool": .string(canaryTool), "exchanges": .array(answers)]
        #expect(!Canary.leaks(in: fixture.description).isEmpty, "the recording holds the canary")
        let file = directory.appendingPathComponent("canary.json")
        try Data(JSONWriter.bytes(fixture)).write(to: file)
        let run = try await CLITests.run(
            ["explain", "--fixture", file.path, "--adapters", adapters.path], environment: Self.environment)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("rules: \(canaryTool)"), "\(run.output)")
        let shown = run.output + "\n" + run.error
        #expect(Canary.leaks(in: shown).isEmpty, "\(Canary.leaks(in: shown)) in \(shown)")
    }

    @Test("list and registry export show no canary", arguments: CanaryAuth.allCases)
    func listAndExport(auth: CanaryAuth) async throws {
        let adapters = try auth.adapterDirectory(baseURL: "https://api.canary.test")
        let exported = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-canary-export-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: adapters)
            try? FileManager.default.removeItem(at: exported)
        }
        var shown = ""
        for arguments in [
            ["list", "--adapters", adapters.path], ["list", "--json", "--adapters", adapters.path],
            ["registry", "export", "--sql", "--adapters", adapters.path],
            ["registry", "export", "--yaml", exported.path, "--adapters", adapters.path],
        ] {
            let run = try await CLITests.run(arguments, environment: Self.environment)
            #expect(run.status == 0, "\(arguments): \(run.error)")
            shown += run.output + "\n" + run.error + "\n"
        }
        shown += try String(contentsOf: exported.appendingPathComponent("canary.yaml"), encoding: .utf8)
        #expect(shown.contains("${CANARY}"), "references are shown: \(shown)")
        #expect(Canary.leaks(in: shown).isEmpty, "\(Canary.leaks(in: shown)) in \(shown)")
    }
}
