import PollsterCore
import Testing

/// SplitMix64: a small, seeded generator so jitter tests are reproducible.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("PollSchedule: interval, Retry-After, deadline, backoff, jitter")
struct PollScheduleTests {
    static let fixed = PollSchedule(interval: .seconds(5), maxWait: .seconds(300))

    struct DelayCase: Sendable, CustomTestStringConvertible {
        var poll: Int
        var retryAfter: Duration?
        var elapsed: Duration
        var expected: Duration?
        var testDescription: String {
            "poll \(poll), Retry-After \(retryAfter.map { "\($0)" } ?? "none"), elapsed \(elapsed)"
        }
    }

    static let fixedCases: [DelayCase] = [
        // The first poll comes one interval after submit; then every interval.
        .init(poll: 1, retryAfter: nil, elapsed: .zero, expected: .seconds(5)),
        .init(poll: 2, retryAfter: nil, elapsed: .seconds(5), expected: .seconds(5)),
        .init(poll: 50, retryAfter: nil, elapsed: .seconds(250), expected: .seconds(5)),
        .init(poll: 7, retryAfter: nil, elapsed: .seconds(30), expected: .seconds(5)),
        // Retry-After replaces the computed delay, longer or shorter.
        .init(poll: 2, retryAfter: .seconds(30), elapsed: .seconds(10), expected: .seconds(30)),
        .init(poll: 2, retryAfter: .seconds(1), elapsed: .seconds(10), expected: .seconds(1)),
        .init(poll: 2, retryAfter: .zero, elapsed: .seconds(10), expected: .zero),
        .init(poll: 1, retryAfter: .milliseconds(1500), elapsed: .zero, expected: .milliseconds(1500)),
        .init(poll: 2, retryAfter: .seconds(20), elapsed: .seconds(10), expected: .seconds(20)),
        // Capped by the time left before the deadline.
        .init(poll: 3, retryAfter: nil, elapsed: .seconds(297), expected: .seconds(3)),
        .init(poll: 3, retryAfter: nil, elapsed: .seconds(298), expected: .seconds(2)),
        .init(poll: 2, retryAfter: .seconds(20), elapsed: .seconds(290), expected: .seconds(10)),
        .init(poll: 3, retryAfter: nil, elapsed: .milliseconds(299_500), expected: .milliseconds(500)),
        .init(poll: 3, retryAfter: .seconds(60), elapsed: .seconds(280), expected: .seconds(20)),
        .init(poll: 3, retryAfter: .seconds(3600), elapsed: .zero, expected: .seconds(300)),
        // Nothing left: no more polls.
        .init(poll: 3, retryAfter: nil, elapsed: .seconds(300), expected: nil),
        .init(poll: 3, retryAfter: nil, elapsed: .seconds(301), expected: nil),
        .init(poll: 3, retryAfter: .seconds(1), elapsed: .seconds(400), expected: nil),
    ]

    @Test("a fixed interval, overridden by Retry-After, never past the deadline", arguments: fixedCases)
    func fixedInterval(testCase: DelayCase) {
        var random = SplitMix64(state: 1)
        let delay = Self.fixed.delay(
            beforePoll: testCase.poll, retryAfter: testCase.retryAfter, elapsed: testCase.elapsed,
            using: &random)
        #expect(delay == testCase.expected)
    }

    static let backoffCases: [(Double, Double, [Double])] = [
        // multiplier, maxInterval, delays for polls 1...7 with a 2 s interval
        (2, 30, [2, 4, 8, 16, 30, 30, 30]),
        (1.5, 60, [2, 3, 4.5, 6.75, 10.125, 15.1875, 22.78125]),
        (1, 60, [2, 2, 2, 2, 2, 2, 2]),
        (3, 10, [2, 6, 10, 10, 10, 10, 10]),
        // A cap below the interval never shortens the interval.
        (2, 1, [2, 2, 2, 2, 2, 2, 2]),
    ]

    @Test("backoff grows by the multiplier and is capped by maxInterval", arguments: backoffCases)
    func backoff(multiplier: Double, maxInterval: Double, expected: [Double]) {
        let schedule = PollSchedule(
            interval: .seconds(2), maxWait: .seconds(86_400),
            backoff: .init(multiplier: multiplier, maxInterval: .seconds(maxInterval), jitter: false))
        var random = SplitMix64(state: 7)
        let delays = (1...expected.count).map {
            schedule.delay(beforePoll: $0, elapsed: .seconds(10), using: &random)
        }
        #expect(delays == expected.map { Duration.seconds($0) })
    }

    @Test("backoff from a 1 s interval doubles to its cap; jitter stays between the interval and the cap")
    func backoffFromOneSecond() {
        let plain = PollSchedule(
            interval: .seconds(1), maxWait: .seconds(3600),
            backoff: .init(multiplier: 2, maxInterval: .seconds(10), jitter: false))
        var random = SplitMix64(state: 7)
        let delays = (1...6).map { plain.delay(beforePoll: $0, elapsed: .zero, using: &random) }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        let jittered = PollSchedule(
            interval: .seconds(1), maxWait: .seconds(3600),
            backoff: .init(multiplier: 2, maxInterval: .seconds(10), jitter: true))
        for poll in 2...40 {
            let delay = jittered.delay(beforePoll: poll, elapsed: .zero, using: &random)
            #expect(delay.map { $0 >= .seconds(1) && $0 <= .seconds(10) } == true, "poll \(poll)")
        }
    }

