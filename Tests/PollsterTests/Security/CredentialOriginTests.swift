import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// Status headers and status bodies that reference a secret follow the credentials-by-origin
/// rule: they go to the provider's own origin only.
@Suite("Security: secrets in status requests stay on the provider's origin")
struct CredentialOriginTests {
    static let canary = "canary-secret-7f3a9c"

    /// A HeyGen-style method whose status URL is on another origin (`localhost` instead of the
    /// provider's `127.0.0.1`: the same mock, a different origin).
    static func adapter(port: Int, statusBody: Bool) -> String {
        let body =
            statusBody
            ? #"statusMethod: POST"# + "\n" + #"        statusBody: { key: "${CANARY}", id: "{id}" }"# : ""
        return """
            inventory: origin
            baseUrl: https://api.heygen.com
            methods:
              - name: video
                endpoint: /v2/video/generate
                adapterConfig:
                  headers: { X-Api-Key: "${HEYGEN_API_KEY}" }
                  polling:
                    statusUrl: "http://localhost:\(port)/v1/video_status.get?video_id={id}"
                    statusHeaders: { X-Status-Key: "${CANARY}", X-Plain: "visible" }
                    intervalSeconds: 0.02
                    maxWaitSeconds: 10
                    maxConsecutiveErrors: 1
                    \(body)
            """
    }

    static func run(statusBody: Bool) async throws -> (PollsterError?, MockProviderStats) {
        let mock = try await MockProviderServer.start(defaultScript: MockJobScript(polls: 1))
        let transport = HTTPClientTransport()
        let pollster = Pollster(
            registry: try registry(yaml: adapter(port: mock.port, statusBody: statusBody)),
            transport: transport,
            secrets: Secrets(["HEYGEN_API_KEY": "heygen-test-key", "CANARY": canary]),
            urlPolicy: URLPolicy(allowPrivateNetworks: true), logger: quietLogger)
        let error = await pollsterError {
            try await pollster.invoke(
                "origin.video", input: sampleInputs["heygen.create_avatar_video_v2"]!,
                options: InvokeOptions(baseUrlOverride: mock.baseURL))
        }
        let stats = mock.stats
        try await transport.shutdown()
        try await mock.shutdown()
        return (error, stats)
    }

    @Test("a status header with a secret is not sent to another origin; plain ones are")
    func statusHeaders() async throws {
        let (_, stats) = try await Self.run(statusBody: false)
        let polls = stats.requests.filter { $0.path.hasPrefix("/v1/video_status.get") }
        let poll = try #require(polls.first)
        #expect(poll.headers["x-status-key"] == nil)
        #expect(poll.headers["x-api-key"] == nil)
        #expect(poll.headers["x-plain"] == "visible")
        let submit = try #require(stats.requests.first { $0.method == "POST" })
        #expect(submit.headers["x-api-key"] == "heygen-test-key")
        #expect(stats.requests.allSatisfy { !"\($0.headers)\($0.bodyText)".contains(Self.canary) })
    }

    @Test("a status body with a secret is refused for another origin, and nothing is sent")
    func statusBody() async throws {
        let (error, stats) = try await Self.run(statusBody: true)
        #expect(error?.code == .unsafeURL)
        #expect(error?.message.contains("polling.statusBody") == true)
        #expect(stats.requests.filter { $0.path.hasPrefix("/v1/video_status.get") }.isEmpty)
        #expect(stats.requests.allSatisfy { !"\($0.headers)\($0.bodyText)".contains(Self.canary) })
        #expect(error?.message.contains(Self.canary) == false)
    }
}
