import Foundation
import PollsterCore
import PollsterTesting
import Testing

/// `pollster explain` prints what a recorded exchange holds; a recording made with real
/// credentials must not show them (issue 12).
@Suite("Security: explain redacts")
struct ExplainRedactionTests {
    static let canary = "canary-9f2c/7Qx+secret"

    @Test("explain masks the tool's secret values (any encoding) and credentials in URLs")
    func explainRedacts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
        inventory: leaky
        baseUrl: https://api.leaky.test
        methods:
          - name: render
            endpoint: /jobs
            adapterConfig:
              headers: { X-Api-Key: "${LEAKY_KEY}" }
        """.write(to: directory.appendingPathComponent("leaky.yaml"), atomically: true, encoding: .utf8)
        let encoded = PercentEncoding.encode(Self.canary)
        let base64 = Data(Self.canary.utf8).base64EncodedString()
        let fixture: JSONValue = [
            "tool": "leaky.render",
            "exchanges": [
                [
                    "request": [
                        "method": "POST", "url": .string("https://api.leaky.test/jobs?api_key=\(encoded)"),
                    ],
                    "response": [
                        "status": 200,
                        "body": [
                            "id": "t1",
                            "status_url": .string("https://u:pw@api.leaky.test/jobs/t1?sig=abc123&page=1"),
                        ],
                    ],
                ],
                [
                    "request": ["method": "GET", "url": "https://api.leaky.test/jobs/t1"],
                    "response": [
                        "status": 200,
                        "body": [
                            "status": "failed", "error": .string("key \(Self.canary) (\(base64)) refused"),
                        ],
                    ],
                ],
            ],
        ]
        let file = directory.appendingPathComponent("leaky.json")
        try Data(JSONWriter.bytes(fixture)).write(to: file)

        let run = try await CLITests.run(
            ["explain", "--fixture", file.path, "--adapters", directory.path],
            environment: ["LEAKY_KEY": Self.canary])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("rules: leaky.render"))
        for leak in [Self.canary, encoded, base64, "u:pw@", "abc123"] {
            #expect(!run.output.contains(leak), "\(leak) in \(run.output)")
        }
        #expect(run.output.contains("api_key=[REDACTED]"))
        #expect(run.output.contains("key [REDACTED] ([REDACTED]) refused"))
        #expect(run.output.contains("https://[REDACTED]@api.leaky.test/jobs/t1?sig=[REDACTED]&page=1"))
    }
}
