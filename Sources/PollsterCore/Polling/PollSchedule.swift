/// When to poll next: a fixed interval or exponential backoff with jitter, overridden by
/// `Retry-After`, and never past the wall-clock deadline.
///
/// Pure: the caller passes the time elapsed since submit and a random source.
public struct PollSchedule: Sendable, Hashable {
    /// Exponential growth of the interval.
    public struct Backoff: Sendable, Hashable {
        /// Growth factor per poll.
        public var multiplier: Double
        /// Cap on the interval.
        public var maxInterval: Duration
        /// Draw uniformly between the base interval and the exponential value.
        public var jitter: Bool

        /// Backoff from its parts.
        public init(multiplier: Double, maxInterval: Duration, jitter: Bool) {
            self.multiplier = multiplier
            self.maxInterval = maxInterval
            self.jitter = jitter
        }
    }

    /// The base interval, also the delay before the first poll.
    public var interval: Duration
    /// The deadline, measured from submit.
    public var maxWait: Duration
    /// Optional backoff.
    public var backoff: Backoff?

    /// A schedule from its parts.
    public init(interval: Duration, maxWait: Duration, backoff: Backoff? = nil) {
        self.interval = interval
        self.maxWait = maxWait
        self.backoff = backoff
    }

    /// The delay before poll number `poll` (1-based: 1 is the first poll after submit).
    ///
    /// - Parameters:
    ///   - poll: which poll comes next.
    ///   - retryAfter: the provider's `Retry-After`, which replaces the computed delay.
    ///   - elapsed: time since submit.
    /// - Returns: the delay, capped so the poll happens no later than the deadline; nil
    ///   when the deadline has already passed.
    public func delay(
        beforePoll poll: Int, retryAfter: Duration? = nil, elapsed: Duration,
        using random: inout some RandomNumberGenerator
    ) -> Duration? {
        let remaining = maxWait - elapsed
        guard remaining > .zero else { return nil }
        let wanted = retryAfter ?? computedDelay(beforePoll: poll, using: &random)
        return min(wanted, remaining)
    }

    private func computedDelay(beforePoll poll: Int, using random: inout some RandomNumberGenerator)
        -> Duration
    {
        guard let backoff, poll > 1 else { return interval }
        let base = interval.seconds
        let grown = min(backoff.maxInterval.seconds, base * power(backoff.multiplier, Double(poll - 1)))
        let upper = max(base, grown)
        let chosen = backoff.jitter && upper > base ? Double.random(in: base...upper, using: &random) : upper
        return .seconds(chosen)
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    package var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// `base` raised to `exponent`, without Foundation.
func power(_ base: Double, _ exponent: Double) -> Double {
    guard exponent > 0 else { return 1 }
    var result = 1.0
    for _ in 0..<Int(exponent.rounded(.down)) {
        result *= base
        if result > 1e12 { break }
    }
    return result
}
