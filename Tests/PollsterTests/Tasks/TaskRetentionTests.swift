import Foundation
import Pollster
import PollsterCore
import Testing

@Suite("Durable tasks: retention")
struct TaskRetentionTests {
    @Test("purge deletes finished tasks older than the date, with their files; unfinished ones stay")
    func purge() async throws {
        try await withTaskHarness(.sqlite) { harness in
            let done = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            let finished = try await harness.running([harness.worker("w1")]) {
                try await harness.service.wait(done.id, timeout: .seconds(60))
            }
            let path = try #require(finished.result?.files.first?.path)
            #expect(FileManager.default.fileExists(atPath: path))
            let waiting = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)

            #expect(try await harness.service.purge(finishedBefore: Date().addingTimeInterval(-3600)) == 0)
            #expect(FileManager.default.fileExists(atPath: path), "a recent task is kept")
            #expect(try await harness.service.purge(finishedBefore: Date().addingTimeInterval(1)) == 1)
            #expect(!FileManager.default.fileExists(atPath: path))
            let gone = await pollsterError { try await harness.service.status(done.id) }
            #expect(gone?.code == .taskNotFound)
            #expect(try await harness.service.status(waiting.id).state == .queued)
        }
    }
}
