import ArgumentParser
import Foundation
import PollsterMock

/// The mock provider in a process of its own, so its CPU and memory are not the client's.
///
/// Prints `port <n>` on standard output once listening and serves until killed.
struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock", abstract: "Serve mock provider jobs on 127.0.0.1 until killed.")

    @Option(help: "TCP port (0 = any free port).") var port = 0
    @Option(help: "Each job finishes this many seconds after its submit (0 = count polls instead).")
    var duration: Double = 0
    @Option(help: "Each job finishes on this status poll when --duration is 0.") var polls = 1
    @Option(help: "Size of each job's output file in bytes.") var size = 4096

    func run() async throws {
        PollsterBench.bootstrapLogging()
        _ = ProcessStats.raiseDescriptorLimit()
        let script = MockJobScript(
            polls: polls, duration: duration > 0 ? .milliseconds(Int64(duration * 1000)) : nil,
            output: MockOutput(kind: .mp4, size: size))
        let server = try await MockProviderServer.start(port: port, defaultScript: script)
        FileHandle.standardOutput.write(Data("port \(server.port)\n".utf8))
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
    }
}
