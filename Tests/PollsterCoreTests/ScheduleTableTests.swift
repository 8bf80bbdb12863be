import Foundation
import PollsterCore
import Testing

/// A deterministic generator for jitter tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state
    }
}

@Suite("Poll schedule")
struct PollScheduleTableTests {
    static let fixedCases: [(Int, Duration?, Duration, Duration?)] = [
        (1, nil as Duration?, Duration.seconds(0), Duration.seconds(5) as Duration?),
        (7, nil, .seconds(30), .seconds(5)),
        (2, .seconds(20), .seconds(10), .seconds(20)),
        (2, .seconds(20), .seconds(290), .seconds(10)),
        (3, nil, .seconds(298), .seconds(2)),
        (3, nil, .seconds(300), nil),
        (3, nil, .seconds(301), nil),
    ]

    @Test(
        "fixed interval, Retry-After and the deadline",
        arguments: fixedCases)
    func fixed(poll: Int, retryAfter: Duration?, elapsed: Duration, expected: Duration?) {
        let schedule = PollSchedule(interval: .seconds(5), maxWait: .seconds(300))
        var random = SeededGenerator(state: 1)
        #expect(
            schedule.delay(beforePoll: poll, retryAfter: retryAfter, elapsed: elapsed, using: &random)
                == expected)
    }

    @Test("backoff grows, is capped, and jitter stays between the interval and the cap")
    func backoff() {
        let plain = PollSchedule(
            interval: .seconds(1), maxWait: .seconds(3600),
            backoff: .init(multiplier: 2, maxInterval: .seconds(10), jitter: false))
        var random = SeededGenerator(state: 7)
        let delays = (1...6).map { plain.delay(beforePoll: $0, elapsed: .zero, using: &random)! }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        let jittered = PollSchedule(
            interval: .seconds(1), maxWait: .seconds(3600),
            backoff: .init(multiplier: 2, maxInterval: .seconds(10), jitter: true))
        for poll in 2...40 {
            let delay = jittered.delay(beforePoll: poll, elapsed: .zero, using: &random)!
            #expect(delay >= .seconds(1) && delay <= .seconds(10))
        }
    }

    static let retryCases: [(String, Double?)] = [
        ("120", 120.0 as Double?), ("0", 0), ("1.5", 1.5), ("Sun, 06 Nov 1994 08:49:37 GMT", 37),
        ("Sunday, 06-Nov-94 08:49:37 GMT", 37), ("Sun Nov  6 08:49:37 1994", 37),
        ("Sun, 06 Nov 1994 08:48:00 GMT", 0), ("soon", nil),
    ]

    @Test(
        "Retry-After parses seconds and the three HTTP date forms",
        arguments: retryCases)
    func retryAfter(header: String, seconds: Double?) {
        let now = Date(timeIntervalSince1970: 784_111_740)  // 1994-11-06 08:49:00 GMT
        #expect(RetryAfter.delay(from: header, now: now).map(\.seconds) == seconds)
    }
}
