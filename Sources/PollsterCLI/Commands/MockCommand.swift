import ArgumentParser
import PollsterMock

/// `pollster mock`: the bundled mock provider as a standalone server (try adapters against
/// it with `--base-url`, or load-test against it from another process).
struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock",
        abstract:
            "Serve the mock provider (HeyGen, fal, Runway, Replicate shapes) on loopback until interrupted.")

    @Option(help: "Port to listen on (0: any free port).")
    var port = 8089

    @Option(help: "Status polls each job takes before it finishes.")
    var polls = 2

    @Option(help: "Size in bytes of each output file.")
    var size = 64 * 1024

    func run() async throws {
        let server = try await MockProviderServer.start(
            port: port, defaultScript: MockJobScript(polls: polls, output: MockOutput(kind: .mp4, size: size))
        )
        Console.out("mock provider listening on \(server.baseURL) (Ctrl-C to stop)")
        Console.out(
            "try: pollster invoke runway.image_to_video --base-url \(server.baseURL) --allow-private-networks --input '{\"promptImage\": \"https://example.com/a.png\", \"model\": \"gen4_turbo\"}'"
        )
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
        try await server.shutdown()
    }
}
