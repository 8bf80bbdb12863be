import NIOHTTP1
import Testing

@testable import Pollster

/// Which header sets the delay an answer asks for.
@Suite("Retry-After headers")
struct RetryAfterHeaderTests {
    static let cases: [([(String, String)], Double?)] = [
        ([("Retry-After", "3")], 3),
        ([("retry-after-ms", "1500"), ("Retry-After", "3")], 1.5),
        ([("x-ms-retry-after-ms", "250"), ("Retry-After", "3")], 0.25),
        ([("Retry-After-Ms", "100"), ("x-ms-retry-after-ms", "250")], 0.1),
        // An unreadable milliseconds header gives way to the next.
        ([("retry-after-ms", "soon"), ("Retry-After", "3")], 3),
        ([("Content-Type", "application/json")], nil),
    ]

    @Test("Azure's millisecond headers come before Retry-After", arguments: cases)
    func precedence(headers: [(String, String)], seconds: Double?) {
        #expect(
            HTTPHeaders(headers).retryAfterDelay.map {
                Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18
            } == seconds)
    }
}
