import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// Faults while polling are retried on the schedule and never restart the job;
/// faults while submitting are never retried where a job may exist.
@Suite("Fault tolerance")
struct FaultToleranceTests {
    static let tool = "heygen.create_avatar_video_v2"
    static let input = sampleInputs[tool]!

    @Test(
        "one failed poll is retried and the job still succeeds",
        arguments: [
            MockFault.serverError(status: 500), .serverError(status: 503), .htmlErrorPage(status: 502),
            .truncatedJSON, .connectionReset, .rateLimited(retryAfterSeconds: 1),
        ])
    func pollFaultIsRetried(fault: MockFault) async throws {
        try await withMockEngine(script: MockJobScript(polls: 2, faults: [1: fault])) { pollster, mock in
            let result = try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            #expect(result.files.count == 1)
            #expect(mock.stats.submissions == 1)
            #expect(mock.stats.polls == 3)
        }
    }

    @Test("Retry-After stretches the next poll")
    func retryAfterIsHonoured() async throws {
        try await withMockEngine(
            script: MockJobScript(polls: 1, faults: [1: .rateLimited(retryAfterSeconds: 1)])
        ) {
            pollster, mock in
            let started = ContinuousClock.now
            _ = try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            // 20 ms polling would finish in well under a second without the header.
            #expect(ContinuousClock.now - started >= .milliseconds(900))
        }
    }

    @Test("too many failed polls in a row give up, naming the task")
    func consecutiveErrorsGiveUp() async throws {
        let faults = Dictionary(
            uniqueKeysWithValues: (1...6).map { ($0, MockFault.htmlErrorPage(status: 502)) })
        try await withMockEngine(script: MockJobScript(polls: 2, faults: faults)) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            }
            let failure = try #require(error)
            #expect(failure.code == .httpError)
            #expect(failure.httpStatus == 502)
            #expect(failure.message.contains("5 polls in a row failed"))
            #expect(failure.taskId != nil)
            #expect(failure.message.contains("an HTML page titled '502 Bad Gateway'"))
            #expect(mock.stats.submissions == 1)
            #expect(mock.stats.polls == 5)
        }
    }

    @Test("a 404 after the task was seen means it expired")
    func expiredTask() async throws {
        try await withMockEngine(script: MockJobScript(polls: 5, faults: [2: .notFound])) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            }
            #expect(error?.code == .taskNotFound)
            #expect(mock.stats.polls == 2)
        }
    }

    @Test(
        "a submit answered with an error is not retried",
        arguments: [
            (MockFault.serverError(status: 500), PollsterError.Code.submitUncertain),
            (.htmlErrorPage(status: 502), .submitUncertain),
            (.unavailable(retryAfterSeconds: 1), .submitUncertain),
        ])
    func submitErrorNotRetried(fault: MockFault, code: PollsterError.Code) async throws {
        try await withMockEngine(script: MockJobScript(submitFault: fault)) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            }
            #expect(error?.code == code)
            #expect(error?.provider?.status != nil)
            #expect(error?.requestFingerprint?.count == 64)
            #expect(mock.stats.requests.filter { $0.method == "POST" }.count == 1)
        }
    }

    @Test("a submit answered 429 is retried after Retry-After: the request was not processed")
    func rateLimitedSubmitIsRetried() async throws {
        try await withMockEngine(script: MockJobScript(polls: 1)) { pollster, mock in
            mock.enqueue(MockJobScript(submitFault: .rateLimited(retryAfterSeconds: 1)))
            let started = ContinuousClock.now
            let result = try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            #expect(result.files.count == 1)
            #expect(ContinuousClock.now - started >= .milliseconds(900))
            #expect(mock.stats.requests.filter { $0.method == "POST" }.count == 2)
            #expect(mock.stats.jobsCreated == 1)
        }
    }

    @Test("a submit whose answer is lost is SUBMIT_UNCERTAIN and is not repeated")
    func lostSubmitIsUncertain() async throws {
        try await withMockEngine(script: MockJobScript(submitFault: .connectionReset)) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            }
            let failure = try #require(error)
            #expect(failure.code == .submitUncertain)
            #expect(failure.message.contains("second paid job"))
            #expect(mock.stats.requests.filter { $0.method == "POST" }.count == 1)
        }
    }

    @Test("a submit answered 200 with a body that is not JSON is SUBMIT_UNCERTAIN")
    func nonJSONSubmit() async throws {
        try await withMockEngine(script: MockJobScript(submitFault: .truncatedJSON)) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            }
            #expect(error?.code == .submitUncertain)
            #expect(error?.message.contains("not JSON") == true)
            #expect(mock.stats.requests.filter { $0.method == "POST" }.count == 1)
        }
    }

    @Test("a refused connection is retried because nothing was sent, then reported")
    func refusedConnection() async throws {
        var configuration = HTTPClientTransport.Configuration()
        configuration.connectTimeout = .milliseconds(500)
        let transport = HTTPClientTransport(configuration: configuration)
        let pollster = Pollster(
            registry: try YAMLRegistry(directory: Repository.adapters), transport: transport,
            secrets: testSecrets)
        let error = await pollsterError {
            try await pollster.invoke(
                Self.tool, input: Self.input, options: InvokeOptions(baseUrlOverride: "http://127.0.0.1:9"))
        }
        try await transport.shutdown()
        #expect(error?.code == .transportError)
        #expect(error?.message.contains("nothing was submitted") == true)
    }
}
