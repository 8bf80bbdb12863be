import Foundation
import NIOHTTP1
import PollsterCore

extension HTTPHeaders {
    /// `Retry-After` as sent, if any.
    var retryAfter: String? { first(name: "Retry-After") }

    /// The delay the answer asks for: `retry-after-ms` or `x-ms-retry-after-ms` (Azure), else
    /// `Retry-After` (seconds or an HTTP date) read from now; nil when absent or unreadable.
    var retryAfterDelay: Duration? {
        for name in RetryAfter.millisecondHeaders {
            if let value = first(name: name), let delay = RetryAfter.delay(milliseconds: value) {
                return delay
            }
        }
        return retryAfter.flatMap { RetryAfter.delay(from: $0, now: Date()) }
    }
}
