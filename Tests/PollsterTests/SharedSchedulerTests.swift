import Foundation
import PollsterCore
import PollsterMock
import Synchronization
import Testing

@testable import Pollster

/// `Pollster.run()` hosts the scheduler that single `invoke` calls share: while it runs, their
/// polls are sent by its loop, not from the callers' tasks; stopping it hands every job back to
/// its caller; a canceled caller's job is dropped and its `maxConcurrent` slot freed at once.
@Suite("Shared scheduler (Pollster.run)")
struct SharedSchedulerTests {
    static let tool = "heygen.create_avatar_video_v2"

    @Test("while run() hosts, 20 invokes succeed, every poll sent by the loop, none submitted twice")
    func pollsInTheLoop() async throws {
        try await withSpiedEngine(script: MockJobScript(polls: 3)) { pollster, mock, spy in
            let host = Task { try await pollster.run() }
            try await waitUntilHosting(pollster)
            try await Self.invokeAll(20, pollster, fastOptions(mock))
            host.cancel()
            try await host.value
            #expect(mock.stats.submissions == 20)
            #expect(spy.count(.poll, fromCaller: true) == 0, "no poll from a caller's task")
            #expect(spy.count(.poll, fromCaller: false) == 60)
            #expect(spy.count(.other, fromCaller: false) == 0, "submits and downloads from the callers")
            #expect(spy.count(.other, fromCaller: true) == 40)
        }
    }

    @Test("without run(), each invoke polls from its own task")
    func pollsInTheCaller() async throws {
        try await withSpiedEngine(script: MockJobScript(polls: 3)) { pollster, mock, spy in
            try await Self.invokeAll(5, pollster, fastOptions(mock))
            #expect(spy.count(.poll, fromCaller: true) == 15)
            #expect(spy.count(.poll, fromCaller: false) == 0)
        }
    }

    @Test("stopping run() hands the jobs back: every invoke still succeeds, none submitted twice")
    func stoppingHandsBack() async throws {
        // 20 polls 50 ms apart: long enough to stop the host mid-way, light beside other suites.
        try await withSpiedEngine(script: MockJobScript(polls: 20)) { pollster, mock, spy in
            let host = Task { try await pollster.run() }
            try await waitUntilHosting(pollster)
            var options = fastOptions(mock)
            options.pollInterval = .milliseconds(50)
            let calls = Task { [options] in try await Self.invokeAll(10, pollster, options) }
            try await eventually("every job polled by the loop a few times") {
                let polls = mock.stats.pollsByJob
                return polls.count == 10 && polls.values.allSatisfy { $0 >= 3 }
            }
            host.cancel()
            try await host.value
            #expect(!pollster.shared.isHosting)
            try await calls.value
            #expect(mock.stats.submissions == 10)
            #expect(spy.count(.poll, fromCaller: false) >= 30)
            #expect(spy.count(.poll, fromCaller: true) > 0, "the callers polled on after the stop")
        }
    }

    @Test("a canceled invoke ends at once; its job is dropped and its maxConcurrent slot freed")
    func cancelFreesTheSlot() async throws {
        let registry = try BatchLimitTests.heygen(limits: "{ maxConcurrent: 1 }")
        try await withSpiedEngine(script: MockJobScript(polls: 1), registry: registry) { pollster, mock, _ in
            let host = Task { try await pollster.run() }
            try await waitUntilHosting(pollster)
            // The first job's next poll is 30 s away: until then only a cancel frees its slot.
            var slow = fastOptions(mock)
            slow.pollInterval = .seconds(30)
            mock.enqueue(MockJobScript(polls: 1_000))
            let first = Task {
                try await pollster.invoke(Self.tool, input: sampleInputs[Self.tool]!, options: slow)
            }
            try await eventually("the first job was submitted") { mock.stats.submissions == 1 }
            try await Task.sleep(for: .milliseconds(300))
            first.cancel()
            let error = await #expect(throws: PollsterError.self) { try await first.value }
            #expect(error?.code == .canceled)
            let started = ContinuousClock.now
            let second = try await pollster.invoke(
                Self.tool, input: sampleInputs[Self.tool]!, options: fastOptions(mock))
            #expect(second.state == .succeeded)
            #expect(ContinuousClock.now - started < .seconds(25), "the slot did not wait for the next poll")
            #expect(mock.stats.pollsByJob.count == 1, "the canceled job was never polled")
            host.cancel()
            try await host.value
        }
    }

