import ArgumentParser
import Foundation
import Pollster
import PollsterCore
import Synchronization

/// Scenario 4: one job whose output is large, downloaded into a file or into memory.
///
/// The download's own time is taken by `TracingTransport` (the `GET /files/…` from sending the
/// request to the end of the body, SHA-256 and writing included); the submit and the one poll
/// before it are not part of the throughput.
struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download", abstract: "Download one large mock output and report the throughput.")

    @Option(help: "The mock's base URL (started with --polls 1 --size BYTES).") var baseUrl: String
    @Option(help: "The adapters directory holding bench.yaml.") var adapters: String
    @Option(help: "Write the output into this directory; without it the output is kept in memory.")
    var directory: String?
    @Option(help: "Write the figures here (default: standard output).") var json: String?

    func run() async throws {
        PollsterBench.bootstrapLogging()
        let totals = TraceTotals(interval: .milliseconds(20))
        let transport = HTTPClientTransport()
        let pollster = Pollster(
            registry: try YAMLRegistry(directory: adapters),
            transport: TracingTransport(base: transport, totals: totals),
            secrets: Secrets([:]), urlPolicy: URLPolicy(allowPrivateNetworks: true))
        let baseline = ProcessStats.residentBytes
        let trace = JobTrace()
        let cpuBefore = ProcessStats.cpuSeconds()
        let result = try await JobTrace.$current.withValue(trace) {
            try await pollster.invoke(
                "bench.video", input: ["benchmark": "download"],
                options: InvokeOptions(
                    outputDirectory: directory, baseUrlOverride: baseUrl, pollInterval: .milliseconds(20)))
        }
        let cpuAfter = ProcessStats.cpuSeconds()
        try await transport.shutdown()
        let state = trace.state.withLock { $0 }
        guard let file = result.files.first, let size = file.size, let start = state.downloadStart,
            let end = state.downloadEnd
        else {
            throw ValidationError("the job produced no downloaded file")
        }
        let seconds = (end - start).secondsValue
        var report = Report()
        report["mode"] = directory == nil ? "memory" : "file"
        report["url"] = file.url
        report["bytes"] = size
        report["downloadSeconds"] = seconds
        report["bytesPerSecond"] = Double(size) / seconds
        report["invokeSeconds"] = result.timings.elapsedSeconds
        report["cpuSeconds"] = (cpuAfter.user - cpuBefore.user) + (cpuAfter.system - cpuBefore.system)
        report["baselineRSSBytes"] = baseline
        report["peakRSSBytes"] = ProcessStats.peakResidentBytes
        report["sha256"] = file.sha256
        if let path = file.path { try? FileManager.default.removeItem(atPath: path) }
        try report.write(to: json)
    }
}
