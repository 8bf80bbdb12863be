import CoreMetrics
import Pollster
import PollsterCore
import PollsterMock
import Synchronization
import Testing

/// The engine's provider metrics, recorded into a factory that counts what it is asked.
@Suite("Engine metrics")
struct EngineMetricsTests {
    @Test("many requests of one series increment one counter, made once by the factory")
    func oneHandlerPerSeries() async throws {
        let metrics = CountingMetricsFactory()
        let mock = try await MockProviderServer.start(defaultScript: MockJobScript(polls: 2))
        let transport = HTTPClientTransport()
        let pollster = Pollster(
            registry: try YAMLRegistry(directory: Repository.adapters), transport: transport,
            secrets: testSecrets, urlPolicy: URLPolicy(allowPrivateNetworks: true), logger: quietLogger,
            metrics: metrics)
        let runs = 5
        do {
            for _ in 0..<runs {
                _ = try await pollster.invoke(
                    "fal.fast_sdxl", input: sampleInputs["fal.fast_sdxl"]!, options: fastOptions(mock))
            }
        } catch {
            try? await transport.shutdown()
            try? await mock.shutdown()
            throw error
        }
        try await transport.shutdown()
        try await mock.shutdown()

        let submits = #"pollster_provider_requests_total{inventory=fal,kind=submit,outcome=2xx}"#
        #expect(metrics.value(of: submits) == Int64(runs))
        #expect(metrics.made(submits) == 1, "one counter for the series, not one per request")
        let polls = #"pollster_provider_requests_total{inventory=fal,kind=poll,outcome=2xx}"#
        #expect(try #require(metrics.value(of: polls)) >= Int64(2 * runs))
        #expect(metrics.made(polls) == 1)
        #expect(metrics.made(#"pollster_provider_request_duration_seconds{inventory=fal,kind=poll}"#) == 1)
        let downloads = #"pollster_downloads_total{inventory=fal,outcome=ok}"#
        #expect(metrics.value(of: downloads) == Int64(runs))
        #expect(metrics.made(downloads) == 1)
    }
}

/// A `MetricsFactory` that counts the handlers it makes and what counters add up to, by series
/// (`label{name=value,…}`).
final class CountingMetricsFactory: MetricsFactory {
    private struct State {
        var made: [String: Int] = [:]
        var values: [String: Int64] = [:]
    }

    private let state = Mutex(State())

    /// Handlers made for `series`.
    func made(_ series: String) -> Int { state.withLock { $0.made[series, default: 0] } }

    /// What the counter of `series` adds up to, if one was made.
    func value(of series: String) -> Int64? { state.withLock { $0.values[series] } }

    private func make(_ label: String, _ dimensions: [(String, String)]) -> String {
        let series = label + "{" + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
        state.withLock {
            $0.made[series, default: 0] += 1
            $0.values[series, default: 0] += 0
        }
        return series
    }

    fileprivate func add(_ amount: Int64, to series: String) {
        state.withLock { $0.values[series, default: 0] += amount }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(series: make(label, dimensions), factory: self)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(series: make(label, dimensions), factory: self)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(series: make(label, dimensions), factory: self)
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    /// Adds counter increments to its series; records nothing for recorders and timers.
    private final class Handler: CounterHandler, RecorderHandler, TimerHandler {
        let series: String
        let factory: CountingMetricsFactory

        init(series: String, factory: CountingMetricsFactory) {
            self.series = series
            self.factory = factory
        }

        func increment(by amount: Int64) { factory.add(amount, to: series) }
        func reset() {}
        func record(_ value: Int64) {}
        func record(_ value: Double) {}
        func recordNanoseconds(_ duration: Int64) {}
    }
}
