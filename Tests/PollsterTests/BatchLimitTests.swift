import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// Batches under provider limits: `maxConcurrent` holds at the provider, 429 bursts are absorbed.
@Suite("Batch and limits")
struct BatchLimitTests {
    static func heygen(limits: String, submit: String = "{}") throws -> YAMLRegistry {
        try registry(
            yaml: """
                inventory: heygen
                baseUrl: https://api.heygen.com
                limits: \(limits)
                methods:
                  - name: create_avatar_video_v2
                    endpoint: /v2/video/generate
                    adapterConfig:
                      headers: { X-Api-Key: "${HEYGEN_API_KEY}" }
                      submit: \(submit)
                      polling: { statusUrl: "/v1/video_status.get?video_id={id}" }
                """)
    }

    static let items = (1...10).map {
        BatchItem(
            tool: "heygen.create_avatar_video_v2", input: sampleInputs["heygen.create_avatar_video_v2"]!,
            id: "job-\($0)")
    }

    @Test("with maxConcurrent 2, a batch of 10 never has more than 2 jobs at the provider")
    func maxConcurrentHolds() async throws {
        let registry = try Self.heygen(limits: "{ maxConcurrent: 2 }")
        try await withMockEngine(script: MockJobScript(polls: 3), registry: registry) { pollster, mock in
            var finished: [Int] = []
            let outcomes = await pollster.invokeBatch(
                Self.items, concurrency: 10, options: fastOptions(mock),
                onOutcome: { finished.append($0.index) })
            #expect(outcomes.count == 10)
            #expect(outcomes.map(\.index) == Array(0..<10))
            #expect(outcomes.allSatisfy { if case .success = $0.result { true } else { false } })
            #expect(finished.count == 10)
            let stats = mock.stats
            #expect(stats.submissions == 10)
            #expect(stats.maxConcurrentJobs == 2)
        }
    }

    @Test("a burst of 429s while polling is absorbed without failing the batch")
    func pollRateLimitsAbsorbed() async throws {
        let registry = try Self.heygen(limits: "{ maxConcurrent: 4, requestsPerSecond: 50 }")
        let script = MockJobScript(polls: 2, faults: [1: .rateLimited(retryAfterSeconds: 1)])
        try await withMockEngine(script: script, registry: registry) { pollster, mock in
            let outcomes = await pollster.invokeBatch(
                Array(Self.items.prefix(5)), concurrency: 5, options: fastOptions(mock))
            #expect(outcomes.allSatisfy { if case .success = $0.result { true } else { false } })
            #expect(mock.stats.submissions == 5)
            #expect(mock.stats.requests.filter { $0.path.hasPrefix("/v1/video_status") }.count == 15)
        }
    }

    @Test("429s on submit are retried when submit.retryOn lists 429, and no job is created twice")
    func submitRateLimitsRetried() async throws {
        let registry = try Self.heygen(limits: "{ maxConcurrent: 5 }", submit: "{ retryOn: [429] }")
        try await withMockEngine(script: MockJobScript(polls: 1), registry: registry) { pollster, mock in
            for _ in 0..<3 { mock.enqueue(MockJobScript(submitFault: .rateLimited(retryAfterSeconds: 1))) }
            let outcomes = await pollster.invokeBatch(Self.items, concurrency: 10, options: fastOptions(mock))
            #expect(outcomes.allSatisfy { if case .success = $0.result { true } else { false } })
            let submits = mock.stats.requests.filter { $0.method == "POST" }.count
            #expect(submits == 13)
            #expect(Set(outcomes.compactMap { try? $0.result.get().taskId }).count == 10)
        }
    }

    @Test("a failed item does not stop the others")
    func failureIsolated() async throws {
        try await withMockEngine(script: MockJobScript(polls: 1)) { pollster, mock in
            mock.enqueue(MockJobScript(polls: 1, outcome: .failure(message: "bad prompt")))
            let outcomes = await pollster.invokeBatch(
                Array(Self.items.prefix(4)), concurrency: 1, options: fastOptions(mock))
            let failures = outcomes.filter { if case .failure = $0.result { true } else { false } }
            #expect(failures.count == 1)
            #expect(failures.first?.index == 0)
        }
    }
}
