import Foundation
import OrderedCollections
import Pollster
import PollsterCore
import PollsterMock
import Synchronization
import Testing

/// Recorded exchanges with HeyGen, fal, Runway and Replicate (bodies as each provider's public
/// API documentation gives them) replayed through the real engine and the shipped adapters.
@Suite("Fixture replay: HeyGen, fal, Runway, Replicate")
struct FixtureReplayTests {
    /// What a recorded success must produce.
    struct Success: Sendable, CustomTestStringConvertible {
        var fixture: String
        var taskId: String
        var taskIdSource: String
        var statusUrlSource: String
        var statusPath: String
        var finalStatus: String
        var outputPaths: [String]
        var mimeType: String
        var polls: Int

        var testDescription: String { fixture }
    }

    static let successes: [Success] = [
        Success(
            fixture: "heygen/success.json", taskId: "7a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5",
            taskIdSource: "data.video_id", statusUrlSource: "config polling.statusUrl",
            statusPath: "data.status", finalStatus: "completed", outputPaths: ["data.video_url"],
            mimeType: "video/mp4", polls: 3),
        Success(
            fixture: "heygen/html-502-then-success.json", taskId: "7a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5",
            taskIdSource: "data.video_id", statusUrlSource: "config polling.statusUrl",
            statusPath: "data.status", finalStatus: "completed", outputPaths: ["data.video_url"],
            mimeType: "video/mp4", polls: 3),
        Success(
            fixture: "fal/success.json", taskId: "764cabcf-b745-4b3e-ae38-1200304cf45b",
            taskIdSource: "request_id", statusUrlSource: "status_url", statusPath: "status",
            finalStatus: "COMPLETED", outputPaths: ["images[0].url"], mimeType: "image/png", polls: 3),
        Success(
            fixture: "runway/success.json", taskId: "17f20503-6c24-4c16-946b-35dbbce2af2f",
            taskIdSource: "id", statusUrlSource: "config polling.statusUrl", statusPath: "status",
            finalStatus: "SUCCEEDED", outputPaths: ["output[0]"], mimeType: "video/mp4", polls: 4),
        Success(
            fixture: "replicate/success.json", taskId: "qd7kg3s9ndrma0ckxb1t2cq9xw", taskIdSource: "id",
            statusUrlSource: "config polling.statusUrl", statusPath: "status", finalStatus: "succeeded",
            outputPaths: ["output"], mimeType: "image/png", polls: 2),
        Success(
            fixture: "replicate/output-array.json", taskId: "gm3qorzdhgbfurvjtvhg6dckhu", taskIdSource: "id",
            statusUrlSource: "config polling.statusUrl", statusPath: "status", finalStatus: "succeeded",
            outputPaths: ["output[0]", "output[1]"], mimeType: "image/png", polls: 1),
    ]

    /// What a recorded failure must produce.
    struct Failure: Sendable, CustomTestStringConvertible {
        var fixture: String
        var taskId: String
        /// Text of the provider's message that the error must quote.
        var message: String
        /// The rule that decided, named in the message.
        var rule: String

        var testDescription: String { fixture }
    }

    static let failures: [Failure] = [
        Failure(
            fixture: "heygen/failure.json", taskId: "7a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5",
            message: "40119: Video is too long (> 3600.0s)", rule: "default vocabulary"),
        Failure(
            fixture: "fal/completed-with-error.json", taskId: "764cabcf-b745-4b3e-ae38-1200304cf45b",
            message: "Internal server error while running the model", rule: "success with error field error"),
        Failure(
            fixture: "fal/failure.json", taskId: "764cabcf-b745-4b3e-ae38-1200304cf45b",
            message: "contained material flagged by a content checker", rule: "result step, HTTP 422"),
        Failure(
            fixture: "runway/failure.json", taskId: "17f20503-6c24-4c16-946b-35dbbce2af2f",
            message: "The image you provided did not pass our content moderation.", rule: "default vocabulary"
        ),
        Failure(
            fixture: "replicate/failure.json", taskId: "7h3rbb8bqhrmc0ckxb5sb2k9xr",
            message: "CUDA out of memory. Tried to allocate 2.00 GiB", rule: "default vocabulary"),
    ]

    static let unknownStatuses: [(fixture: String, value: String)] = [
        ("heygen/unknown-status.json", "rendering_v3"), ("fal/unknown-status.json", "PAUSED_FOR_MAINTENANCE"),
        ("runway/unknown-status.json", "ARCHIVED"), ("replicate/unknown-status.json", "booting"),
    ]

