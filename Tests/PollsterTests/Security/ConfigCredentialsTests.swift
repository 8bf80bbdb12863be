import Foundation
import Pollster
import PollsterCore
import PollsterTesting
import Testing

/// Credentials written into config URLs: refused where they can never work (user-info), and
/// masked wherever a URL is printed (`list`, `registry export`) (issue 12).
@Suite("Security: literal credentials in configs")
struct ConfigCredentialsTests {
    static func inventory(baseUrl: String = "https://api.test", method: String) -> String {
        """
        inventory: lit
        baseUrl: \(baseUrl)
        methods:
          - name: run
        \(method.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    static func directory(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-lit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    @Test(
        "user:password@ in a config URL is refused with INVALID_CONFIG pointing to auth",
        arguments: [
            ("baseUrl", inventory(baseUrl: "https://me:pw1234@api.test", method: "endpoint: /x")),
            ("endpoint", inventory(method: "endpoint: https://me:pw1234@api.test/x")),
            (
                "adapterConfig.polling.statusUrl",
                inventory(
                    method:
                        "endpoint: /x\nadapterConfig:\n  polling: { statusUrl: 'https://me:pw1234@api.test/s/{id}' }"
                )
            ),
            (
                "adapterConfig.result.url",
                inventory(
                    method:
                        "endpoint: /x\nadapterConfig:\n  result: { url: 'https://${USER}:${PASS}@api.test/r/{id}' }"
                )
            ),
            (
                "adapterConfig.cancel.url",
                inventory(
                    method:
                        "endpoint: /x\nadapterConfig:\n  cancel: { url: 'https://me:pw1234@api.test/c/{id}' }"
                )
            ),
        ])
    func userinfoRefused(key: String, yaml: String) async throws {
        let config = try InventoryLoader.load(yaml: yaml, source: "lit.yaml")
        let problems = ToolMethod.compile(config).problems
        let error = try #require(problems.first?.error)
        #expect(error.code == .invalidConfig)
        #expect(error.message.contains("\(key): '"), "\(error.message)")
        #expect(error.message.contains("auth: { type: basic"))
        #expect(!error.message.contains("pw1234"))
    }

    @Test("pollster validate refuses user-info and names the key")
    func validateRefuses() async throws {
        let directory = try Self.directory([
            "lit.yaml": Self.inventory(method: "endpoint: https://me:pw1234@api.test/x")
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try await CLITests.run(["validate", directory.path])
        #expect(run.status == PollsterExitCodes.invalidConfig)
        #expect(
            run.error.contains("endpoint: 'https://[REDACTED]@api.test/x' holds credentials"), "\(run.error)")
        #expect(!run.error.contains("pw1234") && !run.output.contains("pw1234"))
    }

    static let literalKey = "lit-key-5d1b77"
    static let listed = [
        "lit.yaml": inventory(
            method:
                "endpoint: /v1/run?api_key=\(literalKey)&mode=fast\nadapterConfig:\n  query: { token: \"${LIT_TOKEN}\" }"
        ),
        "ref.yaml": """
        inventory: ref
        baseUrl: https://api.ref.test
        methods:
          - name: go
            endpoint: /v1/go?api_key=${REF_KEY}
        """,
    ]

    @Test(
        "pollster list masks literal credentials in URLs and shows ${NAME} references",
        arguments: [false, true])
    func listMasks(json: Bool) async throws {
        let directory = try Self.directory(Self.listed)
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try await CLITests.run(["list", "--adapters", directory.path] + (json ? ["--json"] : []))
        #expect(run.status == 0, "\(run.error)")
        #expect(!run.output.contains(Self.literalKey), "\(run.output)")
        #expect(run.output.contains("/v1/run?api_key=[REDACTED]&mode=fast"))
        #expect(run.output.contains("/v1/go?api_key=${REF_KEY}"))
    }

    @Test("registry export masks a literal query credential, says so, and keeps references")
    func exportMasks() async throws {
        let directory = try Self.directory(Self.listed)
        let output = directory.appendingPathComponent("out")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try await CLITests.run([
            "registry", "export", "--yaml", output.path, "--adapters", directory.path,
        ])
        #expect(run.status == 0, "\(run.error)")
        let lit = try String(contentsOf: output.appendingPathComponent("lit.yaml"), encoding: .utf8)
        let ref = try String(contentsOf: output.appendingPathComponent("ref.yaml"), encoding: .utf8)
        #expect(!lit.contains(Self.literalKey))
        #expect(lit.contains("api_key=[REDACTED]&mode=fast"))
        #expect(lit.contains("${LIT_TOKEN}"))
        #expect(ref.contains("/v1/go?api_key=${REF_KEY}"))
        #expect(run.error.contains("lit.run (version 1): endpoint holds a literal secret"), "\(run.error)")
        #expect(!run.error.contains("ref.go"))
    }
}
