import ArgumentParser
import Foundation
import Logging
import OrderedCollections
import Pollster
import PollsterCore
import PollsterMock

/// `pollster demo`: the whole flow, offline, against the bundled mock provider.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a shipped adapter against the bundled mock provider (offline, no secrets needed).")

    @Option(
        help:
            "The tool to demonstrate (heygen.create_avatar_video_v2, fal.fast_sdxl, runway.image_to_video, replicate.create_prediction)."
    )
    var tool = "heygen.create_avatar_video_v2"

    @Option(help: "Directory the output is written to.")
    var output = "pollster-demo"

    @Option(help: "Directory of adapter YAML files.")
    var adapters = "adapters"

    func run() async throws {
        let mock = try await MockProviderServer.start(
            defaultScript: MockJobScript(polls: 3, output: MockOutput(kind: .mp4, size: 256 * 1024)))
        Console.out("mock provider listening on \(mock.baseURL)")
        let registry: YAMLRegistry
        do { registry = try YAMLRegistry(directory: adapters) } catch let error as PollsterError {
            try await mock.shutdown()
            throw error.exit()
        }
        let transport = HTTPClientTransport()
        // The mock checks that credentials arrive, not their value: stand-ins for every secret.
        let demoSecrets = SecretStore.load().merging([
            "HEYGEN_API_KEY": "demo-key", "FAL_KEY": "demo-key", "RUNWAYML_API_SECRET": "demo-key",
            "REPLICATE_API_TOKEN": "demo-key",
        ])
        let pollster = Pollster(
            registry: registry, transport: transport, secrets: demoSecrets,
            urlPolicy: URLPolicy(allowPrivateNetworks: true), logger: Logger(label: "pollster.demo"))
        let input = Self.sampleInputs[tool] ?? [:]
        Console.out("invoking \(tool) with \(input)")
        let options = InvokeOptions(
            outputDirectory: output, baseUrlOverride: mock.baseURL, pollInterval: .milliseconds(400))
        let outcome: Result<ToolResult, any Error>
        do {
            outcome = .success(
                try await InvocationRunner.run(pollster, tool: tool, input: input, options: options))
        } catch {
            outcome = .failure(error)
        }
        let stats = mock.stats
        try? await transport.shutdown()
        try await mock.shutdown()
        let result = try outcome.get()
        ResultPrinter.print(result, files: result.files, json: false)
        Console.out(
            "mock provider saw \(stats.submissions) submission, \(stats.polls) polls, \(stats.downloads) download(s)"
        )
        Console.out("done: the output is in \(output)/")
    }

    static let sampleInputs: OrderedDictionary<String, JSONValue> = [
        "heygen.create_avatar_video_v2": [
            "video_inputs": [
                [
                    "character": ["type": "avatar", "avatar_id": "Daisy-inskirt-20220818"],
                    "voice": [
                        "type": "text", "input_text": "Hello from Pollster!", "voice_id": "demo-voice",
                    ],
                ]
            ],
            "dimension": ["width": 1280, "height": 720],
        ],
        "fal.fast_sdxl": ["prompt": "a lighthouse at dawn"],
        "runway.image_to_video": [
            "promptImage": "https://example.com/lighthouse.png", "model": "gen4_turbo", "promptText": "waves",
        ],
        "replicate.create_prediction": [
            "version": "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
            "input": ["prompt": "a cat"],
        ],
    ]
}