    @Test(
        "a recorded success downloads every output, reports where it found things, and uses every exchange",
        arguments: successes)
    func success(_ expected: Success) async throws {
        let run = try await FixtureRun.run(expected.fixture)
        let result = try run.outcome.get()
        #expect(result.state == .succeeded)
        #expect(result.taskId == expected.taskId)
        #expect(result.detection.taskId == expected.taskIdSource)
        #expect(result.detection.statusUrl == expected.statusUrlSource)
        #expect(result.detection.statusPath == expected.statusPath)
        #expect(result.detection.statusRule == "default vocabulary")
        #expect(result.detection.outputs == expected.outputPaths)
        #expect(result.detection.unknownStatuses.isEmpty)
        #expect(result.timings.polls == expected.polls)
        #expect(result.warnings.isEmpty)
        #expect(result.files.count == expected.outputPaths.count)
        let downloads = run.fixture.exchanges.suffix(result.files.count)
        for (file, download) in zip(result.files, downloads) {
            #expect(file.url == download.url)
            #expect(file.mimeType == expected.mimeType)
            #expect(file.size == download.body.count)
            #expect(file.bytes == download.body)
            #expect(file.sha256?.count == 64)
        }
        #expect(run.replay.remainingExchanges == 0)
        #expect(run.replay.unexpectedRequests.isEmpty)
    }

    @Test("a recorded failure is TASK_FAILED with the provider's message", arguments: failures)
    func failure(_ expected: Failure) async throws {
        let run = try await FixtureRun.run(expected.fixture)
        let error = try #require(run.outcome.failure, "expected the invocation to fail")
        #expect(error.code == .taskFailed)
        #expect(error.message.contains("(\(expected.rule))"))
        #expect(error.message.contains(expected.message))
        #expect(error.taskId == expected.taskId)
        #expect(run.replay.remainingExchanges == 0)
        #expect(run.replay.unexpectedRequests.isEmpty)
    }

    @Test(
        "an unknown status keeps polling until the deadline, and the timeout names it",
        arguments: unknownStatuses)
    func unknownStatus(fixture: String, value: String) async throws {
        // Room for a loaded machine: the first poll is due after 10 ms, the deadline is 250 ms.
        let run = try await FixtureRun.run(
            fixture, maxWait: .milliseconds(250), pollInterval: .milliseconds(10))
        let error = try #require(run.outcome.failure, "expected the invocation to time out")
        #expect(error.code == .pollingTimeout)
        #expect(error.unknownStatuses == [value])
        #expect(error.lastStatus == value)
        #expect(error.message.contains(value))
        #expect(error.taskId != nil)
        // The fixture holds more polls than fit in the deadline: some stay unused, none is missing.
        #expect(run.replay.unexpectedRequests.isEmpty)
    }

