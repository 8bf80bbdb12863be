import Foundation
import PollsterCore
import Testing

/// `JobMachine`: a job's life from submit to result, fed events in order; each event must give
/// the notices and the action the rules say.
@Suite("Job machine")
struct JobMachineTests {
    /// What the machine should say to one event.
    enum Expected: Sendable, Equatable, CustomStringConvertible {
        case send(JobMachine.Request)
        /// A wait, within this range of seconds.
        case wait(ClosedRange<Double>)
        /// Polling succeeded with this final answer.
        case outputs(JSONValue)
        /// Download the output at this URL (its number when the result lists several).
        case download(String, number: Int?)
        /// The job succeeds; this many outputs listed without a download.
        case succeed(listed: Int)
        /// A failure with this code whose message contains the text.
        case fail(PollsterError.Code, String)
        /// `SUBMIT_UNCERTAIN`; what the lookup saw contains the text ("" without a lookup).
        case uncertain(lookup: String)
        case cancelAndFail(PollsterError.Code)

        init(_ action: JobMachine.Action) {
            switch action {
            case .send(let request): self = .send(request)
            case .wait(let delay): self = .wait(delay.seconds...delay.seconds)
            case .pollingSucceeded(let final): self = .outputs(final)
            case .download(let output): self = .download(output.candidate.url, number: output.number)
            case .succeed(_, let listed): self = .succeed(listed: listed.count)
            case .fail(let error): self = .fail(error.code, error.message)
            case .failUncertain(_, _, let lookup): self = .uncertain(lookup: lookup)
            case .cancelAndFail(let error): self = .cancelAndFail(error.code)
            }
        }

        /// Whether `actual` (made from an action) is what this expects.
        func matches(_ actual: Expected) -> Bool {
            switch (self, actual) {
            case (.wait(let range), .wait(let delay)): range.contains(delay.lowerBound)
            case (.fail(let code, let text), .fail(let actualCode, let message)):
                code == actualCode && message.contains(text)
            case (.uncertain(let text), .uncertain(let lookup)):
                text.isEmpty ? lookup.isEmpty : lookup.contains(text)
            default: self == actual
            }
        }

        var description: String {
            switch self {
            case .send(let request): "send \(request)"
            case .wait(let range): "wait \(range)"
            case .outputs(let result): "outputs \(result)"
            case .download(let url, let number): "download \(url) (\(number.map(String.init) ?? "-"))"
            case .succeed(let listed): "succeed, \(listed) listed"
            case .fail(let code, let text): "fail \(code.rawValue) \(text)"
            case .uncertain(let lookup): "uncertain (\(lookup))"
            case .cancelAndFail(let code): "cancel, then fail \(code.rawValue)"
            }
        }
    }

    /// One event, when it happens (seconds since the start), and what it should give.
    struct Beat: Sendable {
        /// nil: the engine's step after polling (`afterPolling`).
        let event: JobMachine.Event?
        var at: Double = 0
        /// The notices, by name: accepted, retrying, found, polled, result.
        var notices: [String] = []
        let expected: Expected
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// The method's `adapterConfig`, as JSON.
        let config: String
        var reference: String? = nil
        /// What `start` should say.
        var first: Expected = .send(.submit)
        let beats: [Beat]
        /// The task id and status URL the job ends with.
        var taskId: String? = nil
        var statusURL: JobMachine.StatusURL? = nil
        var testDescription: String { name }
    }

