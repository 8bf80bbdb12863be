import ArgumentParser
import AsyncHTTPClient
import Foundation

/// Scenario 7: task-augmented `tools/call` through one `pollster mcp --http` server. All calls
/// are sent at once; each answer (`CreateTaskResult`) is then polled with `tasks/get` until the
/// task is `completed`, `failed` or `cancelled`.
struct MCPTasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp-tasks",
        abstract: "Many task-augmented tools/call against a running pollster mcp --http.")

    @Option(help: "The server's MCP endpoint, e.g. http://127.0.0.1:8765/mcp.") var url: String
    @Option(help: "The server's process id, for its CPU time and peak RSS.") var serverPid: Int32
    @Option(help: "The tool to call.") var tool = "bench.video"
    @Option(help: "Task-augmented calls, all sent at once.") var calls = 1000
    @Option(help: "MCP sessions the calls are spread over.") var sessions = 1
    @Option(help: "Seconds between two tasks/get of one task (the server advertises 1).")
    var pollInterval: Double = 1
    @Option(help: "Write the figures here (default: standard output).") var json: String?

    func run() async throws {
        PollsterBench.bootstrapLogging()
        _ = ProcessStats.raiseDescriptorLimit()
        let server = ServerProcess(pid: serverPid)
        let http = LoadClient.make(connections: calls + sessions)
        var clients: [MCPClient] = []
        for _ in 0..<max(1, sessions) { clients.append(try await MCPClient.connect(http: http, url: url)) }

        let serverCPUBefore = server.cpuSeconds
        let serverRSSBefore = server.residentBytes
        let cpuBefore = ProcessStats.cpuSeconds()
        let callLatency = Latencies()
        let getLatency = Latencies()
        let completion = Latencies()
        let outcomes = Tally()
        let gets = Tally()
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<calls {
                let client = clients[index % clients.count]
                let (tool, pollInterval) = (tool, pollInterval)
                group.addTask {
                    await Self.call(
                        tool, pollInterval: pollInterval,
                        index, client: client, callLatency: callLatency, getLatency: getLatency,
                        completion: completion, outcomes: outcomes, gets: gets)
                }
            }
        }
        let wall = ContinuousClock.now - started
        let serverCPU = server.cpuSeconds - serverCPUBefore
        let cpuAfter = ProcessStats.cpuSeconds()
        for client in clients { try? await client.close() }
        try await http.shutdown()

        var report = Report()
        report["calls"] = calls
        report["sessions"] = clients.count
        report["pollIntervalSeconds"] = pollInterval
        report["outcomes"] = outcomes.snapshot
        report["completed"] = outcomes.snapshot["completed"] ?? 0
        report["tasksGet"] = gets.snapshot["tasks/get"] ?? 0
        report["wallSeconds"] = wall.secondsValue
        report.add("callLatencyMs", milliseconds: callLatency.snapshot)
        report.add("getLatencyMs", milliseconds: getLatency.snapshot)
        report.add("completionMs", milliseconds: completion.snapshot)
        report["serverCPUSeconds"] = serverCPU
        report["serverRSSBeforeBytes"] = serverRSSBefore
        report["serverPeakRSSBytes"] = server.peakResidentBytes
        report["clientCPUSeconds"] = (cpuAfter.user - cpuBefore.user) + (cpuAfter.system - cpuBefore.system)
        try report.write(to: json)
    }

    /// One call of `tool`: `tools/call` with `task`, then `tasks/get` every `pollInterval` until the task
    /// ends. Records the final status (or the first error) in `outcomes`.
    static func call(
        _ tool: String, pollInterval: Double, _ index: Int, client: MCPClient, callLatency: Latencies,
        getLatency: Latencies, completion: Latencies,
        outcomes: Tally, gets: Tally
    ) async {
        let started = ContinuousClock.now
        do {
            let created = try await client.request(
                "tools/call", ["name": tool, "arguments": ["n": index], "task": ["ttl": 600_000]])
            callLatency.record(ContinuousClock.now - started)
            guard let taskID = (created["task"] as? [String: Any])?["taskId"] as? String else {
                throw MCPClient.Failure(description: "tools/call answered without a task")
            }
            while true {
                try await Task.sleep(for: .milliseconds(Int64(pollInterval * 1000)))
                let sent = ContinuousClock.now
                let task = try await client.request("tasks/get", ["taskId": taskID])
                getLatency.record(ContinuousClock.now - sent)
                gets.add("tasks/get")
                let status = task["status"] as? String ?? "?"
                if ["completed", "failed", "cancelled"].contains(status) {
                    completion.record(ContinuousClock.now - started)
                    outcomes.add(status)
                    return
                }
            }
        } catch {
            outcomes.add("error: \(error)")
        }
    }
}
