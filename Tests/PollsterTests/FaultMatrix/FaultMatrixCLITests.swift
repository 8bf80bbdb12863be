import Foundation
import PollsterCore
import PollsterMock
import PollsterTesting
import Testing

/// A sample of the fault matrix through the `pollster` executable: the exit code, and with
/// `--json` the error object on standard output that an agent reads.
@Suite("Fault matrix through the CLI")
struct FaultMatrixCLITests {
    static let tool = "heygen.create_avatar_video_v2"

    @Test(
        "invoke exits with the fault's code and prints it as JSON",
        arguments: [
            (MockJobScript(polls: 1, submitFault: .serverError(status: 500)), "SUBMIT_UNCERTAIN", Int32(30)),
            (MockJobScript(polls: 1, outcome: .canceled), "TASK_CANCELED", 21),
            (MockJobScript(polls: 1, outcome: .failure(message: "no avatar")), "TASK_FAILED", 20),
            (MockJobScript(polls: 1, fileFault: .notFound), "DOWNLOAD_FAILED", 25),
        ])
    func exitCodes(script: MockJobScript, code: String, exitCode: Int32) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-cli-matrix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try await MockProviderServer.start(defaultScript: script)
        let run = try await CLITests.run(
            [
                "invoke", Self.tool, "--input", #"{"video_inputs": [{"character": {"type": "avatar"}}]}"#,
                "--json", "--poll-interval", "0.02", "--max-wait", "20", "--output", directory.path,
                "--adapters", Repository.adapters, "--base-url", mock.baseURL, "--allow-private-networks",
            ], environment: ["HEYGEN_API_KEY": "heygen-test-key"])
        let stats = mock.stats
        try await mock.shutdown()
        #expect(run.status == exitCode, "\(run.error)")
        let printed = try JSONParser.parse(run.output.trimmingCharacters(in: .whitespacesAndNewlines))
        let error = try #require(printed["error"])
        #expect(error["code"]?.stringValue == code)
        #expect(error["exitCode"]?.scalarText == String(exitCode))
        #expect(error["message"]?.stringValue?.isEmpty == false)
        switch code {
        case "SUBMIT_UNCERTAIN":
            #expect(error["provider"]?["status"]?.scalarText == "500")
            #expect(error["requestFingerprint"]?.stringValue?.count == 64)
            #expect(stats.jobsCreated == 0)
        case "DOWNLOAD_FAILED":
            #expect(error["taskId"]?.stringValue != nil)
            #expect(error["outputs"]?.arrayValue?.count == 1)
            #expect(stats.jobsCreated == 1)
        default:
            #expect(error["taskId"]?.stringValue != nil)
            #expect(stats.jobsCreated == 1)
        }
        #expect(run.output.contains("heygen-test-key") == false)
    }
}
