import CoreMetrics
import PollsterCore
import Synchronization

/// The engine's provider traffic as swift-metrics counters and timers, recorded into the
/// factory given to `Pollster` (none by default: then nothing is recorded and nothing costs).
///
/// - `pollster_provider_requests_total{inventory, kind, outcome}`: every request to a provider;
///   `kind` is `submit`, `poll`, `result` or `lookup`; `outcome` is the status class (`2xx`,
///   `4xx`, `5xx`), `429`, or `error` when no answer came.
/// - `pollster_provider_request_duration_seconds{inventory, kind}`: their latency.
/// - `pollster_downloads_total{inventory, outcome}` (`ok`, `failed`) and
///   `pollster_download_bytes_total{inventory}`: output files.
///
/// Each series' handler is made once, on its first use, and kept (`Handlers`): a poll costs a
/// dictionary lookup, not a factory call and two allocations.
struct EngineMetrics: Sendable {
    /// What a request to the provider was for.
    enum Kind: String {
        case submit, poll, result, lookup
    }

    private let handlers: Handlers?

    init(factory: (any MetricsFactory)?) {
        handlers = factory.map(Handlers.init)
    }

    func request(inventory: String, kind: Kind, status: Int?, duration: Duration) {
        guard let handlers else { return }
        let outcome =
            switch status {
            case nil: "error"
            case 429?: "429"
            case let code?: "\(code / 100)xx"
            }
        handlers.counter(.requests(inventory: inventory, kind: kind, outcome: outcome)).increment()
        let (seconds, attoseconds) = duration.components
        handlers.timer(.requestDuration(inventory: inventory, kind: kind))
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    func download(inventory: String, bytes: Int?) {
        guard let handlers else { return }
        handlers.counter(.downloads(inventory: inventory, ok: bytes != nil)).increment()
        if let bytes {
            handlers.counter(.downloadBytes(inventory: inventory)).increment(by: bytes)
        }
    }
}

/// One labelled series: a metric and its dimension values.
private enum Series: Hashable {
    case requests(inventory: String, kind: EngineMetrics.Kind, outcome: String)
    case requestDuration(inventory: String, kind: EngineMetrics.Kind)
    case downloads(inventory: String, ok: Bool)
    case downloadBytes(inventory: String)

    var label: String {
        switch self {
        case .requests: "pollster_provider_requests_total"
        case .requestDuration: "pollster_provider_request_duration_seconds"
        case .downloads: "pollster_downloads_total"
        case .downloadBytes: "pollster_download_bytes_total"
        }
    }

    var dimensions: [(String, String)] {
        switch self {
        case .requests(let inventory, let kind, let outcome):
            [("inventory", inventory), ("kind", kind.rawValue), ("outcome", outcome)]
        case .requestDuration(let inventory, let kind): [("inventory", inventory), ("kind", kind.rawValue)]
        case .downloads(let inventory, let ok): [("inventory", inventory), ("outcome", ok ? "ok" : "failed")]
        case .downloadBytes(let inventory): [("inventory", inventory)]
        }
    }
}

/// The handlers made so far, shared by every copy of an `EngineMetrics`. Series are few (the
/// inventories times a handful of kinds and outcomes), so they are kept for the process's life.
private final class Handlers: Sendable {
    private let factory: any MetricsFactory
    private let counters = Mutex<[Series: Counter]>([:])
    private let timers = Mutex<[Series: Timer]>([:])

    init(factory: any MetricsFactory) { self.factory = factory }

    func counter(_ series: Series) -> Counter {
        Self.handler(for: series, in: counters) {
            Counter(label: series.label, dimensions: series.dimensions, factory: factory)
        }
    }

    func timer(_ series: Series) -> Timer {
        Self.handler(for: series, in: timers) {
            Timer(label: series.label, dimensions: series.dimensions, factory: factory)
        }
    }

    /// The handler of `series` in `cache`, made on first use.
    private static func handler<Handler: Sendable>(
        for series: Series, in cache: borrowing Mutex<[Series: Handler]>, make: () -> Handler
    ) -> Handler {
        cache.withLock { handlers in
            if let handler = handlers[series] { return handler }
            let handler = make()
            handlers[series] = handler
            return handler
        }
    }
}
