import PollsterCore
import Synchronization

/// The `limits` of every inventory, shared by all invocations of one `Pollster`.
final class ProviderLimits: Sendable {
    /// The limiters of one inventory.
    struct Limiters: Sendable {
        var jobs: ConcurrencyLimiter?
        var requests: RateLimiter?
    }

    private let byInventory = Mutex<[String: Limiters]>([:])

    /// The limiters for `method`'s inventory, created on first use from its `limits`.
    func limiters(for method: ToolMethod) -> Limiters {
        byInventory.withLock { table in
            if let existing = table[method.inventory] { return existing }
            let limiters = Limiters(
                jobs: method.limits?.maxConcurrent.map { ConcurrencyLimiter(limit: $0) },
                requests: method.limits?.requestsPerSecond.map { RateLimiter(requestsPerSecond: $0) })
            table[method.inventory] = limiters
            return limiters
        }
    }
}
