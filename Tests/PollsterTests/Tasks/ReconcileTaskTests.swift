import Foundation
import Pollster
import PollsterCore
import PollsterMock
import PollsterSQLite
import PollsterTesting
import Testing

/// A worker meets a task left in `submitting` by a worker that stopped between sending the
/// submit and storing the answer: with `submit.reconcile` (the shipped HeyGen adapter) it
/// finds the job by the task's client reference and resumes it.
@Suite("Durable tasks: reconcile an interrupted submit", .postgresStores)
struct ReconcileTaskTests {
    static let heygen = "heygen.create_avatar_video_v2"

    /// Stores `submitting` as a worker does before sending, with no lease left: as it is after
    /// that worker died.
    static func interrupt(_ id: String, in harness: TaskHarness) async throws {
        _ = try await harness.store.update(id: id) { task in
            task.state = .submitting
            task.leaseOwner = nil
            task.leaseExpiresAt = nil
        }
    }

    @Test(
        "the job the dead worker created is found and the task succeeds, with one provider job",
        arguments: TaskStoreTests.Kind.allCases)
    func jobIsFound(_ kind: TaskStoreTests.Kind) async throws {
        try await withTaskHarness(kind) { harness in
            let task = try await harness.service.submit(
                Self.heygen, input: sampleInputs[Self.heygen]!, options: harness.options)
            // What the dead worker sent: the submit with the task's reference, whose answer it never stored.
            var sent = InvokeOptions(
                baseUrlOverride: harness.mock.baseURL, idempotencyKey: task.idempotencyKey)
            sent.maxWait = .milliseconds(1)
            _ = try? await harness.pollster.invoke(Self.heygen, input: task.input, options: sent)
            #expect(harness.mock.stats.jobsCreated == 1)
            try await Self.interrupt(task.id, in: harness)

            let done = try await harness.running([harness.worker("w2")]) {
                try await harness.service.wait(task.id, timeout: .seconds(60))
            }
            #expect(done.state == .succeeded, "\(done.error?.message ?? "")")
            #expect(harness.mock.stats.jobsCreated == 1, "not submitted again")
            #expect(done.providerTaskId != nil)
            #expect(done.checkpoint?.foundByReference == true)
            #expect(done.result?.files.isEmpty == false)
        }
    }

    @Test("no job carries the reference: the task ends submit_uncertain saying what the lookup saw")
    func nothingFound() async throws {
        try await withTaskHarness(.sqlite) { harness in
            let task = try await harness.service.submit(
                Self.heygen, input: sampleInputs[Self.heygen]!, options: harness.options)
            try await Self.interrupt(task.id, in: harness)
            let done = try await harness.running([harness.worker("w2")]) {
                try await harness.service.wait(task.id, timeout: .seconds(60))
            }
            #expect(done.state == .submitUncertain)
            #expect(
                done.error?.message.contains("found nothing: no job listed carries the reference") == true)
            #expect(harness.mock.stats.jobsCreated == 0, "never submitted blindly")
        }
    }

    @Test(
        "pollster worker killed -9 between sending the submit and storing the answer: the replacement resumes the job"
    )
    func killedMidSubmit() async throws {
        let directory = try TemporaryDirectory.make("reconcile")
        defer { TemporaryDirectory.remove(directory) }
        let path = directory.appendingPathComponent("tasks.sqlite").path
        let store = try SQLiteTaskStore(path: path)
        var script = MockJobScript(polls: 2)
        // The job is created and the answer never comes: the worker waits on it when killed.
        script.lostSubmitAnswer = .noAnswer
        try await withMockEngine(script: script) { engine, mock in
            let service = TaskService(store: store, pollster: engine)
            let task = try await service.submit(
                Self.heygen, input: sampleInputs[Self.heygen]!,
                options: TaskOptions(baseUrlOverride: mock.baseURL, pollIntervalSeconds: 0.1))
            let arguments = [
                "--sqlite", path, "--adapters", Repository.adapters, "--allow-private-networks", "--lease",
                "1",
                "--files", directory.appendingPathComponent("files").path,
            ]
            let environment = ["HEYGEN_API_KEY": "heygen-test-key"]
            let first = try workerProcess(arguments, environment: environment)
            try await until(timeout: .seconds(60)) { mock.stats.jobsCreated == 1 }
            #expect(try await service.status(task.id).state == .submitting, "killed mid-submit")
            first.kill()

            let second = try workerProcess(arguments, environment: environment)
            let done = try await service.wait(task.id, timeout: .seconds(60))
            #expect(second.stop() == 0)
            #expect(done.state == .succeeded, "\(done.error?.message ?? "")\n\(second.log)")
            #expect(mock.stats.jobsCreated == 1, "one provider job")
            #expect(done.checkpoint?.foundByReference == true)
        }
    }
}
