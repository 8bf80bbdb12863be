import ArgumentParser
import Foundation
import Histogram
import Pollster
import PollsterCore
import Synchronization

/// Scenario 2: N concurrent `Pollster.invoke` calls against the mock provider (another process),
/// each job running `--job-seconds` with a fixed poll interval and a small output.
struct InFlightCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inflight", abstract: "Many concurrent invocations against a running mock.")

    @Option(help: "The mock's base URL.") var baseUrl: String
    @Option(help: "Concurrent invocations.") var count: Int
    @Option(help: "Poll interval in seconds.") var interval: Double = 1
    @Option(help: "How long each job runs at the mock (its --duration), for completion latency.")
    var jobSeconds: Double
    @Option(help: "Start the jobs spread evenly over this many seconds (default: one poll interval).")
    var spread: Double?
    @Option(help: "The adapters directory holding bench.yaml.") var adapters: String
    @Option(help: "HTTPClientTransport maxConnectionsPerHost.") var connections: Int?
    @Option(help: "Write the figures here (default: standard output).") var json: String?
    @Flag(help: "Run the jobs through Pollster.invokeEach (no task per job) instead of one invoke each.")
    var batch = false
    @Option(
        help:
            "With --batch: split the jobs into this many invokeEach calls, started spread out like single jobs."
    )
    var batches = 100
    @Flag(
        help:
            "One invoke per job while Pollster.run() hosts the shared scheduler (polls traced by provider job id)."
    )
    var shared = false

    func run() async throws {
        PollsterBench.bootstrapLogging()
        let descriptorLimit = ProcessStats.raiseDescriptorLimit()
        // Polls sent from a scheduler's loop carry no task-local: they are traced by provider job id.
        let totals = TraceTotals(interval: .milliseconds(Int64(interval * 1000)), batch: batch || shared)
        var transportConfiguration = HTTPClientTransport.Configuration()
        if let connections { transportConfiguration.maxConnectionsPerHost = connections }
        let transport = HTTPClientTransport(configuration: transportConfiguration)
        let pollster = Pollster(
            registry: try YAMLRegistry(directory: adapters),
            transport: TracingTransport(base: transport, totals: totals),
            secrets: Secrets([:]), urlPolicy: URLPolicy(allowPrivateNetworks: true))
        let options = InvokeOptions(
            baseUrlOverride: baseUrl, pollInterval: totals.interval, maxWait: .seconds(3600))
        let jobDuration = Duration.milliseconds(Int64(jobSeconds * 1000))
        let spreadSeconds = spread ?? interval
        let outcomes = Shared(Outcomes())
        let sampled = Shared(Samples())

        let baseline = ProcessStats.residentBytes
        let baselineHeap = ProcessStats.heapInUseBytes
        let cpuBefore = ProcessStats.cpuSeconds()
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { outer in
            outer.addTask {
                while !Task.isCancelled {
                    let rss = ProcessStats.residentBytes
                    let inFlight = totals.inFlight.load(ordering: .relaxed)
                    let descriptors = ProcessStats.openDescriptors
                    // Read only when more jobs are in flight than ever before: it walks every
                    // malloc arena's free lists (about 1 ms with 10,000 jobs waiting; read every
                    // 250 ms through a plateau it cost 2 % of the client's CPU).
                    let heap = inFlight > sampled.withLock({ $0.maxInFlight }) ? ProcessStats.heapInUseBytes : nil
                    sampled.withLock {
                        $0.maxRSS = max($0.maxRSS, rss)
                        $0.maxDescriptors = max($0.maxDescriptors, descriptors)
                        if inFlight >= $0.maxInFlight {
                            $0.maxInFlight = inFlight
                            $0.rssAtMaxInFlight = rss
                        }
                        if let heap { $0.heapAtMaxInFlight = heap }
                    }
                    try? await Task.sleep(for: .milliseconds(250))
                }
            }
            if batch {
                let parts = max(1, min(batches, count))
                await withTaskGroup(of: Void.self) { group in
                    for part in 0..<parts {
                        let indices = Array(stride(from: part, to: count, by: parts))
                        let delay = Duration.milliseconds(
                            Int64(spreadSeconds * 1000 * Double(part) / Double(parts)))
                        group.addTask {
                            try? await Task.sleep(for: delay)
                            await Self.batch(
                                indices, pollster: pollster, options: options, totals: totals,
                                outcomes: outcomes,
                                jobDuration: jobDuration)
                        }
                    }
                }
                outer.cancelAll()
                return
            }
            await withTaskGroup(of: Void.self) { jobs in
                if shared { jobs.addTask { try? await pollster.run() } }
                for index in 0..<count {
                    let delay = Duration.milliseconds(
                        Int64(spreadSeconds * 1000 * Double(index) / Double(count)))
                    jobs.addTask {
                        await Self.job(
                            index, after: delay, pollster: pollster, options: options, totals: totals,
                            outcomes: outcomes, jobDuration: jobDuration)
                    }
                }
                if shared {
                    // The host runs until canceled: end it once every job is done.
                    var watchdog = Watchdog(limit: jobDuration + totals.interval * 6 + .seconds(60))
                    while totals.finished.load(ordering: .relaxed) < count {
                        try? await Task.sleep(for: .milliseconds(100))
                        watchdog.check(finished: totals.finished.load(ordering: .relaxed), of: count, totals)
                    }
                    jobs.cancelAll()
                }
            }
            outer.cancelAll()
        }
        let wall = ContinuousClock.now - started
        let cpuAfter = ProcessStats.cpuSeconds()
        try await transport.shutdown()

        let traced = totals.snapshot
        let done = outcomes.withLock { $0 }
        let samples = sampled.withLock { $0 }
        let peak = ProcessStats.peakResidentBytes
        let cpu = (cpuAfter.user - cpuBefore.user) + (cpuAfter.system - cpuBefore.system)
        var report = Report()
        report["count"] = count
        report["mode"] =
            batch
            ? "invokeEach × \(max(1, min(batches, count)))" : shared ? "invoke, shared scheduler" : "invoke"
        report["intervalSeconds"] = interval
        report["jobSeconds"] = jobSeconds
        report["spreadSeconds"] = spreadSeconds
        report["connectionsPerHost"] = transportConfiguration.maxConnectionsPerHost
        report["descriptorLimit"] = descriptorLimit
        report["maxOpenDescriptors"] = samples.maxDescriptors
        report["wallSeconds"] = wall.secondsValue
        report["cpuUserSeconds"] = cpuAfter.user - cpuBefore.user
        report["cpuSystemSeconds"] = cpuAfter.system - cpuBefore.system
        report["polls"] = traced.polls
        report["requests"] = traced.requests
        report["failedRequests"] = traced.failedRequests
        report["cpuSecondsPer1000Polls"] = traced.polls > 0 ? cpu / Double(traced.polls) * 1000 : nil
        report["baselineRSSBytes"] = baseline
        report["peakRSSBytes"] = peak
        report["maxInFlight"] = samples.maxInFlight
        report["rssAtMaxInFlightBytes"] = samples.rssAtMaxInFlight
        report["rssPerInFlightTaskBytes"] =
            samples.maxInFlight > 0 ? (peak - baseline) / samples.maxInFlight : nil
        report["heapPerInFlightJobBytes"] =
            samples.maxInFlight > 0 ? (samples.heapAtMaxInFlight - baselineHeap) / samples.maxInFlight : nil
        let submitBody = totals.submitBody.withLock { $0 }
        report["submitAnswerHeapBytes"] = submitBody.map(Self.heapPerParsedAnswer)
        report["harnessHeapPerJobBytes"] = submitBody.map { Self.heapPerHarnessJob(batch: batch || shared, $0) }
        report["submitRampSeconds"] = done.lastSubmitEnd.map { ($0 - started).secondsValue }
        report["succeeded"] = done.succeeded
        report["errors"] = done.errors
        report["firstError"] = done.firstError
        report.add("latenessMs", milliseconds: traced.lateness)
        report.add("pollRoundTripMs", milliseconds: traced.roundTrip)
        report.add("completionDetectionMs", milliseconds: done.detection)
        try report.write(to: json)
    }

    /// One job: waits for its start, invokes the tool and records the outcome.
    ///
    /// Out of line, with the bookkeeping in synchronous helpers, so that the harness's own async
    /// frames add as little as possible to the per-job memory it measures.
    @inline(never)
    static func job(
        _ index: Int, after delay: Duration, pollster: Pollster, options: InvokeOptions, totals: TraceTotals,
        outcomes: Shared<Outcomes>, jobDuration: Duration
    ) async {
        try? await Task.sleep(for: delay)
        let trace = JobTrace()
        let (outcome, id) = await JobTrace.$current.withValue(trace) {
            await invoke(index, pollster: pollster, options: options)
        }
        if let id { _ = totals.batch?.remove(id: id) }
        record(outcome, trace: trace, totals: totals, outcomes: outcomes, jobDuration: jobDuration)
    }

    /// All jobs as one `invokeEach`: the scheduler holds the waiting ones, with no task each.
    static func batch(
        _ indices: [Int], pollster: Pollster, options: InvokeOptions, totals: TraceTotals,
        outcomes: Shared<Outcomes>, jobDuration: Duration
    ) async {
        let items = indices.lazy.map { BatchItem(tool: "bench.video", input: ["n": .integer(Int64($0))]) }
        await pollster.invokeEach(items, concurrency: indices.count, options: options) { outcome in
            let (result, id): (JobOutcome, String?) =
                switch outcome.result {
                case .success(let value): (.succeeded, value.taskId)
                case .failure(let error):
                    (.failed(code: error.code.rawValue, message: error.message), error.taskId)
                }
            let trace = id.flatMap { totals.batch?.remove(id: $0) } ?? JobTrace()
            record(result, trace: trace, totals: totals, outcomes: outcomes, jobDuration: jobDuration)
        }
    }

    @inline(never)
    static func invoke(_ index: Int, pollster: Pollster, options: InvokeOptions) async -> (
        JobOutcome, String?
    ) {
        do throws(PollsterError) {
            let result = try await pollster.invoke(
                "bench.video", input: ["n": .integer(Int64(index))], options: options)
            return (.succeeded, result.taskId)
        } catch {
            return (.failed(code: error.code.rawValue, message: error.message), error.taskId)
        }
    }

    @inline(never)
    static func record(
        _ outcome: JobOutcome, trace: JobTrace, totals: TraceTotals, outcomes: Shared<Outcomes>,
        jobDuration: Duration
    ) {
        let state = trace.state.withLock { $0 }
        if state.submitEnd != nil { totals.inFlight.subtract(1, ordering: .relaxed) }
        totals.finished.add(1, ordering: .relaxed)
        outcomes.withLock { $0.record(outcome, state, jobDuration: jobDuration) }
    }

    /// The heap that one parsed copy of `body` holds, as the engine keeps a submit answer (its
    /// JSON in the job's template context).
    @inline(never)
    static func heapPerParsedAnswer(_ body: [UInt8]) -> Int {
        medianOfThree {
            var held: [JSONValue?] = []
            held.reserveCapacity(heapCopies)
            let before = ProcessStats.heapInUseBytes
            for _ in 0..<heapCopies { held.append(try? JSONParser.parse(body)) }
            let bytes = ProcessStats.heapInUseBytes - before
            return withExtendedLifetime(held) { bytes / heapCopies }
        }
    }

    /// The heap the harness itself holds per job in flight: the caller's input and the job's
    /// trace (in a batch, filed under its provider job id).
    @inline(never)
    static func heapPerHarnessJob(batch: Bool, _ submitBody: [UInt8]) -> Int {
        let sampleID = JobTraces.submitID(submitBody) ?? "00000000000000000000000000000000"
        return medianOfThree {
            var held: [(JobTrace, JSONValue)] = []
            held.reserveCapacity(heapCopies)
            let before = ProcessStats.heapInUseBytes
            let traces = JobTraces()
            for index in 0..<heapCopies {
                let trace = JobTrace()
                // Ids as long as the provider's, each distinct.
                if batch { traces.add(trace, id: String(sampleID.dropLast(6)) + String(100_000 + index)) }
                held.append((trace, ["n": .integer(Int64(index))]))
            }
            let bytes = ProcessStats.heapInUseBytes - before
            return withExtendedLifetime((held, traces)) { bytes / heapCopies }
        }
    }

    /// How many values the heap measurements hold at once.
    static let heapCopies = 10_000

    /// The median of three rounds of `measure` (other threads may still free memory of the run
    /// just ended).
    static func medianOfThree(_ measure: () -> Int) -> Int {
        [measure(), measure(), measure()].sorted()[1]
    }

    /// How one job ended.
    enum JobOutcome: Sendable {
        case succeeded
        case failed(code: String, message: String)
    }

    struct Outcomes: Sendable {
        var succeeded = 0
        var errors: [String: Int] = [:]
        var firstError: String?
        var lastSubmitEnd: ContinuousClock.Instant?
        /// Last poll's end minus (submit end + job duration), µs.
        var detection = Histogram<UInt64>(
            highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)

        mutating func record(
            _ outcome: JobOutcome, _ trace: JobTrace.State, jobDuration: Duration
        ) {
            if let end = trace.submitEnd { lastSubmitEnd = max(lastSubmitEnd ?? end, end) }
            switch outcome {
            case .succeeded:
                succeeded += 1
                if let submitEnd = trace.submitEnd, let last = trace.lastPollEnd {
                    _ = detection.record((last - (submitEnd + jobDuration)).microseconds)
                }
            case .failed(let code, let message):
                errors[code, default: 0] += 1
                if firstError == nil { firstError = message }
            }
        }
    }

    /// A value the job tasks and the sampler share.
    final class Shared<Value: Sendable>: Sendable {
        private let value: Mutex<Value>
        init(_ initial: Value) { value = Mutex(initial) }
        func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
    }

    struct Samples: Sendable {
        var maxRSS = 0
        var maxDescriptors = 0
        var maxInFlight = 0
        var rssAtMaxInFlight = 0
        /// `ProcessStats.heapInUseBytes` when `maxInFlight` was last reached.
        var heapAtMaxInFlight = 0
    }
}

