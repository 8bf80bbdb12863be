import AsyncHTTPClient
import Histogram
import NIOCore
import Synchronization

/// The HTTP client side of scenarios 6 and 7: an AsyncHTTPClient with one connection per
/// request in flight, and the helpers the load generators share.
enum LoadClient {
    /// A client that keeps up to `connections` connections to the server, never follows
    /// redirects and lets a response (an event stream) run for up to `readTimeout`.
    static func make(connections: Int, readTimeout: TimeAmount = .seconds(600)) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10), read: readTimeout)
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Runs `body(0..<count)` with at most `concurrency` calls in flight.
    static func forEach(
        _ count: Int, concurrency: Int, _ body: @escaping @Sendable (Int) async -> Void
    ) async {
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            while next < min(max(1, concurrency), count) {
                let index = next
                group.addTask { await body(index) }
                next += 1
            }
            while await group.next() != nil, next < count {
                let index = next
                group.addTask { await body(index) }
                next += 1
            }
        }
    }
}

/// Latencies recorded by many tasks at once, in microseconds.
final class Latencies: Sendable {
    private let histogram = Mutex(
        Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three))

    /// Records one latency.
    func record(_ duration: Duration) {
        _ = histogram.withLock { $0.record(duration.microseconds) }
    }

    /// The histogram so far.
    var snapshot: Histogram<UInt64> { histogram.withLock { $0 } }
}

/// Counts of outcomes (HTTP statuses, error kinds) recorded by many tasks at once.
final class Tally: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// Adds one to `key`.
    func add(_ key: String) { counts.withLock { $0[key, default: 0] += 1 } }

    /// The counts so far.
    var snapshot: [String: Int] { counts.withLock { $0 } }
}
