import Benchmark
import Foundation
import PollsterCore

/// "JSON parse": `JSONParser.parse` against Foundation's `JSONDecoder` decoding the same
/// `JSONValue` tree (through `JSONValue`'s `Decodable` conformance), on the status bodies of
/// scenario 1 and on one larger document.
///
/// Not part of `Benchmarks/run` (its scenario 1 skips them); run them alone with
/// `swift package --allow-writing-to-package-directory benchmark --target PollCost --filter "JSON parse.*"`.
enum JSONParseBenchmarks {
    /// The larger document: a whole recorded fixture (many polls, 74 KB).
    static let largeDocument = "Tests/Fixtures/replicate/unknown-status.json"

    /// Registers the four benchmarks: status bodies and the large document, each parser.
    static func register(statusBodies: [[UInt8]], root: String) {
        guard let large = FileManager.default.contents(atPath: "\(root)/\(largeDocument)") else {
            fatalError("JSON parse: cannot read \(largeDocument)")
        }
        let bodies = statusBodies.map { (bytes: $0, data: Data($0)) }
        let perBody = configuration(scalingFactor: .kilo)
        Benchmark("JSON parse status bodies: JSONParser", configuration: perBody) { benchmark in
            measure(benchmark, count: bodies.count) { blackHole(try? JSONParser.parse(bodies[$0].bytes)) }
        }
        Benchmark("JSON parse status bodies: JSONDecoder", configuration: perBody) { benchmark in
            let decoder = JSONDecoder()
            measure(benchmark, count: bodies.count) {
                blackHole(try? decoder.decode(JSONValue.self, from: bodies[$0].data))
            }
        }
        let bytes = Array(large)
        let whole = configuration(scalingFactor: .one)
        Benchmark("JSON parse 74 KB fixture: JSONParser", configuration: whole) { benchmark in
            measure(benchmark, count: 1) { _ in blackHole(try? JSONParser.parse(bytes)) }
        }
        Benchmark("JSON parse 74 KB fixture: JSONDecoder", configuration: whole) { benchmark in
            let decoder = JSONDecoder()
            measure(benchmark, count: 1) { _ in blackHole(try? decoder.decode(JSONValue.self, from: large)) }
        }
    }

    private static func configuration(scalingFactor: BenchmarkScalingFactor) -> Benchmark.Configuration {
        Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal, .throughput, PollCase.threadCPU],
            timeUnits: .nanoseconds,
            units: [PollCase.threadCPU: .count, .mallocCountTotal: .count],
            warmupIterations: 3,
            scalingFactor: scalingFactor,
            maxDuration: .seconds(PollCase.quick ? 1 : 3),
            maxIterations: 100_000
        )
    }

    /// Runs `parse` over the inputs `0..<count` in turn, `scaledIterations` times, and records
    /// the thread's CPU time as scenario 1 does.
    private static func measure(_ benchmark: Benchmark, count: Int, _ parse: (Int) -> Void) {
        var index = 0
        let cpuBefore = PollCase.threadCPUNanoseconds()
        for _ in benchmark.scaledIterations {
            parse(index)
            index = index + 1 == count ? 0 : index + 1
        }
        benchmark.measurement(PollCase.threadCPU, PollCase.threadCPUNanoseconds() - cpuBefore)
    }
}