    @Test("backoff stays capped for very late polls")
    func backoffLatePolls() {
        let schedule = PollSchedule(
            interval: .seconds(1), maxWait: .seconds(86_400),
            backoff: .init(multiplier: 2, maxInterval: .seconds(45), jitter: false))
        var random = SplitMix64(state: 3)
        for poll in [64, 100, 1000, 100_000] {
            #expect(schedule.delay(beforePoll: poll, elapsed: .zero, using: &random) == .seconds(45))
        }
    }

    @Test("backoff is still capped by the deadline and overridden by Retry-After")
    func backoffWithDeadlineAndRetryAfter() {
        let schedule = PollSchedule(
            interval: .seconds(2), maxWait: .seconds(100),
            backoff: .init(multiplier: 2, maxInterval: .seconds(60), jitter: false))
        var random = SplitMix64(state: 11)
        #expect(schedule.delay(beforePoll: 6, elapsed: .seconds(95), using: &random) == .seconds(5))
        #expect(
            schedule.delay(beforePoll: 6, retryAfter: .seconds(7), elapsed: .zero, using: &random)
                == .seconds(7))
        #expect(schedule.delay(beforePoll: 6, elapsed: .seconds(100), using: &random) == nil)
    }

    static let jitterSeeds: [UInt64] = [0, 1, 42, 0xDEAD_BEEF, .max]

    @Test("full jitter stays within [interval, min(cap, grown)]", arguments: jitterSeeds)
    func jitterBounds(seed: UInt64) {
        let interval = 2.0
        let cap = 30.0
        let schedule = PollSchedule(
            interval: .seconds(interval), maxWait: .seconds(86_400),
            backoff: .init(multiplier: 2, maxInterval: .seconds(cap), jitter: true))
        var random = SplitMix64(state: seed)
        // The first poll is never jittered.
        #expect(schedule.delay(beforePoll: 1, elapsed: .zero, using: &random) == .seconds(interval))
        var seen: Set<Duration> = []
        for poll in 2...200 {
            guard let delay = schedule.delay(beforePoll: poll, elapsed: .zero, using: &random) else {
                Issue.record("no delay before poll \(poll)")
                continue
            }
            var grown = interval
            for _ in 1..<min(poll, 64) { grown = min(cap, grown * 2) }
            #expect(delay >= .seconds(interval), "poll \(poll)")
            #expect(delay <= .seconds(grown), "poll \(poll)")
            seen.insert(delay)
        }
        // Jitter actually varies the delay.
        #expect(seen.count > 100)
    }

    @Test("jitter is reproducible with the same seed")
    func jitterReproducible() {
        let schedule = PollSchedule(
            interval: .seconds(1), maxWait: .seconds(3600),
            backoff: .init(multiplier: 2, maxInterval: .seconds(20), jitter: true))
        var first = SplitMix64(state: 2024)
        var second = SplitMix64(state: 2024)
        var other = SplitMix64(state: 2025)
        let a = (2...30).map { schedule.delay(beforePoll: $0, elapsed: .zero, using: &first) }
        let b = (2...30).map { schedule.delay(beforePoll: $0, elapsed: .zero, using: &second) }
        let c = (2...30).map { schedule.delay(beforePoll: $0, elapsed: .zero, using: &other) }
        #expect(a == b)
        #expect(a != c)
    }

    @Test("Duration.seconds converts fractions")
    func durationSeconds() {
        #expect(Duration.seconds(5).seconds == 5)
        #expect(Duration.milliseconds(1500).seconds == 1.5)
        #expect(Duration.zero.seconds == 0)
        #expect((Duration.seconds(-2)).seconds == -2)
    }

    @Test("a polling config compiles into the schedule it describes")
    func fromConfig() throws {
        let method = MethodConfig(
            name: "job", endpoint: "https://api.acme.test/jobs",
            adapterConfig: AdapterConfig(
                polling: PollingConfig(
                    intervalSeconds: 3, maxWaitSeconds: 900,
                    backoff: BackoffConfig(multiplier: 1.5, maxIntervalSeconds: 20, jitter: "none"))))
        let tool = try ToolMethod(
            inventory: InventoryConfig(inventory: "acme", methods: [method]), method: method)
        let schedule = try #require(tool.plan.polling?.schedule)
        #expect(
            schedule
                == PollSchedule(
                    interval: .seconds(3), maxWait: .seconds(900),
                    backoff: .init(multiplier: 1.5, maxInterval: .seconds(20), jitter: false)))
        var random = SplitMix64(state: 5)
        #expect(schedule.delay(beforePoll: 1, elapsed: .zero, using: &random) == .seconds(3))
        #expect(schedule.delay(beforePoll: 2, elapsed: .zero, using: &random) == .seconds(4.5))
    }
}
