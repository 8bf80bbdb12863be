import ArgumentParser
import Foundation
import Logging
import Pollster
import PollsterCore

/// Scenario 5: tasks claimed and completed per second by K worker processes sharing one store.
///
/// Inserts `--tasks` queued tasks (each a mock job that finishes on its first poll), starts
/// `--workers` processes of `pollster-bench worker`, waits for them, and reads the finish times
/// back from the store.
struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers", abstract: "Durable-task throughput with several worker processes.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The mock's base URL (started with --polls 1).") var baseUrl: String
    @Option(help: "The adapters directory holding bench.yaml.") var adapters: String
    @Option(help: "Tasks to run.") var tasks = 1000
    @Option(help: "Worker processes.") var workers = 1
    @Option(help: "TaskWorker concurrency of each process.") var concurrency = 16
    @Option(help: "Poll interval of the tasks in seconds.") var interval = 0.1
    @Option(help: "Write the figures here (default: standard output).") var json: String?

    func run() async throws {
        PollsterBench.bootstrapLogging()
        let count = tasks
        let options = TaskOptions(baseUrlOverride: baseUrl, pollIntervalSeconds: interval)
        try await storeOptions.withStore(prepare: true) { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for slice in 0..<8 {
                    group.addTask {
                        for index in stride(from: slice, to: count, by: 8) {
                            try await store.insert(
                                TaskRecord(
                                    tool: "bench.video", input: ["n": .integer(Int64(index))],
                                    options: options))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let started = Date()
        let children = try (0..<workers).map { try spawnWorker($0) }
        var workerReports: [[String: Any]] = []
        for (process, output) in children {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                workerReports.append(object)
            }
            guard process.terminationStatus == 0 else {
                throw ValidationError("a worker exited with status \(process.terminationStatus)")
            }
        }
        let ended = Date()
        let finished = try await storeOptions.withStore(prepare: false) { store in
            try await store.list(TaskQuery(limit: count + 100))
        }
        var report = Report()
        report["store"] = storeOptions.store.rawValue
        report["workers"] = workers
        report["concurrency"] = concurrency
        report["tasks"] = count
        report["intervalSeconds"] = interval
        report["wallSeconds"] = ended.timeIntervalSince(started)
        var states: [String: Int] = [:]
        for task in finished { states[task.state.rawValue, default: 0] += 1 }
        report["states"] = states
        let times = finished.compactMap(\.finishedAt).map { $0.timeIntervalSince(started) }.sorted()
        if times.count >= 10 {
            let low = times[times.count / 10]
            let high = times[times.count * 9 / 10]
            report["tasksPerSecond"] = Double(times.count * 8 / 10) / max(high - low, 1e-9)
            report["tasksPerSecondOverall"] = Double(times.count) / max(times.last!, 1e-9)
        }
        report["workerCPUSeconds"] = workerReports.compactMap { $0["cpuSeconds"] as? Double }.reduce(0, +)
        report["workerPeakRSSBytes"] = workerReports.compactMap { $0["peakRSSBytes"] as? Int }.max()
        report["attemptsAboveOne"] = finished.filter { $0.attempt > 1 }.count
        try report.write(to: json)
    }

    private func spawnWorker(_ index: Int) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var arguments = [
            "worker", "--store", storeOptions.store.rawValue, "--sqlite-path", storeOptions.sqlitePath,
            "--adapters", adapters, "--concurrency", "\(concurrency)", "--id", "bench-worker-\(index)",
        ]
        if let url = storeOptions.databaseUrl { arguments += ["--database-url", url] }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return (process, output)
    }
}

/// One worker process of scenario 5: a `TaskWorker` until no task is left to do.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run a TaskWorker until every task is finished (scenario 5).")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The adapters directory holding bench.yaml.") var adapters: String
    @Option(help: "TaskWorker concurrency.") var concurrency = 16
    @Option(help: "The worker's id.") var id: String

    func run() async throws {
        PollsterBench.bootstrapLogging()
        let transport = HTTPClientTransport()
        let pollster = Pollster(
            registry: try YAMLRegistry(directory: adapters), transport: transport, secrets: Secrets([:]),
            urlPolicy: URLPolicy(allowPrivateNetworks: true))
        let files = NSTemporaryDirectory() + "pollster-bench-\(id)"
        let configuration = TaskWorker.Configuration(id: id, concurrency: concurrency, filesDirectory: files)
        let cpuBefore = ProcessStats.cpuSeconds()
        try await storeOptions.withStore(prepare: false) { store in
            let worker = TaskWorker(
                store: store, pollster: pollster, configuration: configuration, logger: .init(label: "worker")
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                // As `pollster worker` runs it: the engine's shared scheduler polls the tasks' jobs.
                group.addTask { try await pollster.run() }
                group.addTask { try await worker.run() }
                group.addTask {
                    let open: Set<TaskState> = [.queued, .submitting, .running, .downloading]
                    while try await !store.list(TaskQuery(states: open, limit: 1)).isEmpty {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
        let cpuAfter = ProcessStats.cpuSeconds()
        try await transport.shutdown()
        try? FileManager.default.removeItem(atPath: files)
        var report = Report()
        report["cpuSeconds"] = (cpuAfter.user - cpuBefore.user) + (cpuAfter.system - cpuBefore.system)
        report["peakRSSBytes"] = ProcessStats.peakResidentBytes
        try report.write(to: nil)
    }
}
