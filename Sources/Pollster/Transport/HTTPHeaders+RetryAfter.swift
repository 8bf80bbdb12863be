import Foundation
import NIOHTTP1
import PollsterCore

extension HTTPHeaders {
    /// `Retry-After` as sent, if any.
    var retryAfter: String? { first(name: "Retry-After") }

    /// `Retry-After` read as a delay from now (seconds or an HTTP date); nil when absent or
    /// unreadable.
    var retryAfterDelay: Duration? { retryAfter.flatMap { RetryAfter.delay(from: $0, now: Date()) } }
}
