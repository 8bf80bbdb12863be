import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// The scheduler through the public surface: many jobs of one batch wait as data and are polled
/// on time, at most `concurrency` at once; canceling the batch ends every job without more polls.
/// The inventory has no `limits` (the shipped HeyGen adapter allows 3 jobs and 5 requests/s).
@Suite("Job scheduler")
struct JobSchedulerTests {
    static func unlimited() throws -> YAMLRegistry { try BatchLimitTests.heygen(limits: "{}") }

    static func items(_ count: Int) -> [BatchItem] {
        (0..<count).map {
            BatchItem(
                tool: "heygen.create_avatar_video_v2", input: sampleInputs["heygen.create_avatar_video_v2"]!,
                id: "job-\($0)")
        }
    }

    @Test("200 jobs of one batch all succeed, each polled as scripted, none submitted twice")
    func manyJobs() async throws {
        try await withMockEngine(script: MockJobScript(polls: 3), registry: Self.unlimited()) {
            pollster, mock in
            let outcomes = await pollster.invokeBatch(
                Self.items(200), concurrency: 200, options: fastOptions(mock))
            #expect(outcomes.count == 200)
            #expect(outcomes.map(\.index) == Array(0..<200))
            let failures = outcomes.compactMap {
                if case .failure(let error) = $0.result { error } else { nil }
            }
            #expect(failures.isEmpty, "\(failures.prefix(3))")
            let stats = mock.stats
            #expect(stats.submissions == 200)
            #expect(stats.pollsByJob.count == 200)
            #expect(stats.pollsByJob.values.allSatisfy { $0 == 3 }, "\(Set(stats.pollsByJob.values))")
            #expect(stats.maxConcurrentJobs > 1, "jobs overlap: they wait side by side")
        }
    }

    @Test("invokeEach takes a lazy sequence and hands each outcome over with its item, keeping none")
    func invokeEachStreams() async throws {
        try await withMockEngine(script: MockJobScript(polls: 1), registry: Self.unlimited()) {
            pollster, mock in
            let items = (0..<30).lazy.map {
                BatchItem(
                    tool: "heygen.create_avatar_video_v2",
                    input: sampleInputs["heygen.create_avatar_video_v2"]!,
                    id: "item-\($0)")
            }
            var seen: [Int: String] = [:]
            await pollster.invokeEach(items, concurrency: 10, options: fastOptions(mock)) { outcome in
                if case .success = outcome.result { seen[outcome.index] = outcome.item.id }
            }
            #expect(seen.count == 30)
            #expect(seen.allSatisfy { $0.value == "item-\($0.key)" })
        }
    }

    @Test(
        "a batch wider than the starts in flight, on an inventory with maxConcurrent, finishes",
        .timeLimit(.minutes(2)))
    func wideBatchUnderMaxConcurrent() async throws {
        // 600 calls: more than the loop starts at once, most of them waiting for one of 20 job
        // slots; polls 100 ms apart are never due when a slot frees, so only polls that are not
        // crowded out by waiting starts let the batch finish.
        let registry = try BatchLimitTests.heygen(limits: "{ maxConcurrent: 20 }")
        try await withMockEngine(script: MockJobScript(polls: 1), registry: registry) { pollster, mock in
            var options = fastOptions(mock)
            options.pollInterval = .milliseconds(100)
            var succeeded = 0
            await pollster.invokeEach(Self.items(600), concurrency: 600, options: options) { outcome in
                if case .success = outcome.result { succeeded += 1 }
            }
            #expect(succeeded == 600)
            #expect(mock.stats.maxConcurrentJobs <= 20)
        }
    }

    @Test("at most `concurrency` jobs are in progress at once")
    func widthHolds() async throws {
        try await withMockEngine(script: MockJobScript(polls: 2), registry: Self.unlimited()) {
            pollster, mock in
            let inProgress = InProgress()
            let outcomes = await pollster.invokeBatch(
                Self.items(12), concurrency: 3, options: fastOptions(mock),
                onStart: { _ in inProgress.start() }, onOutcome: { _ in inProgress.end() })
            #expect(outcomes.count == 12)
            #expect(inProgress.most == 3)
            #expect(mock.stats.maxConcurrentJobs <= 3)
        }
    }

    @Test("canceling a batch ends every job as CANCELED and sends no poll after")
    func cancelBatch() async throws {
        try await withMockEngine(script: MockJobScript(polls: 100_000), registry: Self.unlimited()) {
            pollster, mock in
            let items = Self.items(20)
            let batch = Task {
                await pollster.invokeBatch(items, concurrency: 20, options: fastOptions(mock))
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while mock.stats.pollsByJob.count < 20 {
                try #require(ContinuousClock.now < deadline, "every job was polled at least once")
                try await Task.sleep(for: .milliseconds(20))
            }
            batch.cancel()
            let outcomes = await batch.value
            #expect(outcomes.count == 20)
            let codes = Set(
                outcomes.compactMap { if case .failure(let error) = $0.result { error.code } else { nil } })
            #expect(codes == [.canceled], "\(codes)")
            // Polls sent just before the cancel may still reach the mock (late, on a loaded
            // machine); then nothing more comes, although every job was scripted to run for ever
            // at a 20 ms interval, which would never let the count settle.
            var polls = mock.stats.polls
            let settleBy = ContinuousClock.now + .seconds(20)
            while true {
                try await Task.sleep(for: .milliseconds(300))
                let now = mock.stats.polls
                if now == polls { break }
                polls = now
                try #require(ContinuousClock.now < settleBy, "polls kept coming after the batch ended")
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(mock.stats.polls == polls, "no poll after the batch ended")
        }
    }
}

/// Counts items in progress and the most seen at once (invokeBatch calls back on its own task).
private final class InProgress {
    private var now = 0
    private(set) var most = 0

    func start() {
        now += 1
        most = max(most, now)
    }

    func end() { now -= 1 }
}
