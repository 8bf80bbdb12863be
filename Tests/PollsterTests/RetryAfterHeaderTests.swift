import NIOHTTP1
import Testing

@testable import Pollster

/// Which header sets the delay an answer asks for, and what an error quotes of it.
@Suite("Retry-After headers")
struct RetryAfterHeaderTests {
    static let cases: [([(String, String)], Double?, String?)] = [
        ([("Retry-After", "3")], 3, "3"),
        ([("retry-after-ms", "1500"), ("Retry-After", "3")], 1.5, "1500 ms"),
        ([("x-ms-retry-after-ms", "250"), ("Retry-After", "3")], 0.25, "250 ms"),
        ([("Retry-After-Ms", "100"), ("x-ms-retry-after-ms", "250")], 0.1, "100 ms"),
        // An unreadable milliseconds header gives way to the next.
        ([("retry-after-ms", "soon"), ("Retry-After", "3")], 3, "3"),
        ([("Retry-After", "soon")], nil, "soon"),
        ([("Content-Type", "application/json")], nil, nil),
    ]

    @Test("Azure's millisecond headers come before Retry-After", arguments: cases)
    func precedence(headers: [(String, String)], seconds: Double?, quoted: String?) {
        let hint = HTTPHeaders(headers).retryHint
        #expect(
            hint.delay.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
                == seconds)
        #expect(hint.raw == quoted)
    }
}