    @Test(
        "every request is the one recorded: same body, the recorded headers, credentials only for the provider",
        arguments: successes.map(\.fixture) + failures.map(\.fixture) + unknownStatuses.map(\.fixture))
    func requestsAsRecorded(fixture: String) async throws {
        let isUnknown = fixture.hasSuffix("unknown-status.json")
        let run = try await FixtureRun.run(fixture, maxWait: isUnknown ? .milliseconds(50) : nil)
        let recorded = try #require(
            JSONParser.parse(
                Array(try Data(contentsOf: URL(fileURLWithPath: "\(Repository.fixtures)/\(fixture)"))))[
                    "exchanges"]?.arrayValue)
        let sent = run.recorder.requests
        #expect(run.replay.unexpectedRequests.isEmpty)
        #expect(sent.count == run.fixture.exchanges.count - run.replay.remainingExchanges)
        let apiHost = URL(string: run.fixture.exchanges[0].url)?.host
        for (index, request) in sent.enumerated() where index < recorded.count {
            let expected = try #require(recorded[index]["request"])
            let place = "\(fixture) exchange \(index): \(request.method) \(Redactor.stripQuery(request.url))"
            let expectedBody = expected["body"]
            let sentBody = try request.body.map { try JSONParser.parse($0) }
            #expect(sentBody == expectedBody, "\(place): body")
            for (name, value) in expected["headers"]?.objectValue ?? [:] {
                let actual = request.headers.first(name: name)
                if value.stringValue == Redactor.mask {
                    #expect(
                        actual?.contains(FixtureRun.secretValue) == true,
                        "\(place): \(name) carries the secret")
                } else {
                    #expect(actual == value.stringValue, "\(place): \(name)")
                }
            }
            if URL(string: request.url)?.host != apiHost {
                #expect(expected["headers"] == nil, "\(place): a download needs no headers")
                for name in ["Authorization", "X-Api-Key", "X-Runway-Version"] {
                    #expect(
                        request.headers.first(name: name) == nil, "\(place): \(name) sent off the provider")
                }
            }
        }
    }

    @Test(
        "explain names the source of the task id, the status URL, the final status and the outputs",
        arguments: successes.filter { $0.fixture.hasSuffix("/success.json") })
    func explain(_ expected: Success) async throws {
        let fixture = try Fixture.load(path: "\(Repository.fixtures)/\(expected.fixture)")
        let tool = try #require(fixture.tool)
        let method = try await YAMLRegistry(directory: Repository.adapters).method(named: tool)
        let lines = FixtureExplainer.explain(fixture, method: method)
        let text = lines.joined(separator: "\n")
        #expect(
            lines.contains { $0.contains("task id: \(expected.taskId) (from \(expected.taskIdSource))") },
            "\(text)")
        let statusURLLine =
            expected.statusUrlSource == "config polling.statusUrl"
            ? "status URL: from config polling.statusUrl" : "(from \(expected.statusUrlSource))"
        #expect(lines.contains { $0.contains("status URL: ") && $0.contains(statusURLLine) }, "\(text)")
        #expect(
            lines.contains {
                $0.contains("status '\(expected.finalStatus)' at \(expected.statusPath) → succeeded")
            }, "\(text)")
        let downloads = fixture.exchanges.suffix(expected.outputPaths.count)
        for (path, download) in zip(expected.outputPaths, downloads) {
            let shown = Redactor.stripQuery(download.url)
            #expect(lines.contains { $0.contains("output: \(shown) (at \(path))") }, "\(text)")
            #expect(
                lines.contains {
                    $0.contains(shown) && $0.contains("download, \(download.body.count) bytes")
                },
                "\(text)")
        }
        #expect(lines.filter { $0.contains("output: ") }.count == expected.outputPaths.count, "\(text)")
    }

    @Test("the replay transport refuses a request that is not the next one recorded")
    func unexpectedRequest() async throws {
        let replay = ReplayTransport(
            fixture: try Fixture.load(path: "\(Repository.fixtures)/heygen/success.json"))
        await #expect(throws: TransportFailure.self) {
            _ = try await replay.send(TransportRequest(method: "GET", url: "https://api.heygen.com/v1/other"))
        }
        #expect(replay.unexpectedRequests.count == 1)
        #expect(
            replay.unexpectedRequests.first?.contains(
                "expected POST https://api.heygen.com/v2/video/generate")
                == true)
    }
}

/// One fixture replayed through a `Pollster` built on the shipped adapters.
private struct FixtureRun {
    /// The value of every secret; fixtures record it as `[REDACTED]`.
    static let secretValue = "test-secret-value"
    static let secrets = Secrets([
        "HEYGEN_API_KEY": secretValue, "FAL_KEY": secretValue, "RUNWAYML_API_SECRET": secretValue,
        "REPLICATE_API_TOKEN": secretValue,
    ])

    var fixture: Fixture
    var replay: ReplayTransport
    var recorder: RequestKeepingTransport
    var outcome: Result<ToolResult, PollsterError>

    /// Invokes the fixture's tool with its input, polling every millisecond.
    static func run(_ name: String, maxWait: Duration? = nil, pollInterval: Duration = .milliseconds(1))
        async throws -> FixtureRun
    {
        let fixture = try Fixture.load(path: "\(Repository.fixtures)/\(name)")
        let tool = try #require(fixture.tool, "\(name) names no tool")
        let input = try #require(fixture.input, "\(name) has no input")
        let replay = ReplayTransport(fixture: fixture)
        let recorder = RequestKeepingTransport(replay)
        let pollster = Pollster(
            registry: try YAMLRegistry(directory: Repository.adapters), transport: recorder,
            secrets: secrets,
            urlPolicy: URLPolicy(allowPrivateNetworks: true), logger: quietLogger)
        let outcome: Result<ToolResult, PollsterError>
        do {
            outcome = .success(
                try await pollster.invoke(
                    tool, input: input,
                    options: InvokeOptions(
                        pollInterval: pollInterval, maxWait: maxWait, idempotencyKey: fixture.reference)))
        } catch {
            outcome = .failure(error)
        }
        return FixtureRun(fixture: fixture, replay: replay, recorder: recorder, outcome: outcome)
    }
}

extension Result {
    /// The error, if this is a failure.
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
