import CoreMetrics
import Pollster
import Prometheus

/// The API's metrics, recorded through swift-metrics into a Prometheus registry and served as
/// text at `GET /metrics`: `pollster_tasks` (gauge by state, counted at scrape time),
/// `pollster_task_submits_total` (by tool), `pollster_file_downloads_total`,
/// `pollster_webhook_deliveries_total` (by outcome). Give `factory` to the engine
/// (`Pollster(…, metrics:)`) and its provider requests and downloads are served too.
public struct ServerMetrics: Sendable {
    /// Where the metrics live.
    public let registry: PrometheusCollectorRegistry
    /// Records into `registry`.
    public let factory: PrometheusMetricsFactory

    /// Metrics in `registry` (a fresh one by default).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.factory = PrometheusMetricsFactory(registry: registry)
    }

    /// A task was stored.
    func submitted(tool: String) {
        Counter(label: "pollster_task_submits_total", dimensions: [("tool", tool)], factory: factory)
            .increment()
    }

    /// An output file was served.
    func downloaded() {
        Counter(label: "pollster_file_downloads_total", factory: factory).increment()
    }

    /// A webhook delivery attempt ended.
    func webhook(delivered: Bool) {
        Counter(
            label: "pollster_webhook_deliveries_total",
            dimensions: [("outcome", delivered ? "delivered" : "failed")],
            factory: factory
        ).increment()
    }

    /// The text exposition, after counting tasks by state (at most 10,000 per state).
    func render(_ service: TaskService) async -> [UInt8] {
        for state in TaskState.allCases {
            if let count = try? await service.count(TaskQuery(states: [state], limit: 10_000)) {
                Gauge(label: "pollster_tasks", dimensions: [("state", state.rawValue)], factory: factory)
                    .record(count)
            }
        }
        return registry.emitToBuffer()
    }
}
