import Benchmark
import Foundation
import Pollster
import PollsterCore
import PollsterMock

/// Scenario 1: the engine's own work for one status response, per shipped provider.
///
/// One poll = `JSONParser.parse` of the recorded body + `StatusClassifier.classify` (the
/// method's compiled `PollingPlan`, bound to the task id) + `PollSchedule.delay` for the next
/// poll. Network, sleeping and request building are not included. Each measured iteration runs
/// 1,000 polls (`scalingFactor: .kilo`), cycling through the fixture's status responses
/// (pending … completed); the harness reports the figures per poll.
let benchmarks: @Sendable () -> Void = {
    let root = PollCase.repositoryRoot()
    let cases: [PollCase]
    do {
        cases = try PollCase.all(root: root)
    } catch {
        fatalError("PollCost: cannot load fixtures/adapters: \(error)")
    }
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput, PollCase.threadCPU],
        timeUnits: .nanoseconds,
        units: [PollCase.threadCPU: .count, .mallocCountTotal: .count],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(PollCase.quick ? 1 : 3),
        maxIterations: 100_000
    )
    for pollCase in cases {
        Benchmark("poll \(pollCase.name)", configuration: configuration) { benchmark in
            var random = SystemRandomNumberGenerator()
            var index = 0
            let cpuBefore = PollCase.threadCPUNanoseconds()
            for _ in benchmark.scaledIterations {
                let body = pollCase.bodies[index]
                index = index + 1 == pollCase.bodies.count ? 0 : index + 1
                blackHole(pollCase.poll(body, number: index + 1, using: &random))
            }
            // Recorded for the whole iteration; the exports divide it by the scaling factor (1,000).
            benchmark.measurement(PollCase.threadCPU, PollCase.threadCPUNanoseconds() - cpuBefore)
        }
    }
    JSONParseBenchmarks.register(statusBodies: cases.flatMap(\.bodies), root: root)
}

/// One provider's method and the status responses of its recorded success fixture.
struct PollCase: Sendable {
    /// `provider (tool)`.
    let name: String
    let classifier: StatusClassifier
    let schedule: PollSchedule
    /// Status response bodies as they came off the wire, submit and downloads excluded.
    let bodies: [[UInt8]]

    /// The work of one poll: parse, classify, schedule the next one.
    @inline(never)
    func poll(_ body: [UInt8], number: Int, using random: inout some RandomNumberGenerator) -> Duration? {
        guard let value = try? JSONParser.parse(body) else { return nil }
        let reading = classifier.classify(value)
        blackHole(reading)
        return schedule.delay(beforePoll: number, elapsed: .seconds(number), using: &random)
    }

    /// CPU time of the benchmark thread in ns, from `CLOCK_THREAD_CPUTIME_ID` (reported per poll).
    ///
    /// `cpuTotal` comes from `getrusage`, which counts in 10 ms ticks (one tick is 10 µs per poll
    /// here); this clock has nanosecond resolution and, unlike the wall clock, does not count the time
    /// the thread waited for a core on a busy machine.
    static let threadCPU = BenchmarkMetric.custom(
        "threadCPU", polarity: .prefersSmaller, useScalingFactor: false)

    static func threadCPUNanoseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }

    /// `BENCHMARK_QUICK=1` shortens each benchmark (`Benchmarks/run --quick`).
    static var quick: Bool { ProcessInfo.processInfo.environment["BENCHMARK_QUICK"] == "1" }

    /// `POLLSTER_ROOT`, else three folders above this file (Benchmarks/Benchmarks/PollCost).
    static func repositoryRoot() -> String {
        if let root = ProcessInfo.processInfo.environment["POLLSTER_ROOT"], !root.isEmpty { return root }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }

    /// A case for each `Tests/Fixtures/<provider>/success.json` whose tool is in `adapters/`.
    static func all(root: String) throws -> [PollCase] {
        let registry = try YAMLRegistry(directory: "\(root)/adapters")
        let fixtures = "\(root)/Tests/Fixtures"
        let providers = try FileManager.default.contentsOfDirectory(atPath: fixtures).sorted()
        var cases: [PollCase] = []
        for provider in providers {
            let path = "\(fixtures)/\(provider)/success.json"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let fixture = try Fixture.load(path: path)
            guard let tool = fixture.tool else { continue }
            let method = try awaitMethod(registry, tool)
            guard let polling = method.plan.polling else { continue }
            if let pollCase = make(provider: provider, tool: tool, method: method, polling: polling, fixture)
            {
                cases.append(pollCase)
            }
        }
        return cases
    }

    /// The status responses: every exchange after the submit up to the first terminal one.
    private static func make(
        provider: String, tool: String, method: ToolMethod, polling: PollingPlan, _ fixture: Fixture
    ) -> PollCase? {
        guard let submit = fixture.exchanges.first else { return nil }
        let submitted = try? JSONParser.parse(submit.body)
        let taskId = submitted.flatMap {
            TaskIdDetector.detect(in: $0, explicitPath: method.plan.submit.taskIdPath)?.value
        }
        let classifier = polling.classifier.bound(taskId: taskId)
        var bodies: [[UInt8]] = []
        for exchange in fixture.exchanges.dropFirst() {
            guard let value = try? JSONParser.parse(exchange.body) else { continue }
            bodies.append(exchange.body)
            let phase = classifier.classify(value).phase
            if phase == .succeeded || phase == .failed || phase == .canceled { break }
        }
        guard !bodies.isEmpty else { return nil }
        return PollCase(
            name: "\(provider) (\(tool), \(bodies.count) responses)", classifier: classifier,
            schedule: polling.schedule, bodies: bodies)
    }

    /// `registry.method(named:)` from synchronous setup code.
    private static func awaitMethod(_ registry: YAMLRegistry, _ tool: String) throws -> ToolMethod {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.set(.success(try await registry.method(named: tool))) } catch {
                box.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return try box.get()
    }
}

/// Hands a result from the task in `awaitMethod` back to the waiting thread.
/// `@unchecked Sendable`: written once before the semaphore is signalled, read after the wait.
private final class ResultBox: @unchecked Sendable {
    private var result: Result<ToolMethod, any Error>?
    func set(_ value: Result<ToolMethod, any Error>) { result = value }
    func get() throws -> ToolMethod { try result!.get() }
}
