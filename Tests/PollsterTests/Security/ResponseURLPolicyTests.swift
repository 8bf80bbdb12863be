import NIOHTTP1
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// URLs taken from a provider's answer — status URLs in bodies, `Operation-Location` and
/// `Location` headers, result and cancel URLs — pass the URL policy before anything is sent:
/// an answer cannot steer API calls to loopback, link-local or private addresses.
@Suite("Security: URLs from provider answers")
struct ResponseURLPolicyTests {
    static let provider = "https://api.provider.test"

    /// Internal targets in plain and obfuscated spellings.
    static let internalTargets = [
        "http://169.254.169.254/latest/meta-data/iam", "http://127.0.0.1:8080/admin", "http://[::1]/admin",
        "http://[::ffff:127.0.0.1]/admin", "http://[::ffff:169.254.169.254]/latest",
        "http://0x7f000001/admin",
        "http://2130706433/admin", "http://017700000001/admin", "http://10.0.0.5/internal",
        "http://192.168.1.1/router", "http://172.16.0.1/x", "http://localhost/admin", "http://[fe80::1]/x",
        "http://0.0.0.0/x",
    ]

    static let adapterYAML: String = """
        inventory: hostile
        baseUrl: \(provider)
        methods:
          - name: detect
            endpoint: /jobs
            adapterConfig:
              polling: { intervalSeconds: 0.01, maxWaitSeconds: 5 }
          - name: result_step
            endpoint: /jobs
            adapterConfig:
              polling: { statusUrl: "/jobs/{id}", intervalSeconds: 0.01, maxWaitSeconds: 5 }
              result: { url: "{response.response_url}" }
              cancel: { url: "{response.cancel_url}", method: PUT }
        """

    static func json(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Runs `tool` over `exchanges`; returns the error and the transport.
    static func invoke(_ tool: String, _ exchanges: [Fixture.Exchange]) async throws -> (
        PollsterError?, ReplayTransport
    ) {
        let transport = ReplayTransport(fixture: Fixture(exchanges: exchanges))
        let pollster = Pollster(
            registry: try registry(yaml: adapterYAML), transport: transport, secrets: Secrets([:]),
            urlPolicy: URLPolicy(), logger: quietLogger)
        let error = await pollsterError { try await pollster.invoke(tool, input: ["x": 1]) }
        return (error, transport)
    }

    static func expectRefused(_ error: PollsterError?, _ transport: ReplayTransport, target: String) {
        #expect(error?.code == .unsafeURL, "\(String(describing: error))")
        #expect(transport.unexpectedRequests.isEmpty, "a request went out: \(transport.unexpectedRequests)")
        #expect(transport.remainingExchanges == 0)
    }

    @Test("a status URL in the submit body is refused", arguments: internalTargets)
    func statusURLInBody(target: String) async throws {
        let (error, transport) = try await Self.invoke(
            "hostile.detect",
            [
                .init(
                    method: "POST", url: "\(Self.provider)/jobs", status: 200,
                    body: Self.json(#"{"id": "j1", "status": "queued", "status_url": "\#(target)"}"#))
            ])
        Self.expectRefused(error, transport, target: target)
    }

    @Test(
        "a status URL in a 202's Operation-Location or Location header is refused",
        arguments: ["Operation-Location", "Azure-AsyncOperation", "Location"], internalTargets)
    func statusURLInHeader(header: String, target: String) async throws {
        let (error, transport) = try await Self.invoke(
            "hostile.detect",
            [.init(method: "POST", url: "\(Self.provider)/jobs", status: 202, headers: [header: target])])
        Self.expectRefused(error, transport, target: target)
    }

    @Test("a result URL from the submit answer is refused", arguments: internalTargets)
    func resultURL(target: String) async throws {
        let (error, transport) = try await Self.invoke(
            "hostile.result_step",
            [
                .init(
                    method: "POST", url: "\(Self.provider)/jobs", status: 200,
                    body: Self.json(#"{"id": "j1", "response_url": "\#(target)"}"#)),
                .init(
                    method: "GET", url: "\(Self.provider)/jobs/j1", status: 200,
                    body: Self.json(#"{"status": "completed"}"#)),
            ])
        Self.expectRefused(error, transport, target: target)
    }

    @Test("a cancel URL from the submit answer is refused", arguments: internalTargets)
    func cancelURL(target: String) async throws {
        let transport = ReplayTransport(fixture: Fixture(exchanges: []))
        let pollster = Pollster(
            registry: try registry(yaml: Self.adapterYAML), transport: transport, secrets: Secrets([:]),
            urlPolicy: URLPolicy(), logger: quietLogger)
        let error = await pollsterError {
            try await pollster.cancel(
                "hostile.result_step", taskId: "j1", response: ["cancel_url": .string(target)])
        }
        Self.expectRefused(error, transport, target: target)
    }

    @Test("a relative status URL stays on the provider's origin and is used")
    func relativeStatusURL() async throws {
        let (error, transport) = try await Self.invoke(
            "hostile.detect",
            [
                .init(
                    method: "POST", url: "\(Self.provider)/jobs", status: 200,
                    body: Self.json(#"{"id": "j1", "status": "queued", "status_url": "/jobs/j1"}"#)),
                .init(
                    method: "GET", url: "\(Self.provider)/jobs/j1", status: 200,
                    body: Self.json(#"{"status": "failed", "error": "boom"}"#)),
            ])
        #expect(error?.code == .taskFailed)
        #expect(transport.unexpectedRequests.isEmpty)
    }
}
