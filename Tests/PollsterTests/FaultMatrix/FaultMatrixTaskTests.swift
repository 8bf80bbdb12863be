import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// The fault matrix through durable tasks (`submit` + `worker`): the same faults end in the
/// same states, and a lost output is fetched again without a second provider job.
@Suite("Fault matrix through durable tasks")
struct FaultMatrixTaskTests {
    @Test(
        "a fault ends the task in the matching state",
        arguments: [
            (MockJobScript(polls: 1, submitFault: .serverError(status: 500)), TaskState.submitUncertain, 0),
            (MockJobScript(polls: 1, outcome: .canceled), .canceled, 1),
            (MockJobScript(polls: 1, outcome: .failure(message: "no")), .failed, 1),
            (MockJobScript(polls: 1, outcome: .unknownStatus("frobnicating")), .timedOut, 1),
            (MockJobScript(polls: 2, faults: [1: .failedStatus(status: 500)]), .failed, 1),
            (
                MockJobScript(
                    polls: 2, faults: [1: .truncatedJSON], fileFaults: [1: .cutBody(afterBytes: 100)]),
                .succeeded, 1
            ),
        ])
    func endsInState(script: MockJobScript, state: TaskState, jobs: Int) async throws {
        try await withTaskHarness(.sqlite, script: script) { harness in
            var options = harness.options
            // Only the unknown status needs the deadline; the others end long before it.
            options.maxWaitSeconds = state == .timedOut ? 2 : 30
            let task = try await harness.service.submit(runwayTool, input: runwayInput, options: options)
            let done = try await harness.running([harness.worker("w1")]) {
                try await harness.service.wait(task.id, timeout: .seconds(60))
            }
            #expect(done.state == state, "\(String(describing: done.error))")
            #expect(harness.mock.stats.jobsCreated == jobs)
        }
    }

    @Test("a failed download is retried by the worker from the stored result, without a new job")
    func workerRetriesDownload() async throws {
        let script = MockJobScript(polls: 1, fileFaults: [1: .notFound])
        try await withTaskHarness(.sqlite, script: script) { harness in
            let task = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            let worker = Self.worker(harness, rounds: 2)
            let done = try await harness.running([worker]) {
                try await harness.service.wait(task.id, timeout: .seconds(60))
            }
            #expect(done.state == .succeeded, "\(String(describing: done.error))")
            #expect(done.result?.files.count == 1)
            #expect(harness.mock.stats.jobsCreated == 1)
            #expect(harness.mock.stats.downloads == 2)
        }
    }

    @Test("retry of a DOWNLOAD_FAILED task downloads again and makes no second provider job")
    func retryRedownloads() async throws {
        let script = MockJobScript(polls: 1, fileFaults: [1: .notFound])
        try await withTaskHarness(.sqlite, script: script) { harness in
            let task = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            let worker = Self.worker(harness, rounds: 1)
            try await harness.running([worker]) {
                let failed = try await harness.service.wait(task.id, timeout: .seconds(60))
                #expect(failed.state == .failed)
                #expect(failed.error?.code == .downloadFailed)
                let providerJob = try #require(failed.providerTaskId)
                let pollsBefore = harness.mock.stats.polls
                _ = try await harness.service.retry(task.id)
                let done = try await harness.service.wait(task.id, timeout: .seconds(60))
                #expect(done.state == .succeeded, "\(String(describing: done.error))")
                #expect(done.providerTaskId == providerJob)
                #expect(done.result?.files.count == 1)
                #expect(harness.mock.stats.polls == pollsBefore, "the stored result is used, no polling")
            }
            #expect(harness.mock.stats.jobsCreated == 1)
        }
    }

    static func worker(_ harness: TaskHarness, rounds: Int) -> TaskWorker {
        TaskWorker(
            store: harness.store, pollster: harness.pollster,
            configuration: TaskWorker.Configuration(
                id: "w1", concurrency: 4, lease: .seconds(10), idleDelay: .milliseconds(20),
                filesDirectory: harness.files, downloadRounds: rounds, downloadRetryDelay: .milliseconds(50)),
            logger: quietLogger)
    }
}