    static func answer(
        _ status: Int, _ body: String, headers: [(String, String)] = [], retryAfter: Double? = nil
    ) -> JobMachine.Answer {
        JobMachine.Answer(
            status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8),
            retryAfter: retryAfter.map { .milliseconds(Int64($0 * 1000)) },
            rawRetryAfter: retryAfter.map { "\(Int($0))" })
    }

    static let detected = #"{"polling": {"intervalSeconds": 5, "maxWaitSeconds": 60}}"#
    static let configured =
        #"{"polling": {"statusUrl": "/v1/status?id={id}", "intervalSeconds": 2, "maxWaitSeconds": 60}}"#
    static let reconciled = """
        {"polling": {"statusUrl": "/jobs/{id}", "intervalSeconds": 2, "maxWaitSeconds": 60},
         "submit": {"reconcile": {"tag": {"header": "X-Ref"},
                    "lookup": {"url": "/jobs?ref={reference}", "itemsPath": "jobs", "referencePath": "ref",
                               "attempts": 2, "delaySeconds": 1}}}}
        """
    static let reference = "3f2a9c1e-0000-4000-8000-00000000abcd"
    static let running = JobMachine.Event.pollAnswered(answer(200, #"{"status": "running"}"#))
    static let done = JobMachine.Event.pollAnswered(
        answer(200, #"{"status": "succeeded", "output": "https://cdn.test/a.mp4"}"#))

    /// A method whose result step is optional, and its beats up to the first poll.
    static let optionalResult = """
        {"polling": {"intervalSeconds": 1, "maxWaitSeconds": 60, "statusUrl": "/op/{id}"},
         "result": {"url": "{status.resourceLocation}", "optional": true}}
        """
    static let optionalResultUntilPoll = [
        Beat(
            event: .submitAnswered(answer(202, #"{"id": "op1"}"#)), notices: ["accepted"],
            expected: .wait(1...1)),
        Beat(event: .timerFired, at: 1, expected: .send(.poll)),
    ]

    static let cases: [Case] = [
        Case(
            name: "Replicate-style: a detected status URL is polled until the job succeeds",
            config: detected,
            beats: [
                Beat(
                    event: .submitAnswered(
                        answer(201, #"{"id": "r1", "urls": {"get": "https://api.test/p/r1"}}"#)),
                    notices: ["accepted"], expected: .wait(5...5)),
                Beat(event: .timerFired, at: 5, expected: .send(.poll)),
                Beat(event: running, at: 5, notices: ["polled"], expected: .wait(5...5)),
                Beat(event: .timerFired, at: 10, expected: .send(.poll)),
                Beat(
                    event: done, at: 10, notices: ["polled"],
                    expected: .outputs(["status": "succeeded", "output": "https://cdn.test/a.mp4"])),
            ], taskId: "r1", statusURL: .detected("https://api.test/p/r1")),
        Case(
            name: "a relative status URL resolves against the submit URL",
            config: detected,
            beats: [
                Beat(
                    event: .submitAnswered(answer(200, #"{"id": "r2", "status_url": "/v1/status/r2"}"#)),
                    notices: ["accepted"], expected: .wait(5...5))
            ], taskId: "r2", statusURL: .detected("https://api.test/v1/status/r2")),
        Case(
            name: "Azure-style: a bare 202 gives the status URL, the id and the first wait",
            config: #"{"polling": {"intervalSeconds": 5, "maxWaitSeconds": 60}}"#,
            beats: [
                Beat(
                    event: .submitAnswered(
                        answer(
                            202, "", headers: [("Operation-Location", "https://api.test/operations/op-7")],
                            retryAfter: 2)),
                    notices: ["accepted"], expected: .wait(2...2))
            ], taskId: "op-7", statusURL: .detected("https://api.test/operations/op-7")),
        Case(
            name: "a configured status URL that needs an id the answer lacks fails at once",
            config: configured,
            beats: [
                Beat(
                    event: .submitAnswered(answer(200, #"{"message": "queued"}"#)), notices: ["accepted"],
                    expected: .fail(.taskIdNotFound, "no task id in the submit response"))
            ]),
        Case(
            name: "no status URL anywhere fails saying where it looked",
            config: detected,
            beats: [
                Beat(
                    event: .submitAnswered(answer(200, #"{"id": "x"}"#)), notices: ["accepted"],
                    expected: .fail(.taskIdNotFound, "gives no status URL"))
            ]),
        Case(
            name: "a submit answer that is already final with an output needs no polling",
            config: configured,
            beats: [
                Beat(
                    event: .submitAnswered(
                        answer(200, #"{"id": "f1", "status": "completed", "url": "https://cdn.test/f.png"}"#)),
                    notices: ["accepted"],
                    expected: .outputs(["id": "f1", "status": "completed", "url": "https://cdn.test/f.png"]))
            ], taskId: "f1"),
        Case(
            name: "a submit answer that reports failure fails the job",
            config: configured,
            beats: [
                Beat(
                    event: .submitAnswered(
                        answer(200, #"{"id": "f2", "status": "failed", "error": "bad prompt"}"#)),
                    notices: ["accepted"], expected: .fail(.taskFailed, "bad prompt"))
            ]),
        Case(
            name: "a method without polling takes the submit answer as its result",
            config: "{}",
            beats: [
                Beat(
                    event: .submitAnswered(answer(200, #"{"image": "https://cdn.test/i.png"}"#)),
                    notices: ["accepted"], expected: .outputs(["image": "https://cdn.test/i.png"]))
            ]),
        Case(
            name: "a rate-limited submit waits and is sent again",
            config: configured,
            beats: [
                Beat(
                    event: .submitAnswered(answer(429, "slow down", retryAfter: 3)), notices: ["retrying"],
                    expected: .wait(3...3.4)),
                Beat(event: .timerFired, at: 3, expected: .send(.submit)),
                Beat(
                    event: .submitAnswered(answer(200, #"{"id": "j9"}"#)), at: 3, notices: ["accepted"],
                    expected: .wait(2...2)),
            ], taskId: "j9"),
        Case(
            name: "a 5xx without reconcile is SUBMIT_UNCERTAIN, never sent again",
            config: configured,
            beats: [Beat(event: .submitAnswered(answer(503, "busy")), expected: .uncertain(lookup: ""))]),
        Case(
            name: "a lost answer is looked up until the job with the reference is found, then polled",
            config: reconciled, reference: reference,
            beats: [
                Beat(event: .submitFailed("connection reset", .maybeSent), expected: .send(.lookup)),
                Beat(event: .lookupAnswered(answer(200, #"{"jobs": []}"#)), expected: .wait(1...1)),
                Beat(event: .timerFired, at: 1, expected: .send(.lookup)),
                Beat(
                    event: .lookupAnswered(answer(200, #"{"jobs": [{"id": "k1", "ref": "\#(reference)"}]}"#)),
                    at: 1, notices: ["found", "accepted"], expected: .wait(2...2)),
            ], taskId: "k1"),
        Case(
            name: "lookups that find nothing end SUBMIT_UNCERTAIN saying what they saw",
            config: reconciled, reference: reference,
            beats: [
                Beat(event: .submitAnswered(answer(500, "oops")), expected: .send(.lookup)),
                Beat(event: .lookupFailed("timed out"), expected: .wait(1...1)),
                Beat(event: .timerFired, at: 1, expected: .send(.lookup)),
                Beat(
                    event: .lookupAnswered(answer(404, "no")), at: 1,
                    expected: .uncertain(lookup: "no job with this reference (HTTP 404)")),
            ]),
        Case(
            name: "the result step is retried on a 5xx, then gives the result",
            config: """
                {"polling": {"statusUrl": "/s/{id}", "intervalSeconds": 1, "maxWaitSeconds": 60},
                 "result": {"url": "/r/{id}"}}
                """,
            beats: [
                Beat(
                    event: .submitAnswered(answer(200, #"{"request_id": "q1"}"#)), notices: ["accepted"],
                    expected: .wait(1...1)),
                Beat(event: .timerFired, at: 1, expected: .send(.poll)),
                Beat(
                    event: .pollAnswered(answer(200, #"{"status": "COMPLETED"}"#)), at: 1,
                    notices: ["polled"],
                    expected: .outputs(["status": "COMPLETED"])),
                Beat(event: nil, at: 1, expected: .send(.result)),
                Beat(event: .resultAnswered(answer(503, "later")), at: 1, expected: .wait(0...3)),
                Beat(event: .timerFired, at: 2, expected: .send(.result)),
                Beat(
                    event: .resultAnswered(answer(200, #"{"images": [{"url": "https://cdn.test/o.png"}]}"#)),
                    at: 2, notices: ["result"], expected: .download("https://cdn.test/o.png", number: nil)),
                Beat(event: .downloaded, at: 3, expected: .succeed(listed: 0)),
            ], taskId: "q1"),
        Case(
            name: "an optional result step without its value is skipped: the status answer is the result",
            config: optionalResult,
            beats: optionalResultUntilPoll + [
                Beat(
                    event: .pollAnswered(
                        answer(200, #"{"status": "succeeded", "result": {"url": "https://cdn.test/r.png"}}"#)),
                    at: 1, notices: ["polled"],
                    expected: .outputs(["status": "succeeded", "result": ["url": "https://cdn.test/r.png"]])),
                Beat(
                    event: nil, at: 1, notices: ["result"],
                    expected: .download("https://cdn.test/r.png", number: nil)),
                Beat(event: .downloaded, at: 2, expected: .succeed(listed: 0)),
            ], taskId: "op1"),
        Case(
            name: "an optional result step with its value is sent",
            config: optionalResult,
            beats: optionalResultUntilPoll + [
                Beat(
                    event: .pollAnswered(
                        answer(
                            200, #"{"status": "succeeded", "resourceLocation": "https://a.test/things/1"}"#)),
                    at: 1, notices: ["polled"],
                    expected: .outputs(["status": "succeeded", "resourceLocation": "https://a.test/things/1"])
                ),
                Beat(event: nil, at: 1, expected: .send(.result)),
            ], taskId: "op1"),
        Case(
            name: "a timeout with cancel.onTimeout cancels at the provider, then fails",
            config: """
                {"polling": {"statusUrl": "/s/{id}", "intervalSeconds": 4, "maxWaitSeconds": 5},
                 "cancel": {"url": "/c/{id}", "onTimeout": true}}
                """,
            beats: [
                Beat(
                    event: .submitAnswered(answer(200, #"{"id": "t1"}"#)), notices: ["accepted"],
                    expected: .wait(4...4)),
                Beat(event: .timerFired, at: 4, expected: .send(.poll)),
                Beat(event: running, at: 4, notices: ["polled"], expected: .wait(1...1)),
                Beat(event: .timerFired, at: 5, expected: .send(.poll)),
                Beat(event: running, at: 6, notices: ["polled"], expected: .cancelAndFail(.pollingTimeout)),
            ], taskId: "t1"),
        Case(
            name: "a task that vanishes after it was seen fails as TASK_NOT_FOUND",
            config: configured,
            beats: [
                Beat(
                    event: .submitAnswered(answer(200, #"{"id": "v1"}"#)), notices: ["accepted"],
                    expected: .wait(2...2)),
                Beat(event: .timerFired, at: 2, expected: .send(.poll)),
                Beat(event: running, at: 2, notices: ["polled"], expected: .wait(2...2)),
                Beat(event: .timerFired, at: 4, expected: .send(.poll)),
                Beat(
                    event: .pollAnswered(answer(404, "{}")), at: 4, notices: ["polled"],
                    expected: .fail(.taskNotFound, "no longer knows task v1")),
            ]),
        Case(
            name: "an event the phase does not expect is an internal error, not a guess",
            config: configured,
            beats: [Beat(event: running, expected: .fail(.internal, "while submitting"))]),
    ]

    static func machine(_ testCase: Case) throws -> JobMachine {
        let adapter = try JSONDecoder().decode(AdapterConfig.self, from: Data(testCase.config.utf8))
        let method = try ToolMethod(
            inventory: InventoryConfig(inventory: "test", baseUrl: "https://api.test", methods: []),
            method: MethodConfig(name: "m", endpoint: "/v1/jobs", adapterConfig: adapter))
        return JobMachine(
            job: JobMachine.Job(method: method, redactor: Redactor(secrets: [])),
            context: TemplateContext(input: [:], secrets: Secrets([:]), reference: testCase.reference))
    }

    static func names(_ notices: [JobMachine.Notice]) -> [String] {
        notices.map {
            switch $0 {
            case .accepted: "accepted"
            case .retryingSubmit: "retrying"
            case .foundByReference: "found"
            case .polled: "polled"
            case .resultFetched: "result"
            case .warning(let code, _): "warning \(code.rawValue)"
            }
        }
    }

    @Test("a sequence of events gives the rules' notices and actions", arguments: cases)
    func sequence(_ testCase: Case) throws {
        var machine = try Self.machine(testCase)
        var random = SystemRandomNumberGenerator()
        let first = machine.start(submitURL: "https://api.test/v1/jobs")
        #expect(testCase.first.matches(Expected(first.action)))
        for (index, beat) in testCase.beats.enumerated() {
            let step: JobMachine.Step
            if let event = beat.event {
                step = machine.receive(event, at: .milliseconds(Int64(beat.at * 1000)), using: &random)
            } else {
                let after = machine.afterPolling()
                step = try #require(after, "event \(index + 1)")
            }
            let actual = Expected(step.action)
            #expect(beat.expected.matches(actual), "event \(index + 1): \(actual)")
            #expect(Self.names(step.notices) == beat.notices, "event \(index + 1)")
        }
        if let taskId = testCase.taskId { #expect(machine.context.taskId == taskId) }
        if let url = testCase.statusURL { #expect(machine.statusURL == url) }
    }

    @Test("the result of a successful poll is reported once, in the step after polling")
    func resultAfterPolling() throws {
        var machine = try Self.machine(Self.cases[0])
        var random = SystemRandomNumberGenerator()
        _ = machine.start(submitURL: "https://api.test/v1/jobs")
        for beat in Self.cases[0].beats {
            _ = machine.receive(try #require(beat.event), at: .seconds(beat.at), using: &random)
        }
        let after = machine.afterPolling()
        #expect(after.map { Self.names($0.notices) } == ["result"])
        #expect(after.map { Expected($0.action) } == .download("https://cdn.test/a.mp4", number: nil))
        let again = machine.afterPolling()
        #expect(again == nil)
        #expect(machine.report.outputs == ["output"])
        #expect(machine.polls == 2)
    }

    @Test("a skipped optional result step says so in the detection report; an empty value is missing")
    func optionalResultSkipped() throws {
        var machine = try Self.machine(Case(name: "optional", config: Self.optionalResult, beats: []))
        var random = SystemRandomNumberGenerator()
        _ = machine.start(submitURL: "https://api.test/v1/jobs")
        _ = machine.receive(.submitAnswered(Self.answer(202, #"{"id": "op1"}"#)), at: .zero, using: &random)
        _ = machine.receive(.timerFired, at: .seconds(1), using: &random)
        _ = machine.receive(
            .pollAnswered(Self.answer(200, #"{"status": "succeeded", "resourceLocation": ""}"#)),
            at: .seconds(1), using: &random)
        let after = machine.afterPolling()
        #expect(after.map { Expected($0.action) } != .send(.result))
        #expect(after != nil)
        #expect(
            machine.report.resultStep
                == "skipped (result.optional): '{status.resourceLocation}' has no value in the answers")
    }

    @Test("a job resumed from its checkpoint goes on where it stood, or straight to its outputs")
    func resumed() throws {
        let testCase = Self.cases[0]
        var random = SystemRandomNumberGenerator()
        let accepted = Self.answer(201, #"{"id": "r1", "urls": {"get": "https://api.test/p/r1"}}"#)
        var progress = PollMachine.Progress()
        progress.polls = 3
        progress.scheduled = 4
        progress.seen = true

        var polling = try Self.machine(testCase)
        let step = polling.resume(
            JobMachine.Stored(answer: accepted, foundByReference: false, result: nil, polling: progress),
            submitURL: "https://api.test/v1/jobs", submittedAt: .seconds(-20), at: .zero, using: &random)
        #expect(Self.names(step.notices) == ["accepted"])
        #expect(Expected(step.action) == .wait(5...5))
        #expect(polling.polls == 3)
        #expect(polling.context.taskId == "r1")
        // The provider has seen it: a 404 now means the task is gone.
        _ = polling.receive(.timerFired, at: .seconds(5), using: &random)
        let gone = polling.receive(.pollAnswered(Self.answer(404, "{}")), at: .seconds(5), using: &random)
        #expect(Expected.fail(.taskNotFound, "no longer knows").matches(Expected(gone.action)))

        var finished = try Self.machine(testCase)
        let outputs = finished.resume(
            JobMachine.Stored(
                answer: accepted, foundByReference: false, result: ["url": "https://cdn.test/x"],
                polling: progress),
            submitURL: "https://api.test/v1/jobs", submittedAt: .seconds(-20), at: .zero, using: &random)
        #expect(Expected(outputs.action) == .outputs(["url": "https://cdn.test/x"]))
        #expect(finished.polls == 3)
    }

    @Test("a resumed job past its deadline times out without another poll")
    func resumedPastDeadline() throws {
        var machine = try Self.machine(Self.cases[0])
        var random = SystemRandomNumberGenerator()
        let step = machine.resume(
            JobMachine.Stored(
                answer: Self.answer(201, #"{"id": "r1", "urls": {"get": "https://api.test/p/r1"}}"#),
                foundByReference: false, result: nil, polling: nil),
            submitURL: "https://api.test/v1/jobs", submittedAt: .seconds(-120), at: .zero, using: &random)
        #expect(Expected.fail(.pollingTimeout, "did not finish within 60 s").matches(Expected(step.action)))
    }
}
