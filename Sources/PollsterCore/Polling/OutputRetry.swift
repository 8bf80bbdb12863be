/// How the reads after a job succeeded — the result request and the downloads — are tried
/// again: they are idempotent, so a transport failure, 408/429/5xx or an unreadable answer is
/// asked again after a short backoff, or the provider's `Retry-After` up to a cap.
package enum OutputRetry {
    /// The longest `Retry-After` honoured.
    package static let maxRetryAfter = Duration.seconds(30)

    /// The wait before attempt `attempt + 1`: the provider's `Retry-After` (capped), else
    /// 0.5 s, 1 s, 2 s … (at most 8 s) with full jitter.
    package static func delay(
        after attempt: Int, retryAfter: Duration?, using random: inout some RandomNumberGenerator
    ) -> Duration {
        if let retryAfter { return min(retryAfter, maxRetryAfter) }
        let ceiling = min(0.5 * Double(1 << min(attempt - 1, 4)), 8)
        return .milliseconds(Int64(Double.random(in: ceiling / 2...ceiling, using: &random) * 1000))
    }
}
