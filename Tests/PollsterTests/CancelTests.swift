import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// Canceling provider jobs: on request, and on a polling timeout when configured.
@Suite("Cancel")
struct CancelTests {
    @Test(
        "a running job is canceled from its id alone (no submit response) and the provider confirms",
        arguments: [
            ("runway.image_to_video", "DELETE", 204, "/v1/tasks/{id}"),
            ("replicate.create_prediction", "POST", 200, "/v1/predictions/{id}/cancel"),
            ("fal.fast_sdxl", "PUT", 202, "/fal-ai/fast-sdxl/requests/{id}/cancel"),
            ("fal.kling_text_to_video", "PUT", 202, "/fal-ai/kling-video/requests/{id}/cancel"),
        ])
    func cancelById(tool: String, method: String, status: Int, path: String) async throws {
        try await withMockEngine(script: MockJobScript(polls: 50)) { pollster, mock in
            var options = fastOptions(mock, maxWait: .milliseconds(100))
            options.pollInterval = .milliseconds(30)
            let error = await pollsterError {
                try await pollster.invoke(
                    tool, input: sampleInputs[tool] ?? ["prompt": "a lighthouse"], options: options)
            }
            let taskId = try #require(error?.taskId)
            let result = try await pollster.cancel(tool, taskId: taskId, baseUrlOverride: mock.baseURL)
            #expect(result.confirmed)
            #expect(result.httpStatus == status)
            let cancels = mock.stats.requests.filter { $0.method == method && $0.path != "/v1/predictions" }
            #expect(cancels.map(\.path) == [path.replacingOccurrences(of: "{id}", with: taskId)])
        }
    }

    @Test(
        "cancel.onTimeout cancels the job at the provider and says so",
        arguments: ["fal.fast_sdxl", "replicate.create_prediction"])
    func cancelOnTimeout(tool: String) async throws {
        let registry = try registry(yaml: Self.withCancelOnTimeout(tool))
        try await withMockEngine(script: MockJobScript(polls: 100), registry: registry) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(
                    tool, input: sampleInputs[tool]!, options: fastOptions(mock, maxWait: .milliseconds(150)))
            }
            #expect(error?.code == .pollingTimeout)
            #expect(error?.message.contains("canceled at the provider") == true)
            let cancels = mock.stats.requests.filter { $0.path.hasSuffix("/cancel") }
            #expect(cancels.count == 1)
        }
    }

    @Test("a method without cancel says so")
    func noCancel() async throws {
        try await withMockEngine { pollster, _ in
            let error = await pollsterError {
                try await pollster.cancel("heygen.create_avatar_video_v2", taskId: "abc")
            }
            #expect(error?.code == .invalidConfig)
            #expect(error?.message.contains("adapterConfig.cancel") == true)
        }
    }

    @Test("canceling the caller's own invocation is CANCELED, not TASK_CANCELED")
    func callerCanceled() async throws {
        try await withMockEngine(script: MockJobScript(polls: 10_000)) { pollster, mock in
            let options = fastOptions(mock)
            let error = await withTaskGroup(of: PollsterError?.self) { group in
                group.addTask {
                    await pollsterError {
                        try await pollster.invoke(
                            "runway.image_to_video", input: sampleInputs["runway.image_to_video"]!,
                            options: options)
                    }
                }
                while mock.stats.polls == 0 { try? await Task.sleep(for: .milliseconds(10)) }
                group.cancelAll()
                return await group.next() ?? nil
            }
            #expect(error?.code == .canceled, "\(String(describing: error))")
            #expect(error?.message.contains("canceled by the caller") == true)
        }
    }

    /// The shipped adapter of `tool` with `cancel.onTimeout: true`.
    static func withCancelOnTimeout(_ tool: String) throws -> String {
        let inventory = tool.split(separator: ".")[0]
        let text = try String(contentsOfFile: "\(Repository.adapters)/\(inventory).yaml", encoding: .utf8)
        return text.replacingOccurrences(of: "method: PUT }", with: "method: PUT, onTimeout: true }")
            .replacingOccurrences(of: "method: POST }", with: "method: POST, onTimeout: true }")
    }
}
