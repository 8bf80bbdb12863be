import PollsterCore
import Synchronization

/// The `limits` of every inventory, shared by all invocations of one `Pollster`.
final class ProviderLimits: Sendable {
    /// The limiters of one inventory.
    struct Limiters: Sendable {
        var jobs: ConcurrencyLimiter?
        var requests: RateLimiter?
        /// Steps (a submit, a poll, the result and downloads) of the inventory's jobs that may run
        /// at once; the others wait in line. Under overload a job then waits as a queue entry,
        /// not as a request queued for a connection whose deadline runs while it waits.
        var steps: ConcurrencyLimiter
    }

    /// At most this many steps of one inventory run at once (4 × AsyncHTTPClient's default
    /// 64 connections per host, so the line forms only when the connections are all busy).
    static let stepsPerInventory = 256

    private let byInventory = Mutex<[String: Limiters]>([:])

    /// The limiters for `method`'s inventory, created on first use from its `limits`.
    func limiters(for method: ToolMethod) -> Limiters {
        byInventory.withLock { table in
            if let existing = table[method.inventory] { return existing }
            let limiters = Limiters(
                jobs: method.limits?.maxConcurrent.map { ConcurrencyLimiter(limit: $0) },
                requests: method.limits?.requestsPerSecond.map { RateLimiter(requestsPerSecond: $0) },
                steps: ConcurrencyLimiter(limit: Self.stepsPerInventory))
            table[method.inventory] = limiters
            return limiters
        }
    }
}
