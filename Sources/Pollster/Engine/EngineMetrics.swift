import CoreMetrics
import PollsterCore

/// The engine's provider traffic as swift-metrics counters and timers, recorded into the
/// factory given to `Pollster` (none by default: then nothing is recorded and nothing costs).
///
/// - `pollster_provider_requests_total{inventory, kind, outcome}`: every request to a provider;
///   `kind` is `submit`, `poll`, `result` or `lookup`; `outcome` is the status class (`2xx`,
///   `4xx`, `5xx`), `429`, or `error` when no answer came.
/// - `pollster_provider_request_duration_seconds{inventory, kind}`: their latency.
/// - `pollster_downloads_total{inventory, outcome}` (`ok`, `failed`) and
///   `pollster_download_bytes_total{inventory}`: output files.
struct EngineMetrics: Sendable {
    /// What a request to the provider was for.
    enum Kind: String {
        case submit, poll, result, lookup
    }

    let factory: (any MetricsFactory)?

    func request(inventory: String, kind: Kind, status: Int?, duration: Duration) {
        guard let factory else { return }
        let outcome =
            switch status {
            case nil: "error"
            case 429?: "429"
            case let code?: "\(code / 100)xx"
            }
        Counter(
            label: "pollster_provider_requests_total",
            dimensions: [("inventory", inventory), ("kind", kind.rawValue), ("outcome", outcome)],
            factory: factory
        ).increment()
        let (seconds, attoseconds) = duration.components
        Timer(
            label: "pollster_provider_request_duration_seconds",
            dimensions: [("inventory", inventory), ("kind", kind.rawValue)], factory: factory
        ).recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    func download(inventory: String, bytes: Int?) {
        guard let factory else { return }
        Counter(
            label: "pollster_downloads_total",
            dimensions: [("inventory", inventory), ("outcome", bytes == nil ? "failed" : "ok")],
            factory: factory
        ).increment()
        if let bytes {
            Counter(
                label: "pollster_download_bytes_total", dimensions: [("inventory", inventory)],
                factory: factory
            )
            .increment(by: bytes)
        }
    }
}
