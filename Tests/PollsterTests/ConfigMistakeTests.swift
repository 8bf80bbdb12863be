import Pollster
import PollsterCore
import PollsterMock
import Testing

/// Config mistakes are named when they show, not discovered as a timeout.
@Suite("Config mistakes are named, not timed out")
struct ConfigMistakeTests {
    static let provider = "https://api.provider.test"

    static func run(_ adapter: String, _ exchanges: [Fixture.Exchange]) async throws -> (
        PollsterError?, ReplayTransport
    ) {
        let transport = ReplayTransport(fixture: Fixture(exchanges: exchanges))
        let pollster = Pollster(
            registry: try registry(
                yaml: """
                    inventory: mistakes
                    baseUrl: \(provider)
                    methods:
                      - name: m
                        endpoint: /jobs
                        adapterConfig:
                    \(adapter)
                    """), transport: transport, secrets: Secrets([:]), logger: quietLogger)
        let error = await pollsterError { try await pollster.invoke("mistakes.m", input: [:]) }
        return (error, transport)
    }

    @Test("a status body whose {id} resolved to nothing refuses to poll")
    func statusBodyWithoutId() async throws {
        let (error, transport) = try await Self.run(
            """
                  polling: { statusUrl: /status, statusMethod: POST, statusBody: { JobId: "{id}" }, intervalSeconds: 0.01 }
            """,
            [
                .init(
                    method: "POST", url: "\(Self.provider)/jobs", status: 200,
                    body: Array(#"{"ok": true}"#.utf8))
            ])
        #expect(error?.code == .taskIdNotFound)
        #expect(error?.message.contains("taskIdPath") == true)
        #expect(transport.unexpectedRequests.isEmpty, "no poll with an empty id")
    }

    @Test("a status field absent from every answer is named after a few polls")
    func statusFieldMissing() async throws {
        let answer = Fixture.Exchange(
            method: "GET", url: "\(Self.provider)/jobs/j1", status: 200,
            body: Array(#"{"phase": "busy"}"#.utf8))
        let (error, transport) = try await Self.run(
            """
                  polling: { statusUrl: "/jobs/{id}", statusPath: job.state, intervalSeconds: 0.01, maxWaitSeconds: 60 }
            """,
            [
                .init(
                    method: "POST", url: "\(Self.provider)/jobs", status: 200,
                    body: Array(#"{"id": "j1"}"#.utf8))
            ]
                + Array(repeating: answer, count: 3))
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.contains("status field not found at polling.statusPath job.state") == true)
        #expect(error?.message.contains("maxWaitSeconds") == false)
        #expect(error?.taskId == "j1")
        #expect(transport.remainingExchanges == 0)
        #expect(transport.unexpectedRequests.isEmpty)
    }

    @Test("a 5xx status answer with a failed status in its body fails at once with the provider's message")
    func terminalBodyBeatsCode() async throws {
        let (error, transport) = try await Self.run(
            """
                  polling: { statusUrl: "/jobs/{id}", intervalSeconds: 0.01 }
            """,
            [
                .init(
                    method: "POST", url: "\(Self.provider)/jobs", status: 200,
                    body: Array(#"{"id": "j1"}"#.utf8)),
                .init(
                    method: "GET", url: "\(Self.provider)/jobs/j1", status: 500,
                    body: Array(
                        #"{"status": "Failed", "error": {"code": "oom", "message": "out of memory"}}"#.utf8)),
            ])
        #expect(error?.code == .taskFailed)
        #expect(error?.message.contains("oom: out of memory") == true)
        #expect(transport.remainingExchanges == 0)
    }
}
