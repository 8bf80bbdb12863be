import Foundation
import PollsterCore
import Testing

/// Feeds the polling machine sequences of events and checks the actions it returns: every
/// polling rule of design.md ("Detection", "Polling schedule") without a network or a clock.
@Suite("PollMachine: events in, actions out")
struct PollMachineTests {
    /// What an action should be, compactly.
    enum Expected: Equatable, CustomStringConvertible {
        case poll(Double)
        case succeed
        case fail(PollsterError.Code)
        case timeOut

        var description: String {
            switch self {
            case .poll(let seconds): "poll after \(seconds) s"
            case .succeed: "succeed"
            case .fail(let code): "fail \(code.rawValue)"
            case .timeOut: "time out"
            }
        }

        init(_ action: PollMachine.Action) {
            switch action {
            case .poll(let delay): self = .poll(delay.seconds)
            case .succeed: self = .succeed
            case .fail(let error): self = .fail(error.code)
            case .timeOut: self = .timeOut
            }
        }
    }

    /// One step of a case: an event at a time since submit, and the action it must give.
    struct Beat: Sendable {
        var event: PollMachine.Event
        var at: Double
        var expected: Expected
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var polling = PollingConfig(intervalSeconds: 5, maxWaitSeconds: 60, maxConsecutiveErrors: 3)
        var mode: StatusURLDetector.Mode = .statusBody
        var submitRetryAfter: Double?
        var first: Expected = .poll(5)
        var beats: [Beat]
        var testDescription: String { name }
    }

    static func answer(_ json: String, status: Int = 200, retryAfter: Double? = nil) -> PollMachine.Event {
        .answered(status: status, retryAfter: retryAfter.map { .seconds($0) }, body: Array(json.utf8))
    }