    @Test("run() refuses to run twice at once for one engine")
    func oneHost() async throws {
        try await withSpiedEngine(script: MockJobScript(polls: 1)) { pollster, _, _ in
            let host = Task { try await pollster.run() }
            try await waitUntilHosting(pollster)
            let error = await #expect(throws: PollsterError.self) { try await pollster.run() }
            #expect(error?.code == .internal)
            host.cancel()
            try await host.value
        }
    }

    static func invokeAll(_ count: Int, _ pollster: Pollster, _ options: InvokeOptions) async throws {
        try await withThrowingTaskGroup(of: ToolResult.self) { calls in
            for index in 0..<count {
                calls.addTask {
                    try await TaskSpy.$caller.withValue(index) {
                        try await pollster.invoke(
                            Self.tool, input: sampleInputs[Self.tool]!, options: options)
                    }
                }
            }
            for try await result in calls { #expect(result.state == .succeeded) }
        }
    }
}

private func waitUntilHosting(_ pollster: Pollster) async throws {
    try await eventually("run() hosts the shared scheduler") { pollster.shared.isHosting }
}

private func eventually(_ what: String, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(60)
    while !condition() {
        try #require(ContinuousClock.now < deadline, "\(what)")
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// The mock provider and an engine whose transport notes which task sent each request.
private func withSpiedEngine(
    script: MockJobScript, registry: (any ToolRegistry)? = nil,
    _ body: (Pollster, MockProviderServer, TaskSpy) async throws -> Void
) async throws {
    let mock = try await MockProviderServer.start(defaultScript: script)
    let spy = TaskSpy()
    // The shipped HeyGen adapter allows 3 jobs and 5 requests/s; these tests want many at once.
    let pollster = Pollster(
        registry: try registry ?? JobSchedulerTests.unlimited(), transport: spy,
        secrets: testSecrets, urlPolicy: URLPolicy(allowPrivateNetworks: true), logger: quietLogger)
    do {
        try await body(pollster, mock, spy)
    } catch {
        try? await spy.inner.shutdown()
        try? await mock.shutdown()
        throw error
    }
    try await spy.inner.shutdown()
    try await mock.shutdown()
}

/// A real transport that notes, for each request, whether it was sent from a caller's task
/// (which sets `caller`) or from another one (the shared scheduler's loop).
private final class TaskSpy: Transport {
    enum Kind { case poll, other }

    @TaskLocal static var caller: Int?

    let inner = HTTPClientTransport()
    private let sent = Mutex<[(kind: Kind, fromCaller: Bool)]>([])

    func count(_ kind: Kind, fromCaller: Bool) -> Int {
        sent.withLock { $0.filter { $0.kind == kind && $0.fromCaller == fromCaller }.count }
    }

    private func note(_ request: TransportRequest) {
        let kind: Kind = request.url.contains("video_status") ? .poll : .other
        sent.withLock { $0.append((kind, Self.caller != nil)) }
    }

    func stream<Result>(
        _ request: TransportRequest, _ handle: (TransportResponseHead, TransportBody) async throws -> Result
    ) async throws -> Result {
        note(request)
        return try await inner.stream(request, handle)
    }

    func send(_ request: TransportRequest, maxBodyBytes: Int) async throws -> TransportResponse {
        note(request)
        return try await inner.send(request, maxBodyBytes: maxBodyBytes)
    }
}
