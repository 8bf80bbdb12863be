import ArgumentParser
import AsyncHTTPClient
import Foundation

/// Scenario 6a: submits per second through `pollster serve`. N `POST /v1/tools/{tool}/tasks`
/// with a fixed number in flight; the server runs no worker, so its CPU is the API's alone.
struct APISubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-submit", abstract: "Submit many tasks to a running pollster serve.")

    @OptionGroup var api: APIOptions
    @Option(help: "Submits in all.") var count = 2000
    @Option(help: "Submits in flight at once.") var concurrency = 64
    @Option(help: "Submits sent first, one at a time, and not measured (connections, caches).")
    var warmup = 20

    func run() async throws {
        PollsterBench.bootstrapLogging()
        _ = ProcessStats.raiseDescriptorLimit()
        let server = ServerProcess(pid: api.serverPid)
        let http = LoadClient.make(connections: concurrency)
        let client = APIClient(http: http, options: api)
        for index in 0..<warmup { _ = try await client.submit(-1 - index) }

        let latencies = Latencies()
        let statuses = Tally()
        let serverCPUBefore = server.cpuSeconds
        let serverRSSBefore = server.residentBytes
        let cpuBefore = ProcessStats.cpuSeconds()
        let started = ContinuousClock.now
        await LoadClient.forEach(count, concurrency: concurrency) { index in
            let sent = ContinuousClock.now
            do {
                let answer = try await client.submit(index)
                latencies.record(ContinuousClock.now - sent)
                statuses.add(String(answer.status))
            } catch {
                statuses.add("error: \(type(of: error))")
            }
        }
        let wall = ContinuousClock.now - started
        let serverCPU = server.cpuSeconds - serverCPUBefore
        let cpuAfter = ProcessStats.cpuSeconds()
        try await http.shutdown()

        let accepted = statuses.snapshot["202"] ?? 0
        var report = Report()
        report["count"] = count
        report["concurrency"] = concurrency
        report["warmup"] = warmup
        report["statuses"] = statuses.snapshot
        report["accepted"] = accepted
        report["wallSeconds"] = wall.secondsValue
        report["submitsPerSecond"] = Double(accepted) / wall.secondsValue
        report.add("latencyMs", milliseconds: latencies.snapshot)
        report["serverCPUSeconds"] = serverCPU
        report["serverCPUPerSubmitMs"] = accepted > 0 ? serverCPU / Double(accepted) * 1000 : nil
        report["serverRSSBeforeBytes"] = serverRSSBefore
        report["serverPeakRSSBytes"] = server.peakResidentBytes
        report["clientCPUSeconds"] = (cpuAfter.user - cpuBefore.user) + (cpuAfter.system - cpuBefore.system)
        try report.write(to: api.json)
    }
}
