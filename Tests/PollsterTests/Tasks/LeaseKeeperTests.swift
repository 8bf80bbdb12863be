import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// A worker renews the leases of all the tasks it drives at once, and stops driving a task
/// whose lease another worker holds (`LeaseKeeper`), through the public API.
@Suite("Durable tasks: lease renewal")
struct LeaseKeeperTests {
    @Test("one renewal round extends every driven task's lease to the same expiry")
    func renewsTogether() async throws {
        try await withTaskHarness(.sqlite, script: MockJobScript(polls: 10_000)) { harness in
            // Replicate's inventory sets no limits.maxConcurrent: all four run at once.
            let tool = "replicate.create_prediction"
            var ids: [String] = []
            for _ in 0..<4 {
                let task = try await harness.service.submit(
                    tool, input: sampleInputs[tool]!, options: harness.options)
                ids.append(task.id)
            }
            try await harness.running([harness.worker("w1", lease: .seconds(6), concurrency: 4)]) {
                var claimedUntil: [String: Date] = [:]
                for id in ids {
                    claimedUntil[id] = try await harness.waitUntil(id) { $0.state == .running }.leaseExpiresAt
                }
                let latestClaim = try #require(claimedUntil.values.max())
                // Wait until a renewal round has passed every claim's expiry. The four are read in
                // one query, so a renewal cannot fall between two of them.
                let deadline = ContinuousClock.now + .seconds(30)
                var expiries: [Date] = []
                repeat {
                    try await Task.sleep(for: .milliseconds(100))
                    expiries = try await harness.store.list(TaskQuery(limit: 10)).compactMap(\.leaseExpiresAt)
                } while !(expiries.count == ids.count && expiries.allSatisfy { $0 > latestClaim }
                    && Set(expiries).count == 1) && ContinuousClock.now < deadline
                #expect(expiries.allSatisfy { $0 > latestClaim }, "every lease was renewed")
                // Renewed one by one, each lease would get its own expiry.
                #expect(Set(expiries).count == 1, "renewed in one call: \(expiries)")
            }
        }
    }

    @Test("a worker stops driving a task at the renewal that finds another worker holds it")
    func stopsWhenTakenOver() async throws {
        try await withTaskHarness(.sqlite, script: MockJobScript(polls: 10_000)) { harness in
            let task = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            try await harness.running([harness.worker("w1", lease: .seconds(3))]) {
                _ = try await harness.waitUntil(task.id) { $0.state == .running && $0.polls > 0 }
                // Another worker takes the task over (as after this one stalled past its lease).
                _ = try await harness.store.update(id: task.id) {
                    $0.leaseOwner = "w2"
                    $0.leaseExpiresAt = Date().addingTimeInterval(600)
                }
                // Within a renewal (every 1 s) w1 stops polling; give a loaded machine time.
                let deadline = ContinuousClock.now + .seconds(30)
                var polls = harness.mock.stats.polls
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: .seconds(1.5))
                    let now = harness.mock.stats.polls
                    if now == polls { break }
                    polls = now
                }
                #expect(ContinuousClock.now < deadline, "w1 kept polling a task it no longer holds")
                let after = try await harness.service.status(task.id)
                #expect(after.leaseOwner == "w2")
                #expect(after.state == .running, "w1 neither finished nor failed it")
            }
        }
    }
}
