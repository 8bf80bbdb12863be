import Foundation
import NIOHTTP1
import PollsterCore
import PollsterMock
import Testing

@testable import Pollster

/// URLs are stored (task checkpoints) and printed (errors): a secret in a query string or in
/// user-info must not go with them (issue 12).
@Suite("Security: credentials in URLs")
struct URLCredentialsTests {
    @Test(
        "URLs lose user-info and credential-like query values, and keep the rest",
        arguments: [
            ("https://u:pw@api.test/v1?page=2", "https://[REDACTED]@api.test/v1?page=2"),
            ("https://api.test/v1?api_key=abc&page=2", "https://api.test/v1?api_key=[REDACTED]&page=2"),
            ("https://api.test/v1?page=2&apiKey=abc#top", "https://api.test/v1?page=2&apiKey=[REDACTED]#top"),
            (
                "https://b.s3.test/o.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F1&X-Amz-Signature=f00&X-Amz-Security-Token=t",
                "https://b.s3.test/o.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&X-Amz-Security-Token=[REDACTED]"
            ),
            (
                "https://cos.test/a.png?q-sign-algorithm=sha1&q-ak=AKID&q-signature=9&size=1",
                "https://cos.test/a.png?q-sign-algorithm=[REDACTED]&q-ak=[REDACTED]&q-signature=[REDACTED]&size=1"
            ),
            (
                "https://x.test/?sig=1&se=2&token=3&access_token=4&auth=5",
                "https://x.test/?sig=[REDACTED]&se=2&token=[REDACTED]&access_token=[REDACTED]&auth=[REDACTED]"
            ),
            (
                "https://x.test/?secret=1&password=2&session=3&key=4&keyword=5",
                "https://x.test/?secret=[REDACTED]&password=[REDACTED]&session=[REDACTED]&key=[REDACTED]&keyword=5"
            ),
            ("postgres://app:pw@db.test:5432/pollster", "postgres://[REDACTED]@db.test:5432/pollster"),
            ("/v1/status?id=7&token=", "/v1/status?id=7&token="),
            ("https://api.test/v1/jobs/7", "https://api.test/v1/jobs/7"),
        ])
    func masked(url: String, expected: String) {
        #expect(Redactor.redactURL(url) == expected)
    }

    @Test("an instance redactor also masks known secret values elsewhere in the URL")
    func knownSecrets() {
        let redactor = Redactor(secrets: ["s3cret-value"])
        #expect(
            redactor.redactURL("https://u:p@api.test/keys/s3cret-value/run?x=s3cret-value&sig=z")
                == "https://[REDACTED]@api.test/keys/[REDACTED]/run?x=[REDACTED]&sig=[REDACTED]")
    }

    @Test("a relative status URL resolves against a masked submit URL as against the real one")
    func resolutionUnaffected() {
        let real = "https://api.test/v1/jobs?api_key=s3cret&mode=fast"
        for reference in ["/v1/status/7", "status/7", "../other/7?x=1", "https://abs.test/s"] {
            #expect(
                HTTPURL.resolve(reference, against: Redactor.redactURL(real))
                    == HTTPURL.resolve(reference, against: real))
        }
    }

    @Test("a secret in a query parameter never reaches a durable task record (SQLite)")
    func taskRecord() async throws {
        let canary = testSecrets["HEYGEN_API_KEY"]!
        let registry = try heygenRegistry(#"query: { api_key: "${HEYGEN_API_KEY}" }"#)
        let tool = "heygen.create_avatar_video_v2"
        try await withTaskHarness(.sqlite, registry: registry) { harness in
            let task = try await harness.service.submit(
                tool, input: sampleInputs[tool]!, options: harness.options)
            let done = try await harness.running([harness.worker("w1")]) {
                try await harness.service.wait(task.id, timeout: .seconds(60))
            }
            #expect(done.state == .succeeded)
            let checkpoint = try #require(done.checkpoint)
            #expect(checkpoint.submitURL.hasSuffix("/v2/video/generate?api_key=[REDACTED]"))
            let stored = try #require(try await harness.store.task(id: task.id))
            for record in [done, stored] {
                let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
                #expect(!json.contains(canary))
            }
        }
    }

    @Test("RESPONSE_TOO_LARGE names the URL without the secret in its query")
    func tooLarge() async throws {
        let canary = "canary-q-7f3e9a"
        let provider = HostileProvider { _ in
            HostileProvider.Answer(headers: ["Content-Length": "999999999999"], body: Array("{}".utf8))
        }
        let registry = try registry(
            yaml: """
                inventory: big
                baseUrl: https://api.big.test
                methods:
                  - name: run
                    endpoint: /jobs?api_key=${BIG_KEY}
                """)
        let pollster = Pollster(
            registry: registry, transport: provider, secrets: Secrets(["BIG_KEY": canary]),
            urlPolicy: URLPolicy(allowPrivateNetworks: true), logger: quietLogger)
        let error = await pollsterError { try await pollster.invoke("big.run", input: [:]) }
        #expect(error?.code == .responseTooLarge)
        #expect(error?.message.contains(canary) == false, "\(error?.message ?? "")")
        #expect(error?.message.contains("api_key=[REDACTED]") == true, "\(error?.message ?? "")")
        #expect(provider.requests.first?.url.contains(canary) == true, "the request itself carries it")
    }

    @Test("PollsterError.tooLarge masks the URL (the transport's streamed-body limit)")
    func tooLargeHelper() {
        let request = TransportRequest(method: "GET", url: "https://a.test/x?token=abcdef123")
        #expect(
            PollsterError.tooLarge(request, limit: 10).message
                == "GET https://a.test/x?token=[REDACTED] answered more than the 10-byte limit")
    }
}
