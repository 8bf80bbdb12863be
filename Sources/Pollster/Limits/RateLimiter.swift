import PollsterCore
import Synchronization

/// Spaces requests to a provider: `requestsPerSecond` on average with a burst of one
/// second's worth, slowed down by 429 answers and recovering as requests succeed.
///
/// Each caller reserves the next free slot under a lock and sleeps outside it.
final class RateLimiter: Sendable {
    private struct State {
        var interval: Duration
        var nextSlot: ContinuousClock.Instant
    }

    private let baseInterval: Duration
    private let burst: Duration
    private let state: Mutex<State>

    /// A limiter for `requestsPerSecond` (> 0).
    init(requestsPerSecond: Double) {
        let interval = Duration.seconds(1 / requestsPerSecond)
        baseInterval = interval
        burst = max(.seconds(1), interval)
        state = Mutex(State(interval: interval, nextSlot: .now))
    }

    /// Waits until a request may be sent.
    func acquire() async throws {
        let now = ContinuousClock.now
        let slot = state.withLock { state -> ContinuousClock.Instant in
            let slot = max(state.nextSlot, now - burst + state.interval)
            state.nextSlot = slot + state.interval
            return slot
        }
        if slot > now { try await Task.sleep(until: slot, clock: .continuous) }
    }

    /// The provider said 429: pause until `retryAfter` (or two intervals) and halve the rate (at most 8×).
    func slowDown(retryAfter: Duration?) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.interval = min(state.interval * 2, baseInterval * 8)
            state.nextSlot = max(state.nextSlot, now + (retryAfter ?? state.interval * 2))
        }
    }

    /// A request succeeded: recover a tenth of the way back to the configured rate.
    func recover() {
        state.withLock { state in
            if state.interval > baseInterval {
                state.interval = max(baseInterval, .seconds(state.interval.seconds * 0.9))
            }
        }
    }
}
