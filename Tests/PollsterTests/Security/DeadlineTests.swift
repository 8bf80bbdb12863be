import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// `polling.maxWaitSeconds` bounds the whole invocation even while a status request is in
/// flight: AsyncHTTPClient's deadline stops at the response head and its read timeout (60 s)
/// restarts with every byte, so a provider that answers slowly must be cut by our own
/// deadline (issue 12).
@Suite("Security: the deadline cuts a slow status answer")
struct DeadlineTests {
    /// A Runway-shaped method that gives up after 3 s.
    static let adapter = """
        inventory: slow
        baseUrl: https://api.dev.runwayml.com
        methods:
          - name: video
            endpoint: /v1/image_to_video
            adapterConfig:
              headers: { X-Runway-Version: "2024-11-06" }
              auth: { type: bearer, token: "${RUNWAYML_API_SECRET}" }
              polling: { statusUrl: "/v1/tasks/{id}", intervalSeconds: 0.02, maxWaitSeconds: 3 }
        """

    @Test(
        "a status endpoint that trickles its body or never answers ends with POLLING_TIMEOUT at the deadline",
        .timeLimit(.minutes(1)),
        arguments: [MockFault.trickle(bytesPerSecond: 1), .noAnswer])
    func slowStatus(fault: MockFault) async throws {
        var faults: [Int: MockFault] = [:]
        for poll in 1...20 { faults[poll] = fault }
        let script = MockJobScript(polls: 3, faults: faults)
        try await withMockEngine(script: script, registry: try registry(yaml: Self.adapter)) {
            pollster, mock in
            let started = ContinuousClock.now
            let error = await pollsterError {
                try await pollster.invoke(
                    "slow.video", input: runwayInput, options: InvokeOptions(baseUrlOverride: mock.baseURL))
            }
            let elapsed = ContinuousClock.now - started
            #expect(error?.code == .pollingTimeout, "\(error.map { "\($0)" } ?? "succeeded")")
            #expect(elapsed >= .seconds(2.5), "ended at the deadline, not before: \(elapsed)")
            #expect(
                elapsed < .seconds(15), "ended near the 3 s deadline, not the 60 s read timeout: \(elapsed)")
            #expect(mock.stats.polls >= 1, "the status endpoint was reached")
        }
    }
}
