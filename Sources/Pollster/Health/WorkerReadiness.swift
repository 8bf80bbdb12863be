import Foundation
import PollsterCore

/// A worker is ready while its task store answers (or has failed for less than
/// `unreadyAfter`) and its registry has methods loaded.
public struct WorkerReadiness: ReadinessCheck {
    let worker: TaskWorker
    let registry: any ToolRegistry
    let unreadyAfter: Duration

    /// A check of `worker` and `registry`.
    public init(worker: TaskWorker, registry: any ToolRegistry, unreadyAfter: Duration) {
        self.worker = worker
        self.registry = registry
        self.unreadyAfter = unreadyAfter
    }

    public func readiness() async -> (ready: Bool, detail: String) {
        if let since = worker.storeFailingSince, Date().timeIntervalSince(since) >= unreadyAfter.seconds {
            return (false, "task store unreachable since \(ISO8601DateFormatter().string(from: since))")
        }
        guard let methods = try? await registry.methods(), !methods.isEmpty else {
            return (false, "no tool methods loaded")
        }
        return (
            true,
            "\(methods.count) tool methods; task store \(worker.isStoreReachable ? "reachable" : "failing")"
        )
    }
}
