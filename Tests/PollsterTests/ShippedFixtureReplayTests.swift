import Foundation
import Pollster
import PollsterCore
import PollsterTesting
import Testing

/// Recorded exchanges of the four simple-shape providers, replayed through the shipped adapters.
@Suite("Shipped providers (replay)")
struct ShippedFixtureReplayTests {
    @Test(
        "a recorded success yields its files, found where expected, with every exchange used",
        arguments: [
            ("heygen/success.json", 1, "video/mp4", "data.video_id", "data.video_url"),
            ("heygen/html-502-then-success.json", 1, "video/mp4", "data.video_id", "data.video_url"),
            ("fal/success.json", 1, "image/png", "request_id", "images[0].url"),
            ("runway/success.json", 1, "video/mp4", "id", "output[0]"),
            ("replicate/success.json", 1, "image/png", "id", "output"),
            ("replicate/output-array.json", 2, "image/png", "id", "output[0]"),
        ])
    func success(fixture: String, files: Int, mimeType: String, taskIdPath: String, outputPath: String)
        async throws
    {
        let run = try await replay(fixture)
        let result = try run.result.get()
        #expect(result.files.count == files)
        #expect(
            result.files.allSatisfy {
                $0.mimeType == mimeType && $0.sha256 != nil && $0.size == $0.bytes?.count
            })
        #expect(result.detection.taskId == taskIdPath)
        #expect(result.detection.outputs.first == outputPath)
        #expect(run.transport.unexpectedRequests.isEmpty)
        #expect(run.transport.remainingExchanges == 0)
    }

    @Test(
        "a recorded failure is TASK_FAILED with the provider's message",
        arguments: [
            ("heygen/failure.json", "Video is too long"),
            ("fal/failure.json", "Request timed out in queue"),
            ("fal/completed-with-error.json", "Internal server error while running the model"),
            ("runway/failure.json", "did not pass our content moderation"),
            ("replicate/failure.json", "CUDA out of memory"),
        ])
    func failure(fixture: String, message: String) async throws {
        let run = try await replay(fixture)
        let error = try #require(run.error, "expected a failure")
        #expect(error.code == .taskFailed)
        #expect(error.message.contains(message))
        #expect(run.transport.unexpectedRequests.isEmpty)
    }

    @Test(
        "an unknown status times out and the error names it",
        arguments: [
            ("heygen/unknown-status.json", "rendering_v3"),
            ("fal/unknown-status.json", "PAUSED_FOR_MAINTENANCE"),
            ("runway/unknown-status.json", "ARCHIVED"), ("replicate/unknown-status.json", "booting"),
        ])
    func unknownStatus(fixture: String, value: String) async throws {
        let run = try await replay(fixture, maxWait: .milliseconds(20))
        let error = try #require(run.error, "expected a failure")
        #expect(error.code == .pollingTimeout)
        #expect(error.unknownStatuses == [value])
        #expect(error.message.contains(value))
        #expect(run.transport.unexpectedRequests.isEmpty)
    }

    @Test("explain shows where the id, each status and the output came from")
    func explainHeyGen() async throws {
        let fixture = try Fixture.load(path: "\(Repository.fixtures)/heygen/success.json")
        let lines = FixtureExplainer.explain(fixture)
        #expect(
            lines.contains { $0.contains("task id: 7a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5 (from data.video_id)") })
        #expect(
            lines.contains {
                $0.contains("status 'processing' at data.status → running (default vocabulary)")
            })
        #expect(
            lines.contains {
                $0.contains("output: https://files2.heygen.ai/") && $0.contains("(at data.video_url)")
            })
        #expect(
            !lines.contains { $0.contains("output:") && $0.contains(".jpeg") },
            "the thumbnail is not an output")
    }

    @Test("the replay transport refuses a request that is not the next one recorded")
    func unexpectedRequest() async throws {
        let fixture = try Fixture.load(path: "\(Repository.fixtures)/heygen/success.json")
        let transport = ReplayTransport(fixture: fixture)
        await #expect(throws: TransportFailure.self) {
            _ = try await transport.send(
                TransportRequest(method: "GET", url: "https://api.heygen.com/v1/other"))
        }
        #expect(transport.unexpectedRequests.count == 1)
        #expect(
            transport.unexpectedRequests.first?.contains(
                "expected POST https://api.heygen.com/v2/video/generate") == true)
    }
}
