import Foundation
import NIOHTTP1
import PollsterCore

extension HTTPHeaders {
    /// The delay the answer asks for, and the value as sent (quoted in errors): Azure's
    /// `retry-after-ms` or `x-ms-retry-after-ms` (given as `1500 ms`) first, else `Retry-After`
    /// (seconds or an HTTP date) read from now; a nil delay when absent or unreadable.
    var retryHint: (delay: Duration?, raw: String?) {
        for name in RetryAfter.millisecondHeaders {
            if let value = first(name: name), let delay = RetryAfter.delay(milliseconds: value) {
                return (delay, "\(value) ms")
            }
        }
        let raw = first(name: "Retry-After")
        return (raw.flatMap { RetryAfter.delay(from: $0, now: Date()) }, raw)
    }

    /// The delay of `retryHint`.
    var retryAfterDelay: Duration? { retryHint.delay }
}
