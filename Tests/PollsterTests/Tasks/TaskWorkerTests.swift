import Crypto
import Foundation
import NIOHTTP1
import OrderedCollections
import Pollster
import PollsterCore
import PollsterMock
import ServiceLifecycle
import Testing

/// Durable tasks end to end: the library's `TaskService` and `TaskWorker` against the mock
/// provider over real HTTP, on the in-memory and SQLite stores (and PostgreSQL, for the cases
/// parameterized over every store kind).
@Suite("Durable tasks", .postgresStores)
struct TaskWorkerTests {
    @Test(
        "a submitted task runs to succeeded, its file on disk with its sha256",
        arguments: TaskStoreTests.Kind.allCases)
    func succeeds(_ kind: TaskStoreTests.Kind) async throws {
        try await withTaskHarness(kind) { harness in
            let task = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            #expect(task.state == .queued)
            #expect(
                try await harness.service.status(task.id).state == .queued, "nothing runs without a worker")
            let done = try await harness.running([harness.worker("w1")]) {
                try await harness.service.wait(task.id, timeout: .seconds(60))
            }
            #expect(done.state == .succeeded)
            #expect(done.providerTaskId != nil)
            #expect(done.polls >= 2)
            #expect(done.progress == 100)
            #expect(done.leaseOwner == nil)
            let file = try #require(done.result?.files.first)
            let path = try #require(file.path)
            #expect(path.hasPrefix("\(harness.files)/\(task.id)/"))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(file.sha256 == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            #expect(harness.mock.stats.submissions == 1)
        }
    }

    @Test(
        "a worker sends the stored input to the provider in the user's member order, as a direct invoke does",
        arguments: TaskStoreTests.Kind.allCases)
    func inputKeepsOrder(_ kind: TaskStoreTests.Kind) async throws {
        // create_prediction has no body template: the input is the submit body.
        let tool = "replicate.create_prediction"
        let text =
            #"{"version":"v1","input":{"prompt":"a cat","width":512,"seed":7,"aspect":"1:1","negative":"x"},"webhook_events_filter":["completed"]}"#
        let input = try JSONParser.parse(text)
        try await withTaskHarness(kind) { harness in
            _ = try await harness.pollster.invoke(tool, input: input, options: fastOptions(harness.mock))
            let task = try await harness.service.submit(tool, input: input, options: harness.options)
            let done = try await harness.running([harness.worker("w1")]) {
                try await harness.service.wait(task.id, timeout: .seconds(60))
            }
            #expect(done.state == .succeeded, "\(done.error?.message ?? "")")
            let submits = harness.mock.stats.requests.filter { $0.method == "POST" }.map(\.bodyText)
            #expect(submits == [text, text], "direct invoke, then the worker")
        }
    }

    @Test("events follow the task through its states to the end")
    func events() async throws {
        try await withTaskHarness(.memory, script: MockJobScript(polls: 4)) { harness in
            let task = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            let states = try await harness.running([harness.worker("w1")]) {
                var states: [TaskState] = []
                for try await update in harness.service.events(task.id, checkEvery: .milliseconds(5)) {
                    if states.last != update.state { states.append(update.state) }
                }
                return states
            }
            #expect(states.first == .queued)
            #expect(states.last == .succeeded)
            #expect(states.contains(.running))
            let order = TaskState.allCases
            let positions = states.compactMap { order.firstIndex(of: $0) }
            #expect(positions == positions.sorted(), "states only move forward: \(states)")
        }
    }

    @Test(
        "a failed task keeps the provider's message; retry makes a new provider job and keeps the history, which reads back as written"
    )
    func failAndRetry() async throws {
        try await withTaskHarness(
            .sqlite, script: MockJobScript(polls: 1, outcome: .failure(message: "GPU on fire"))
        ) { harness in
            let task = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            try await harness.running([harness.worker("w1")]) {
                let failed = try await harness.service.wait(task.id, timeout: .seconds(60))
                #expect(failed.state == .failed)
                #expect(failed.error?.code == .taskFailed)
                #expect(failed.error?.message.contains("GPU on fire") == true)
                let firstJob = try #require(failed.providerTaskId)

                harness.mock.enqueue(MockJobScript(polls: 1))
                let queued = try await harness.service.retry(task.id)
                #expect(queued.state == .queued && queued.attempt == 2)
                let done = try await harness.service.wait(task.id, timeout: .seconds(60))
                #expect(done.state == .succeeded)
                #expect(done.providerTaskId != firstJob)
                #expect(done.history.count == 1)
                #expect(done.history.first?.providerTaskId == firstJob)
                #expect(done.history.first?.state == .failed)
                #expect(done.history.first?.error?.message.contains("GPU on fire") == true)
                #expect(harness.mock.stats.submissions == 2)
            }
            let error = await pollsterError { try await harness.service.retry(task.id) }
            #expect(error?.code == .conflict, "a succeeded task is not retried")
            // The richest record here (history, error, checkpoint, result) reads back as written:
            // every field, the submit's bytes, the dates, and the member order of the JSON the
            // user and the provider wrote (`JSONEncoder` orders the other members at random).
            let stored = try await harness.service.status(task.id)
            let text = try TaskRecordCoding.encode(stored)
            let again = try TaskRecordCoding.decode(
                text, id: stored.id, leaseOwner: nil, leaseExpiresAt: nil, cancelRequested: false)
            let reencoded = try TaskRecordCoding.encode(again)
            #expect(
                try JSONWriter.canonical(JSONParser.parse(reencoded))
                    == JSONWriter.canonical(JSONParser.parse(text)))
            #expect(JSONWriter.string(again.input) == JSONWriter.string(stored.input))
            #expect(
                again.result.map { JSONWriter.string($0.data) }
                    == stored.result.map { JSONWriter.string($0.data) })
            #expect(again.checkpoint?.body == stored.checkpoint?.body && again.updatedAt == stored.updatedAt)
            #expect(again.history.first?.error == stored.history.first?.error)
        }
    }

    @Test("cancel of a running task reaches the provider")
    func cancelRunning() async throws {
        try await withTaskHarness(.sqlite, script: MockJobScript(polls: 10_000)) { harness in
            let task = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            // The lease is renewed every third of it, which is when a cancel is noticed; a short
            // lease can lapse on a loaded machine (it did at 3 s) and the task be driven (and
            // canceled) again.
            try await harness.running([harness.worker("w1", lease: .seconds(9))]) {
                _ = try await harness.waitUntil(task.id) { $0.state == .running && $0.polls > 0 }
                _ = try await harness.service.cancel(task.id)
                let canceled = try await harness.service.wait(task.id, timeout: .seconds(60))
                #expect(canceled.state == .canceled)
                #expect(canceled.error?.code == .taskCanceled)
                #expect(canceled.error?.message.contains("confirmed") == true)
            }
            let job = try #require(try await harness.service.status(task.id).providerTaskId)
            let cancels = harness.mock.stats.requests.filter { $0.method == "DELETE" }
            #expect(cancels.map(\.path) == ["/v1/tasks/\(job)"])
        }
    }

    @Test("cancel of a task downloading its outputs sends no cancel to the provider, whose job is done")
    func cancelDownloading() async throws {
        var script = MockJobScript(polls: 1)
        script.fileFault = .trickle(bytesPerSecond: 64)
        try await withTaskHarness(.sqlite, script: script) { harness in
            let task = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            try await harness.running([harness.worker("w1", lease: .seconds(9))]) {
                _ = try await harness.waitUntil(task.id) { $0.state == .downloading }
                _ = try await harness.service.cancel(task.id)
                let canceled = try await harness.service.wait(task.id, timeout: .seconds(60))
                #expect(canceled.state == .canceled)
                #expect(canceled.error?.message.contains("already succeeded") == true)
            }
            #expect(harness.mock.stats.requests.filter { $0.method == "DELETE" }.isEmpty)
        }
    }

    @Test("cancel of a queued task ends it at once; no worker submits it afterwards")
    func cancelQueued() async throws {
        try await withTaskHarness(.sqlite) { harness in
            let task = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            let canceled = try await harness.service.cancel(task.id)
            #expect(canceled.state == .canceled)
            let requeued = try await harness.service.retry(task.id)
            #expect(requeued.state == .queued && requeued.attempt == 2)
            let again = await pollsterError { try await harness.service.retry(task.id) }
            #expect(again?.code == .conflict, "a queued task is not retried again")
            #expect(try await harness.service.cancel(task.id).state == .canceled)
            // A task queued after it: once the worker has run that one, it has claimed past the
            // canceled task, which it must have skipped.
            let later = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            try await harness.running([harness.worker("w1")]) {
                _ = try await harness.waitUntil(later.id, timeout: .seconds(60)) { $0.state.isFinished }
            }
            #expect(try await harness.service.status(later.id).state == .succeeded)
            #expect(harness.mock.stats.submissions == 1, "only the later task was submitted")
            #expect(try await harness.service.status(task.id).state == .canceled)
            let error = await pollsterError { try await harness.service.cancel("no-such-task") }
            #expect(error?.code == .taskNotFound)
        }
    }

    @Test("a task whose worker died mid-submit becomes submit_uncertain; nothing is sent again")
    func uncertainSubmit() async throws {
        try await withTaskHarness(.sqlite) { harness in
            let task = try await orphan(runwayTool, in: harness, state: .submitting)
            let uncertain = try await harness.running([harness.worker("w2")]) {
                try await harness.waitUntil(task.id) { $0.state.isFinished }
            }
            #expect(uncertain.state == .submitUncertain)
            #expect(uncertain.error?.code == .submitUncertain)
            #expect(uncertain.error?.message.contains("pollster retry \(task.id)") == true)
            #expect(harness.mock.stats.submissions == 0)
        }
    }

    @Test("with submit.idempotencyHeader the interrupted submit is repeated with the same key: one job")
    func idempotentResubmit() async throws {
        let yaml = """
            inventory: idem
            baseUrl: http://127.0.0.1:9
            methods:
              - name: video
                endpoint: /v1/image_to_video
                adapterConfig:
                  headers: { X-Runway-Version: "2024-11-06" }
                  auth: { type: bearer, token: "${RUNWAYML_API_SECRET}" }
                  submit: { idempotencyHeader: Idempotency-Key }
                  polling: { statusUrl: "/v1/tasks/{id}", intervalSeconds: 1, maxWaitSeconds: 60 }
            """
        try await withTaskHarness(.sqlite, registry: try registry(yaml: yaml)) { harness in
            let task = try await orphan("idem.video", in: harness, state: .submitting)
            // The dead worker's POST did reach the provider.
            try await postRunwaySubmit(to: harness.mock, idempotencyKey: task.idempotencyKey)
            let done = try await harness.running([harness.worker("w2")]) {
                try await harness.waitUntil(task.id) { $0.state.isFinished }
            }
            #expect(done.state == .succeeded)
            #expect(harness.mock.stats.submissions == 1)
            #expect(harness.mock.stats.idempotentReplays == 1)
            let keys = harness.mock.stats.requests.filter { $0.method == "POST" }.map {
                $0.headers["idempotency-key"]
            }
            #expect(keys == [task.idempotencyKey, task.idempotencyKey])
        }
    }

    @Test(
        "a worker that dies while polling: another resumes the same provider job",
        arguments: TaskStoreTests.Kind.allCases)
    func resumeAfterCrash(_ kind: TaskStoreTests.Kind) async throws {
        try await withTaskHarness(kind, script: MockJobScript(polls: 30)) { harness in
            let task = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            let running = try await harness.running([harness.worker("w1", lease: .seconds(1))]) {
                try await harness.waitUntil(task.id) { $0.state == .running && $0.providerStatus != nil }
            }
            // w1 is gone without releasing anything; its lease runs out.
            #expect(running.leaseOwner == "w1")
            let done = try await harness.running([harness.worker("w2", lease: .seconds(1))]) {
                try await harness.waitUntil(task.id) { $0.state.isFinished }
            }
            #expect(done.state == .succeeded)
            #expect(done.providerTaskId == running.providerTaskId)
            #expect(harness.mock.stats.submissions == 1)
        }
    }

    @Test("a resumed job goes on from the polling progress stored with its checkpoint")
    func resumeFromPollingProgress() async throws {
        try await withTaskHarness(.sqlite) { harness in
            var progress = PollMachine.Progress()
            progress.polls = 7
            progress.scheduled = 8
            progress.seen = true
            let submitted = try await postRunwaySubmit(to: harness.mock, idempotencyKey: "resume-progress")
            let jobId = try #require(try JSONParser.parse(submitted.body)["id"]?.stringValue)
            let task = try await orphan(
                runwayTool, in: harness, state: .running,
                checkpoint: checkpoint(submitted, mock: harness.mock, progress: progress))
            // The provider forgot this one: after the stored progress saw it, a 404 means gone.
            let gone = try await orphan(
                runwayTool, in: harness, state: .running,
                checkpoint: checkpoint(
                    TransportResponse(status: 200, headers: [:], body: Array(#"{"id": "gone-1"}"#.utf8)),
                    mock: harness.mock, progress: progress))
            let (done, vanished) = try await harness.running([harness.worker("w2")]) {
                (
                    try await harness.waitUntil(task.id) { $0.state.isFinished },
                    try await harness.waitUntil(gone.id) { $0.state.isFinished }
                )
            }
            #expect(done.state == .succeeded)
            let pollsHere = try #require(harness.mock.stats.pollsByJob[jobId])
            #expect(done.result?.timings.polls == 7 + pollsHere, "the polls before the resume count")
            #expect(vanished.state == .failed)
            #expect(vanished.error?.code == .taskNotFound)
            #expect(harness.mock.stats.submissions == 1)
        }
    }

    @Test("graceful shutdown hands running tasks back at once; another worker finishes them")
    func gracefulShutdown() async throws {
        try await withTaskHarness(.sqlite, script: MockJobScript(polls: 25)) { harness in
            let task = try await harness.service.submit(
                runwayTool, input: runwayInput, options: harness.options)
            let worker = harness.worker("w1", lease: .seconds(60))
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(services: [worker], logger: quietLogger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                _ = try await harness.waitUntil(task.id) { $0.state == .running && $0.polls >= 1 }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let handedBack = try await harness.service.status(task.id)
            #expect(handedBack.state == .running)
            #expect(
                (handedBack.leaseExpiresAt ?? .distantFuture) <= Date(),
                "the lease was released, not left to expire")
            let done = try await harness.running([harness.worker("w2")]) {
                try await harness.waitUntil(task.id) { $0.state.isFinished }
            }
            #expect(done.state == .succeeded)
            #expect(harness.mock.stats.submissions == 1)
        }
    }

    @Test("limits.maxConcurrent holds across two workers with separate engines")
    func limitsAcrossWorkers() async throws {
        // runway.yaml: limits: { maxConcurrent: 2 }
        try await withTaskHarness(.sqlite, script: MockJobScript(polls: 3)) { harness in
            let transport = HTTPClientTransport()
            let second = Pollster(
                registry: harness.pollster.registry, transport: transport, secrets: testSecrets,
                urlPolicy: URLPolicy(allowPrivateNetworks: true), logger: quietLogger)
            var ids: [String] = []
            for _ in 0..<10 {
                ids.append(
                    try await harness.service.submit(runwayTool, input: runwayInput, options: harness.options)
                        .id)
            }
            try await harness.running([harness.worker("w1"), harness.worker("w2", engine: second)]) {
                for id in ids {
                    _ = try await harness.waitUntil(id, timeout: .seconds(60)) { $0.state.isFinished }
                }
            }
            try await transport.shutdown()
            let states = try await harness.service.list(TaskQuery(limit: 20)).map(\.state)
            #expect(states == Array(repeating: .succeeded, count: 10))
            #expect(harness.mock.stats.submissions == 10)
            #expect(harness.mock.stats.maxConcurrentJobs <= 2)
            #expect(harness.mock.stats.maxConcurrentJobs >= 1)
        }
    }

    @Test("bad input is refused before anything is stored or sent")
    func badInput() async throws {
        try await withTaskHarness(.sqlite) { harness in
            let unknown = await pollsterError {
                try await harness.service.submit("runway.no_such_method", input: runwayInput)
            }
            #expect(unknown?.code == .toolNotFound)
            let invalid = await pollsterError {
                try await harness.service.submit(runwayTool, input: ["model": "gen4_turbo"])
            }
            #expect(invalid?.code == .invalidInput)
            #expect(invalid?.message.contains("promptImage") == true)
            let huge = JSONValue.object([
                "promptImage": .string(String(repeating: "x", count: 2 << 20)), "model": "m",
            ])
            let oversized = await pollsterError { try await harness.service.submit(runwayTool, input: huge) }
            #expect(oversized?.code == .invalidInput)
            #expect(oversized?.message.contains("byte limit") == true)
            let stored = try await harness.service.list()
            #expect(stored.isEmpty)
            #expect(harness.mock.stats.submissions == 0)
        }
    }
}

/// Stores a task as a worker that died would have left it: in `state`, leased to a dead worker
/// whose lease has run out.
private func orphan(
    _ tool: String, in harness: TaskHarness, state: TaskState, checkpoint: TaskCheckpoint? = nil
) async throws -> TaskRecord {
    var task = TaskRecord(tool: tool, input: runwayInput, options: harness.options)
    task.state = state
    task.checkpoint = checkpoint
    task.leaseOwner = "dead-worker"
    task.leaseExpiresAt = Date().addingTimeInterval(-1)
    try await harness.store.insert(task)
    return task
}

/// The checkpoint a worker stores for a Runway submit answer, with where polling stood.
private func checkpoint(
    _ response: TransportResponse, mock: MockProviderServer, progress: PollMachine.Progress
)
    throws -> TaskCheckpoint
{
    var checkpoint = TaskCheckpoint(
        providerTaskId: try JSONParser.parse(response.body)["id"]?.stringValue,
        submitURL: "\(mock.baseURL)/v1/image_to_video", submittedAt: Date(), response: response)
    checkpoint.polling = progress
    return checkpoint
}

/// A Runway-shaped submit straight to the mock, as a worker's POST that got no answer stored.
@discardableResult
private func postRunwaySubmit(to mock: MockProviderServer, idempotencyKey: String) async throws
    -> TransportResponse
{
    let transport = HTTPClientTransport()
    let response = try await transport.send(
        TransportRequest(
            method: "POST", url: "\(mock.baseURL)/v1/image_to_video",
            headers: [
                "Authorization": "Bearer runway-test-key", "X-Runway-Version": "2024-11-06",
                "Content-Type": "application/json", "Idempotency-Key": idempotencyKey,
            ], body: Array(runwayInput.description.utf8)))
    try await transport.shutdown()
    #expect(response.status == 200)
    return response
}