/// Ends a run whose jobs stopped finishing, saying where the unfinished ones stand, instead of
/// letting the benchmark wait forever.
struct Watchdog {
    /// No job finishing for this long is a stall.
    let limit: Duration
    private var lastFinished = 0
    private var lastProgress = ContinuousClock.now

    init(limit: Duration) { self.limit = limit }

    mutating func check(finished: Int, of count: Int, _ totals: TraceTotals) {
        let now = ContinuousClock.now
        if finished != lastFinished {
            lastFinished = finished
            lastProgress = now
            return
        }
        guard now - lastProgress > limit else { return }
        let states = (totals.batch?.all ?? []).map { $0.state.withLock { $0 } }
        func ago(_ instant: ContinuousClock.Instant?) -> String {
            instant.map { String(format: "%.1f s ago", (now - $0).secondsValue) } ?? "never"
        }
        var lines = [
            "stalled: \(finished) of \(count) jobs finished, none in the last \(limit); \(states.count) traced jobs unfinished"
        ]
        for state in states.prefix(20) {
            lines.append(
                "  submitted \(ago(state.submitEnd)), \(state.polls) polls, last poll \(ago(state.lastPollEnd)), "
                    + "download started \(ago(state.downloadStart)), ended \(ago(state.downloadEnd))")
        }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        exit(3)
    }
}
