import ArgumentParser
import Foundation
import Pollster
import PollsterCore

/// Scenario 4, many outputs at once: N jobs submitted together through `invokeEach`, each
/// finishing on its first poll with one output, all downloaded concurrently into files or into
/// memory (dropped once counted) — the memory the read-ahead budget bounds, and the CPU per job.
///
/// The throughput is over the downloads' window (first download request → last download's
/// end, `DownloadWindow`); the CPU is the whole `invokeEach`'s (submits and polls included).
struct ManyDownloadsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "downloads", abstract: "Run N jobs at once whose outputs download concurrently.")

    @Option(help: "The mock's base URL (started with --polls 1 --size BYTES).") var baseUrl: String
    @Option(help: "The adapters directory holding bench.yaml.") var adapters: String
    @Option(help: "Jobs at once.") var count = 200
    @Option(help: "Write the outputs into this directory; without it they are kept in memory until counted.")
    var directory: String?
    @Option(help: "HTTPClientTransport readAheadBudgetBytes (default: the transport's).") var readAheadBudget: Int?
    @Option(help: "HTTPClientTransport maxConnectionsPerHost (default: the transport's).") var connections: Int?
    @Option(help: "HTTPClientTransport maxConcurrentStreams (default: the transport's).") var streams: Int?
    @Option(help: "Write the figures here (default: standard output).") var json: String?

    func run() async throws {
        PollsterBench.bootstrapLogging()
        _ = ProcessStats.raiseDescriptorLimit()
        var configuration = HTTPClientTransport.Configuration()
        if let readAheadBudget { configuration.readAheadBudgetBytes = readAheadBudget }
        if let connections { configuration.maxConnectionsPerHost = connections }
        if let streams { configuration.maxConcurrentStreams = streams }
        let transport = HTTPClientTransport(configuration: configuration)
        let window = DownloadWindow(base: transport)
        let pollster = Pollster(
            registry: try YAMLRegistry(directory: adapters), transport: window, secrets: Secrets([:]),
            urlPolicy: URLPolicy(allowPrivateNetworks: true))
        let options = InvokeOptions(
            outputDirectory: directory, baseUrlOverride: baseUrl, pollInterval: .milliseconds(20))
        let items = (0..<count).map { BatchItem(tool: "bench.video", input: ["n": .integer(Int64($0))]) }
        let baseline = ProcessStats.residentBytes
        var bytes = 0
        var succeeded = 0
        var failures: [String] = []
        var url: String?
        var paths: [String] = []
        let cpuBefore = ProcessStats.cpuSeconds()
        let started = ContinuousClock.now
        await pollster.invokeEach(items, concurrency: count, options: options) { outcome in
            switch outcome.result {
            case .success(let result):
                succeeded += 1
                for file in result.files {
                    bytes += file.size ?? 0
                    url = url ?? file.url
                    if let path = file.path { paths.append(path) }
                }
            case .failure(let error):
                failures.append("\(error.code.rawValue): \(error.message)")
            }
        }
        let seconds = (ContinuousClock.now - started).secondsValue
        let cpuAfter = ProcessStats.cpuSeconds()
        try await transport.shutdown()
        // Removed after the measurement, as curl's files are.
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
        let cpu = (cpuAfter.user - cpuBefore.user) + (cpuAfter.system - cpuBefore.system)
        var report = Report()
        report["mode"] = directory == nil ? "memory" : "file"
        report["count"] = count
        report["succeeded"] = succeeded
        report["failures"] = Array(failures.prefix(5))
        report["url"] = url
        report["bytes"] = bytes
        let downloading = window.duration?.secondsValue ?? seconds
        report["seconds"] = seconds
        report["downloadSeconds"] = downloading
        report["bytesPerSecond"] = Double(bytes) / downloading
        report["cpuSeconds"] = cpu
        report["cpuMsPerJob"] = cpu * 1000 / Double(max(1, count))
        report["baselineRSSBytes"] = baseline
        report["peakRSSBytes"] = ProcessStats.peakResidentBytes
        try report.write(to: json)
    }
}
