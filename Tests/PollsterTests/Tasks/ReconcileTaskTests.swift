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

    @Test("a lookup slower than the lease keeps the lease: no other worker takes the task, one lookup")
    func slowLookupKeepsLease() async throws {
        try await withTaskHarness(.sqlite) { harness in
            // The task reaches the provider through a proxy that holds the lookup's answer.
            let proxy = try await TCPProxy.start(to: "127.0.0.1", port: harness.mock.port)
            var options = harness.options
            options.baseUrlOverride = "http://127.0.0.1:\(proxy.port)"
            let task = try await harness.service.submit(
                Self.heygen, input: sampleInputs[Self.heygen]!, options: options)
            var sent = InvokeOptions(
                baseUrlOverride: harness.mock.baseURL, idempotencyKey: task.idempotencyKey)
            sent.maxWait = .milliseconds(1)
            _ = try? await harness.pollster.invoke(Self.heygen, input: task.input, options: sent)
            try await Self.interrupt(task.id, in: harness)

            proxy.pause()
            // Long enough that a loaded machine still renews within it (every lease/3; 3 s lapsed
            // twice under the full suite beside a build).
            let lease = Duration.seconds(6)
            let done = try await harness.running([
                harness.worker("w2", lease: lease), harness.worker("w3", lease: lease),
            ]) {
                let held = try await harness.waitUntil(task.id) { $0.leaseOwner != nil }
                try await Task.sleep(for: lease * 2)
                let later = try await harness.service.status(task.id)
                #expect(later.state == .submitting, "still looking the job up")
                #expect(later.leaseOwner == held.leaseOwner, "the lease was renewed, not taken over")
                // Renewed since it was taken (a wall-clock comparison with now would also test
                // how promptly a loaded machine schedules the renewal).
                #expect(try #require(later.leaseExpiresAt) > #require(held.leaseExpiresAt))
                proxy.resume()
                return try await harness.service.wait(task.id, timeout: .seconds(60))
            }
            try await proxy.shutdown()
            #expect(done.state == .succeeded, "\(done.error?.message ?? "")")
            #expect(done.checkpoint?.foundByReference == true)
            #expect(harness.mock.stats.jobsCreated == 1, "one provider job")
            let lookups = harness.mock.stats.requests.filter { $0.path.hasPrefix("/v1/video.list") }
            #expect(lookups.count == 1, "one worker looked the job up")
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
