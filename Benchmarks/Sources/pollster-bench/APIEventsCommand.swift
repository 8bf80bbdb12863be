import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Scenario 6b: Server-Sent Events fan-out of `pollster serve`. Submits N tasks, then opens one
/// `GET /v1/tasks/{id}/events` stream per task, all at once, and reads each until the server ends
/// it after the task's final state. The tasks run in a separate `pollster worker` process, so
/// the server's CPU is the API's and the streams' alone.
struct APIEventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-events", abstract: "Follow many tasks of a running pollster serve by SSE.")

    @OptionGroup var api: APIOptions
    @Option(help: "Tasks, and streams (one per task).") var streams = 1000
    @Option(help: "Submits in flight at once while the tasks are created.") var concurrency = 64
    @Option(help: "The worker's process id, for its CPU time.") var workerPid: Int32?

    func run() async throws {
        PollsterBench.bootstrapLogging()
        _ = ProcessStats.raiseDescriptorLimit()
        let server = ServerProcess(pid: api.serverPid)
        let worker = workerPid.map { ServerProcess(pid: $0) }
        let http = LoadClient.make(connections: streams + concurrency)
        let client = APIClient(http: http, options: api)
        let serverRSSBefore = server.residentBytes
        let workerCPUBefore = worker?.cpuSeconds ?? 0
        let cpuBefore = ProcessStats.cpuSeconds()

        let ids = InFlightCommand.Shared([String]())
        let submitErrors = Tally()
        let serverCPUBefore = server.cpuSeconds
        let started = ContinuousClock.now
        await LoadClient.forEach(streams, concurrency: concurrency) { index in
            do {
                let answer = try await client.submit(index)
                if let id = answer.taskID {
                    ids.withLock { $0.append(id) }
                } else {
                    submitErrors.add("\(answer.status)")
                }
            } catch {
                submitErrors.add("error: \(type(of: error))")
            }
        }
        let submitted = ContinuousClock.now
        let serverCPUSubmits = server.cpuSeconds - serverCPUBefore

        let outcomes = Tally()
        let events = Tally()
        let firstEvent = Latencies()
        let open = Latencies()
        await withTaskGroup(of: Void.self) { group in
            for id in ids.withLock({ $0 }) {
                group.addTask {
                    await Self.follow(
                        id, client: client, outcomes: outcomes, events: events, firstEvent: firstEvent,
                        open: open)
                }
            }
        }
        let finished = ContinuousClock.now
        let serverCPU = server.cpuSeconds - serverCPUBefore
        let cpuAfter = ProcessStats.cpuSeconds()
        try await http.shutdown()

        let counted = events.snapshot
        let outcome = outcomes.snapshot
        var report = Report()
        report["streams"] = streams
        report["tasksSubmitted"] = ids.withLock { $0.count }
        report["submitErrors"] = submitErrors.snapshot
        report["submitSeconds"] = (submitted - started).secondsValue
        report["streamSeconds"] = (finished - submitted).secondsValue
        report["streamsCompleted"] = outcome["completed"] ?? 0
        report["streamOutcomes"] = outcome
        report["eventsDelivered"] = counted["task"] ?? 0
        report["eventsPerStream"] = Double(counted["task"] ?? 0) / Double(max(1, outcome.values.reduce(0, +)))
        report.add("firstEventMs", milliseconds: firstEvent.snapshot)
        report.add("streamOpenMs", milliseconds: open.snapshot)
        report["serverCPUSeconds"] = serverCPU
        report["serverCPUSubmitSeconds"] = serverCPUSubmits
        report["serverCPUStreamSeconds"] = serverCPU - serverCPUSubmits
        report["serverRSSBeforeBytes"] = serverRSSBefore
        report["serverPeakRSSBytes"] = server.peakResidentBytes
        report["workerCPUSeconds"] = worker.map { $0.cpuSeconds - workerCPUBefore }
        report["workerPeakRSSBytes"] = worker?.peakResidentBytes
        report["clientCPUSeconds"] = (cpuAfter.user - cpuBefore.user) + (cpuAfter.system - cpuBefore.system)
        try report.write(to: api.json)
    }

    /// Reads one task's stream to its end and records what came: `completed` when the last
    /// event showed a final state, else `open` (ended early), `http <status>` or the error.
    static func follow(
        _ id: String, client: APIClient, outcomes: Tally, events: Tally, firstEvent: Latencies,
        open: Latencies
    ) async {
        let started = ContinuousClock.now
        do {
            let response = try await client.events(id)
            open.record(ContinuousClock.now - started)
            guard response.status == .ok else {
                outcomes.add("http \(response.status.code)")
                return
            }
            var lines = EventStreamLines()
            var lastData = ""
            var seenEvent = false
            for try await chunk in response.body {
                for line in lines.feed(chunk) {
                    if line.hasPrefix("event: ") {
                        events.add(String(line.dropFirst(7)))
                        if !seenEvent {
                            seenEvent = true
                            firstEvent.record(ContinuousClock.now - started)
                        }
                    } else if line.hasPrefix("data: ") {
                        lastData = line
                    }
                }
            }
            let final = ["succeeded", "failed", "canceled", "timed_out"].contains {
                lastData.contains(#""state":"\#($0)""#)
            }
            outcomes.add(final ? "completed" : "open")
        } catch {
            outcomes.add("error: \(error)")
        }
    }
}
