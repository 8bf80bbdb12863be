import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// Signed Tencent requests, Jimeng's id-keyed numeric statuses and Azure-style operations,
/// end to end against the mock provider (which verifies Tencent signatures server-side).
@Suite("Provider protocols end to end")
struct ProtocolEndToEndTests {
    /// Tool, mock path prefix, input, output kind.
    static let protocols: [(tool: String, prefix: String, input: JSONValue, kind: MockFileKind)] = [
        ("tencent-hunyuan.submit_image_job", "/tencent/hunyuan", ["prompt": "a lighthouse"], .png),
        (
            "tencent-vod.create_aigc_image_task", "/tencent/vod",
            ["sub_app_id": 1_500_032_969, "prompt": "a lighthouse"], .png
        ),
        ("jimeng.generate_video", "/jimeng", ["prompt": "waves at night"], .mp4),
        ("azure-example.operation_location_job", "/azure", ["text": "hello"], .png),
        ("azure-example.location_job", "/azure-location", ["text": "hello"], .png),
    ]

    static let secrets = replaySecrets.merging([
        "TENCENTCLOUD_SECRET_ID": MockTencentCredentials().secretId,
        "TENCENTCLOUD_SECRET_KEY": MockTencentCredentials().secretKey,
    ])

    static func options(_ mock: MockProviderServer, prefix: String, maxWait: Duration? = nil) -> InvokeOptions
    {
        InvokeOptions(
            baseUrlOverride: mock.baseURL + prefix, pollInterval: .milliseconds(20), maxWait: maxWait)
    }

    @Test("a job succeeds and its output is downloaded", arguments: 0..<protocols.count)
    func success(index: Int) async throws {
        let (tool, prefix, input, kind) = Self.protocols[index]
        try await withMockEngine(
            script: MockJobScript(polls: 2, output: MockOutput(kind: kind, size: 1500)), secrets: Self.secrets
        ) { pollster, mock in
            let result = try await pollster.invoke(
                tool, input: input, options: Self.options(mock, prefix: prefix))
            #expect(result.files.count == 1)
            #expect(result.files.first?.mimeType == kind.mimeType)
            #expect(result.files.first?.size == 1500)
            #expect(result.taskId != nil)
            #expect(mock.stats.submissions == 1)
        }
    }

    @Test("a provider failure is TASK_FAILED with its message", arguments: 0..<protocols.count)
    func failure(index: Int) async throws {
        let (tool, prefix, input, _) = Self.protocols[index]
        try await withMockEngine(
            script: MockJobScript(polls: 1, outcome: .failure(message: "content check failed")),
            secrets: Self.secrets
        ) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(tool, input: input, options: Self.options(mock, prefix: prefix))
            }
            #expect(error?.code == .taskFailed)
            #expect(error?.message.contains("content check failed") == true)
            #expect(mock.stats.submissions == 1)
        }
    }

    @Test("downloads follow absolute, root-relative and path-relative redirects")
    func redirects() async throws {
        try await withMockEngine(script: MockJobScript(polls: 1, fileRedirects: 3)) { pollster, mock in
            let result = try await pollster.invoke(
                "heygen.create_avatar_video_v2", input: sampleInputs["heygen.create_avatar_video_v2"]!,
                options: fastOptions(mock))
            #expect(result.files.count == 1)
            #expect(result.warnings.isEmpty)
            #expect(mock.stats.redirects == 3)
        }
    }

    @Test("every redirect hop is checked again: a hop to the metadata address is refused")
    func redirectHopChecked() async throws {
        let registry = try DownloadTests.heygen(output: #"{ allowHosts: ["127.0.0.1"] }"#)
        let script = MockJobScript(polls: 1, fileRedirectTarget: "http://169.254.169.254/latest/meta-data")
        try await withMockEngine(script: script, registry: registry) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(
                    "heygen.create_avatar_video_v2", input: sampleInputs["heygen.create_avatar_video_v2"]!,
                    options: fastOptions(mock))
            }
            #expect(error?.code == .unsafeURL)
            #expect(error?.message.contains("169.254.169.254") == true)
        }
    }

    @Test("a wrong Tencent key is refused by signature check, with Tencent's error code")
    func wrongSignature() async throws {
        let secrets = Self.secrets.merging(["TENCENTCLOUD_SECRET_KEY": "not-the-key"])
        try await withMockEngine(secrets: secrets) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(
                    "tencent-hunyuan.submit_image_job", input: ["prompt": "x"],
                    options: Self.options(mock, prefix: "/tencent/hunyuan"))
            }
            #expect(error?.code == .taskFailed)
            #expect(error?.message.contains("AuthFailure.SignatureFailure") == true)
            #expect(error?.message.contains("not-the-key") == false)
            #expect(mock.stats.submissions == 0)
        }
    }

    @Test("every Tencent request, submit and poll, carries a fresh signature")
    func everyRequestSigned() async throws {
        try await withMockEngine(script: MockJobScript(polls: 3), secrets: Self.secrets) { pollster, mock in
            _ = try await pollster.invoke(
                "tencent-hunyuan.submit_image_job", input: ["prompt": "x"],
                options: Self.options(mock, prefix: "/tencent/hunyuan"))
            let tencent = mock.stats.requests.filter { $0.path.hasPrefix("/tencent/") }
            #expect(tencent.count == 4)
            #expect(
                tencent.allSatisfy {
                    $0.headers["authorization"]?.hasPrefix("TC3-HMAC-SHA256 Credential=") == true
                })
            #expect(tencent.map { $0.headers["x-tc-action"] ?? "" }.sorted().first == "QueryHunyuanImageJob")
        }
    }
}