    static let running = answer(#"{"status": "running"}"#)
    static let done = answer(#"{"status": "succeeded", "output": "https://cdn.test/a.mp4"}"#)
    static let reset = PollMachine.Event.requestFailed(
        PollsterError(.transportError, "connection reset by peer"))

    static let cases: [Case] = [
        Case(
            name: "running, running, succeeded: polls on the interval, then succeeds",
            beats: [
                Beat(event: running, at: 5, expected: .poll(5)),
                Beat(event: running, at: 10, expected: .poll(5)),
                Beat(event: done, at: 15, expected: .succeed),
            ]),
        Case(
            name: "a failed status fails the job with TASK_FAILED",
            beats: [
                Beat(
                    event: answer(#"{"status": "failed", "error": "nsfw"}"#), at: 5,
                    expected: .fail(.taskFailed))
            ]),
        Case(
            name: "a canceled status is TASK_CANCELED",
            beats: [Beat(event: answer(#"{"status": "cancelled"}"#), at: 5, expected: .fail(.taskCanceled))]),
        Case(
            name: "success with an error field is a failure",
            beats: [
                Beat(
                    event: answer(#"{"status": "completed", "error": "quota exceeded"}"#), at: 5,
                    expected: .fail(.taskFailed))
            ]),
        Case(
            name: "the submit's Retry-After sets the first delay",
            submitRetryAfter: 2, first: .poll(2), beats: [Beat(event: done, at: 2, expected: .succeed)]),
        Case(
            name: "Retry-After replaces the next delay once",
            beats: [
                Beat(event: answer(#"{"status": "running"}"#, retryAfter: 12), at: 5, expected: .poll(12)),
                Beat(event: running, at: 17, expected: .poll(5)),
            ]),
        Case(
            name: "Retry-After is capped by the time left",
            beats: [
                Beat(event: answer(#"{"status": "running"}"#, retryAfter: 120), at: 50, expected: .poll(10))
            ]),
        Case(
            name: "the deadline passed: POLLING_TIMEOUT",
            beats: [
                Beat(event: running, at: 55, expected: .poll(5)),
                Beat(event: running, at: 60, expected: .timeOut),
            ]),
        Case(
            name: "a 5xx is a failed poll, retried on the schedule",
            beats: [
                Beat(event: answer("oops", status: 503), at: 5, expected: .poll(5)),
                Beat(event: done, at: 10, expected: .succeed),
            ]),
        Case(
            name: "failed polls in a row reach maxConsecutiveErrors",
            beats: [
                Beat(event: reset, at: 5, expected: .poll(5)),
                Beat(event: answer("<html>", status: 502), at: 10, expected: .poll(5)),
                Beat(event: reset, at: 15, expected: .fail(.transportError)),
            ]),
        Case(
            name: "an answer resets the count of failed polls",
            beats: [
                Beat(event: reset, at: 5, expected: .poll(5)),
                Beat(event: reset, at: 10, expected: .poll(5)),
                Beat(event: running, at: 15, expected: .poll(5)),
                Beat(event: reset, at: 20, expected: .poll(5)),
                Beat(event: reset, at: 25, expected: .poll(5)),
                Beat(event: done, at: 30, expected: .succeed),
            ]),
        Case(
            name: "a 2xx that is not JSON is a failed poll, never completion",
            beats: [
                Beat(event: answer(#"{"status": "succ"#), at: 5, expected: .poll(5)),
                Beat(event: done, at: 10, expected: .succeed),
            ]),
        Case(
            name: "a 401 while polling fails at once: asking again cannot help",
            beats: [
                Beat(
                    event: answer(#"{"message": "bad key"}"#, status: 401), at: 5, expected: .fail(.httpError)
                )
            ]),
        Case(
            name: "a 429 is a failed poll retried after its Retry-After",
            beats: [
                Beat(
                    event: answer(#"{"error": "slow down"}"#, status: 429, retryAfter: 7), at: 5,
                    expected: .poll(7)),
                Beat(event: done, at: 12, expected: .succeed),
            ]),
        Case(
            name: "a 404 before the task was seen is retried (not yet visible)",
            beats: [
                Beat(event: answer(#"{"detail": "not found"}"#, status: 404), at: 5, expected: .poll(5)),
                Beat(event: done, at: 10, expected: .succeed),
            ]),
        Case(
            name: "a 404 after the task was seen: TASK_NOT_FOUND",
            beats: [
                Beat(event: running, at: 5, expected: .poll(5)),
                Beat(
                    event: answer(#"{"detail": "not found"}"#, status: 404), at: 10,
                    expected: .fail(.taskNotFound)),
            ]),
        Case(
            name: "a terminal status in a 500's body wins over the HTTP code",
            beats: [
                Beat(
                    event: answer(#"{"status": "failed", "error": "boom"}"#, status: 500), at: 5,
                    expected: .fail(.taskFailed))
            ]),
        Case(
            name: "a 503 saying failed only means come back later",
            beats: [
                Beat(event: answer(#"{"status": "failed"}"#, status: 503), at: 5, expected: .poll(5)),
                Beat(event: done, at: 10, expected: .succeed),
            ]),
        Case(
            name: "three answers without a status field: INVALID_CONFIG",
            beats: [
                Beat(event: answer(#"{"state_x": "x"}"#), at: 5, expected: .poll(5)),
                Beat(event: answer(#"{"state_x": "x"}"#), at: 10, expected: .poll(5)),
                Beat(event: answer(#"{"state_x": "x"}"#), at: 15, expected: .fail(.invalidConfig)),
            ]),
        Case(
            name: "an unknown status value keeps polling",
            beats: [
                Beat(event: answer(#"{"status": "rendering_phase_2"}"#), at: 5, expected: .poll(5)),
                Beat(event: done, at: 10, expected: .succeed),
            ]),
        Case(
            name: "a passing error envelope is a failed poll",
            polling: PollingConfig(intervalSeconds: 5, maxWaitSeconds: 60, maxConsecutiveErrors: 2),
            beats: [
                Beat(
                    event: answer(
                        #"{"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "x"}}}"#),
                    at: 5, expected: .poll(5)),
                Beat(
                    event: answer(
                        #"{"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "x"}}}"#),
                    at: 10, expected: .fail(.httpError)),
            ]),
        Case(
            name: "Location mode: 202 runs, 200 is done",
            mode: .location,
            beats: [
                Beat(event: answer("", status: 202), at: 5, expected: .poll(5)),
                Beat(event: answer(#"{"result": "https://cdn.test/a.png"}"#), at: 10, expected: .succeed),
            ]),
        Case(
            name: "Location mode: 204 No Content is done",
            mode: .location,
            beats: [
                Beat(event: answer("", status: 202), at: 5, expected: .poll(5)),
                Beat(event: answer("", status: 204), at: 10, expected: .succeed),
            ]),
        Case(
            name: "Location mode: a cut final answer is a failed poll",
            mode: .location,
            beats: [
                Beat(event: answer(#"{"result": "https://cd"#), at: 5, expected: .poll(5)),
                Beat(event: answer("  \n", status: 201), at: 10, expected: .succeed),
            ]),
        Case(
            name: "Location mode: a final answer that reports failure fails",
            mode: .location,
            beats: [
                Beat(
                    event: answer(#"{"status": "failed", "error": "bad"}"#), at: 5,
                    expected: .fail(.taskFailed))
            ]),
        Case(
            name: "polling.mode body overrides a Location status URL",
            polling: PollingConfig(intervalSeconds: 5, maxWaitSeconds: 60, mode: "body"),
            mode: .location,
            beats: [
                Beat(event: answer(#"{"status": "running"}"#, status: 200), at: 5, expected: .poll(5)),
                Beat(event: done, at: 10, expected: .succeed),
            ]),
        Case(
            name: "a numeric vocabulary needs a status map (Jimeng-style)",
            polling: PollingConfig(
                intervalSeconds: 2, maxWaitSeconds: 60, statusPath: "data.status",
                statusMap: ["10": "pending", "20": "running", "50": "succeeded", "30": "failed"]),
            first: .poll(2),
            beats: [
                Beat(event: answer(#"{"data": {"status": 20}}"#), at: 2, expected: .poll(2)),
                Beat(event: answer(#"{"data": {"status": 50}}"#), at: 4, expected: .succeed),
            ]),
        Case(
            name: "backoff without jitter doubles the interval up to its cap",
            polling: PollingConfig(
                intervalSeconds: 1, maxWaitSeconds: 60,
                backoff: BackoffConfig(multiplier: 2, maxIntervalSeconds: 3, jitter: "none")),
            first: .poll(1),
            beats: [
                Beat(event: running, at: 1, expected: .poll(2)),
                Beat(event: running, at: 3, expected: .poll(3)),
                Beat(event: running, at: 6, expected: .poll(3)),
            ]),
        Case(
            name: "a submit long past the deadline times out before any poll",
            first: .timeOut, beats: []),
    ]

    static func machine(
        for testCase: Case, secrets: [String] = [], progress: PollMachine.Progress = .init()
    ) throws -> PollMachine {
        let method = MethodConfig(
            name: "m", endpoint: "https://api.test/jobs",
            adapterConfig: AdapterConfig(polling: testCase.polling))
        let plan = try #require(try MethodPlan(method: method, baseUrl: nil).polling)
        return PollMachine(
            job: job(secrets: secrets), plan: plan, mode: testCase.mode,
            retryAfter: testCase.submitRetryAfter.map { .seconds($0) },
            progress: progress)
    }

    /// The job the machines poll; its redactor hides `secrets`.
    static func job(secrets: [String] = []) -> PollMachine.Job {
        PollMachine.Job(name: "test.m", taskId: "job-1", redactor: Redactor(secrets: secrets))
    }

    @Test("a sequence of events gives the rules' actions", arguments: cases)
    func sequence(_ testCase: Case) throws {
        var machine = try Self.machine(for: testCase)
        var random = SystemRandomNumberGenerator()
        let submitAge = testCase.first == .timeOut ? 61.0 : 0
        #expect(
            Expected(machine.start(for: Self.job(), elapsed: .seconds(submitAge), using: &random))
                == testCase.first)
        for (index, beat) in testCase.beats.enumerated() {
            let step = machine.receive(
                beat.event, for: Self.job(), elapsed: .seconds(beat.at), using: &random)
            #expect(Expected(step.action) == beat.expected, "event \(index + 1)")
            #expect(step.observation.number == index + 1, "event \(index + 1)")
        }
        #expect(machine.polls == testCase.beats.count)
    }

    /// Every point of every case where the job waits for its next poll: (case, events before it).
    static let resumePoints: [(Case, Int)] = cases.flatMap { testCase in
        testCase.beats.indices.compactMap { index -> (Case, Int)? in
            guard case .poll = testCase.beats[index].expected else { return nil }
            return (testCase, index + 1)
        }
    }

    @Test(
        "a machine resumed from stored progress acts as the one that stopped would have",
        arguments: resumePoints)
    func resumed(_ testCase: Case, after count: Int) throws {
        var original = try Self.machine(for: testCase)
        var random = SystemRandomNumberGenerator()
        _ = original.start(for: Self.job(), elapsed: .zero, using: &random)
        for beat in testCase.beats.prefix(count) {
            _ = original.receive(beat.event, for: Self.job(), elapsed: .seconds(beat.at), using: &random)
        }
        // Stored with the checkpoint as JSON, read by another worker.
        let stored = try JSONEncoder().encode(original.progress)
        let progress = try JSONDecoder().decode(PollMachine.Progress.self, from: stored)
        #expect(progress == original.progress)
        var resumed = try Self.machine(for: testCase, progress: progress)
        let waited = testCase.beats[count - 1]
        #expect(
            Expected(resumed.start(for: Self.job(), elapsed: .seconds(waited.at), using: &random))
                == waited.expected)
        for (index, beat) in testCase.beats.enumerated().dropFirst(count) {
            let step = resumed.receive(
                beat.event, for: Self.job(), elapsed: .seconds(beat.at), using: &random)
            #expect(Expected(step.action) == beat.expected, "event \(index + 1)")
            #expect(step.observation.number == index + 1, "event \(index + 1)")
        }
        #expect(resumed.polls == testCase.beats.count)
    }

    @Test("resumed: a 404 is the end once the provider has seen the task, and failures carry over")
    func resumedRules() throws {
        var progress = PollMachine.Progress()
        progress.polls = 4
        progress.scheduled = 5
        progress.seen = true
        var machine = try Self.machine(for: Self.cases[0], progress: progress)
        var random = SystemRandomNumberGenerator()
        #expect(
            machine.start(for: Self.job(), elapsed: .seconds(20), using: &random) == .poll(after: .seconds(5))
        )
        let gone = machine.receive(
            Self.answer("{}", status: 404), for: Self.job(), elapsed: .seconds(25), using: &random)
        #expect(Expected(gone.action) == .fail(.taskNotFound))
        #expect(gone.observation.number == 5)

        progress.seen = false
        progress.consecutiveErrors = 2
        machine = try Self.machine(for: Self.cases[0], progress: progress)
        _ = machine.start(for: Self.job(), elapsed: .seconds(20), using: &random)
        let third = machine.receive(Self.reset, for: Self.job(), elapsed: .seconds(25), using: &random)
        #expect(Expected(third.action) == .fail(.transportError))
    }

    @Test("stored progress from an older checkpoint without some keys reads as a fresh start")
    func progressDecodesMissingKeys() throws {
        let progress = try JSONDecoder().decode(
            PollMachine.Progress.self, from: Data(#"{"polls": 3, "retryAfterSeconds": 1.5}"#.utf8))
        #expect(progress.polls == 3)
        #expect(progress.scheduled == 0)
        #expect(progress.retryAfter == .milliseconds(1500))
        #expect(!progress.seen)
    }

    @Test("a timeout names the status values no rule recognised, each once, redacted")
    func timeoutNamesUnknownValues() throws {
        var testCase = Self.cases[0]
        testCase.polling = PollingConfig(intervalSeconds: 5, maxWaitSeconds: 12)
        let job = Self.job(secrets: ["sk-live-0123456789"])
        var machine = try Self.machine(for: testCase, secrets: ["sk-live-0123456789"])
        var random = SystemRandomNumberGenerator()
        _ = machine.start(for: job, elapsed: .zero, using: &random)
        let first = machine.receive(
            Self.answer(#"{"status": "warming"}"#), for: job, elapsed: .seconds(5), using: &random)
        #expect(first.observation.newUnknownStatus == "warming")
        let again = machine.receive(
            Self.answer(#"{"status": "warming"}"#), for: job, elapsed: .seconds(10), using: &random)
        #expect(again.observation.newUnknownStatus == nil)
        let leaked = machine.receive(
            Self.answer(#"{"status": "sk-live-0123456789"}"#), for: job, elapsed: .seconds(12), using: &random
        )
        #expect(leaked.observation.status?.contains("sk-live") == false)
        guard case .timeOut(let error) = leaked.action else {
            Issue.record("expected a timeout, got \(leaked.action)")
            return
        }
        #expect(error.code == .pollingTimeout)
        #expect(error.unknownStatuses.count == 2)
        #expect(error.unknownStatuses.first == "warming")
        #expect(error.message.contains("after 3 polls"))
        #expect(error.message.contains("polling.successValues"))
        #expect(!error.message.contains("sk-live"))
        #expect(error.taskId == "job-1")
    }

    @Test("failing after failed polls in a row names the task and the last error")
    func consecutiveErrorsMessage() throws {
        var machine = try Self.machine(for: Self.cases[0])
        var random = SystemRandomNumberGenerator()
        _ = machine.start(for: Self.job(), elapsed: .zero, using: &random)
        var last: PollMachine.Step?
        for second in [5.0, 10, 15] {
            last = machine.receive(Self.reset, for: Self.job(), elapsed: .seconds(second), using: &random)
        }
        let step = try #require(last)
        #expect(step.observation.error == "connection reset by peer")
        guard case .fail(let error) = step.action else {
            Issue.record("expected a failure, got \(step.action)")
            return
        }
        #expect(error.message.contains("3 polls in a row failed"))
        #expect(error.message.contains("job-1"))
        #expect(error.message.hasSuffix("Last error: connection reset by peer"))
    }

    @Test("a status request never outlives the deadline, but the last poll gets a grace second")
    func requestTimeout() throws {
        let machine = try Self.machine(for: Self.cases[0])
        #expect(machine.requestTimeout(.seconds(30), elapsed: .seconds(10)) == .seconds(30))
        #expect(machine.requestTimeout(.seconds(30), elapsed: .seconds(45)) == .seconds(15))
        #expect(machine.requestTimeout(.seconds(30), elapsed: .seconds(60)) == PollMachine.lastPollGrace)
    }

    @Test("the call's interval and deadline replace the plan's")
    func overrides() throws {
        let method = MethodConfig(
            name: "m", endpoint: "https://api.test/jobs",
            adapterConfig: AdapterConfig(polling: PollingConfig()))
        let plan = try #require(try MethodPlan(method: method, baseUrl: nil).polling)
        let job = PollMachine.Job(name: "test.m", taskId: nil, redactor: Redactor(secrets: [String]()))
        var machine = PollMachine(
            job: job, plan: plan, mode: .statusBody, interval: .seconds(1), maxWait: .seconds(2))
        var random = SystemRandomNumberGenerator()
        #expect(machine.start(for: job, elapsed: .zero, using: &random) == .poll(after: .seconds(1)))
        let step = machine.receive(Self.running, for: job, elapsed: .seconds(2), using: &random)
        #expect(Expected(step.action) == .timeOut)
    }
}

/// Which polling configs keep a waiting job's last answer: only those whose status request reads it.
@Suite("PollingPlan: a status request that reads the last answer")
struct PollingPlanStatusUseTests {
    static let cases: [(PollingConfig, Bool)] = [
        (PollingConfig(statusUrl: "/v1/tasks/{id}"), false),
        (PollingConfig(), false),
        (PollingConfig(statusUrl: "/v1/tasks/{id}?after={status.cursor|0}"), true),
        (PollingConfig(statusUrl: "/v1/tasks/{id}", statusHeaders: ["X-Seen": "{status.state|none}"]), true),
        (PollingConfig(statusUrl: "/v1/tasks/{id}", statusHeaders: ["X-Job": "{id}"]), false),
        (PollingConfig(statusUrl: "/v1/q", statusMethod: "POST", statusBody: ["job": "{id}"]), false),
        (PollingConfig(statusUrl: "/v1/q", statusMethod: "POST", statusBody: ["n": ["{status.next}"]]), true),
    ]

    @Test("requestUsesStatus", arguments: cases)
    func usesStatus(_ polling: PollingConfig, _ expected: Bool) throws {
        let method = MethodConfig(
            name: "m", endpoint: "https://api.test/jobs", adapterConfig: AdapterConfig(polling: polling))
        let plan = try #require(try MethodPlan(method: method, baseUrl: nil).polling)
        #expect(plan.requestUsesStatus == expected)
    }
}
