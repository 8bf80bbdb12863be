import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// Bad configs, inputs and secrets give a stable code and a message that says what to fix,
/// before anything is sent.
@Suite("Bad input")
struct BadInputTests {
    static let minimal = """
        inventory: acme
        baseUrl: https://api.acme.test
        methods:
          - name: render
            endpoint: /render
            adapterConfig:
              headers: { Authorization: "Bearer ${ACME_TOKEN}" }
              polling: { statusUrl: "/jobs/{id}", intervalSeconds: 1 }
        """

    @Test("malformed YAML names the file and line")
    func malformedYAML() throws {
        let error = #expect(throws: PollsterError.self) {
            _ = try InventoryLoader.load(
                yaml: "inventory: acme\nmethods: [\n  - name: x\n", source: "acme.yaml")
        }
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.hasPrefix("acme.yaml: not valid YAML") == true)
        #expect(error?.message.contains("line") == true)
    }

    @Test(
        "an unknown key is named with its line and the nearest known key",
        arguments: [
            ("intervalSecond: 1", "polling.intervalSecond", "intervalSeconds"),
            ("statusUrll: /jobs/{id}", "polling.statusUrll", "statusUrl"),
        ])
    func unknownKey(line: String, path: String, suggestion: String) throws {
        let text = """
            inventory: acme
            baseUrl: https://api.acme.test
            methods:
              - name: render
                endpoint: /render
                adapterConfig:
                  polling:
                    \(line)
            """
        let error = #expect(throws: PollsterError.self) {
            _ = try InventoryLoader.load(yaml: text, source: "acme.yaml")
        }
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.contains("acme.yaml:8") == true)
        #expect(error?.message.contains("methods[0].adapterConfig.\(path)") == true)
        #expect(error?.message.contains("did you mean '\(suggestion)'") == true)
    }

    @Test("a wrong type names the key and what was expected")
    func wrongType() throws {
        let text = Self.minimal.replacingOccurrences(of: "intervalSeconds: 1", with: "intervalSeconds: soon")
        let error = #expect(throws: PollsterError.self) {
            _ = try InventoryLoader.load(yaml: text, source: "acme.yaml")
        }
        #expect(
            error?.message.contains("methods[0].adapterConfig.polling.intervalSeconds: expected a number")
                == true)
    }

    static let wrongValueCases: [(from: String, to: String, message: String)] = [
        (
            "intervalSeconds: 1", "intervalSeconds: soon",
            "acme.yaml:8: methods[0].adapterConfig.polling.intervalSeconds: expected a number"
        ),
        ("name: render", "name: null", "acme.yaml:4: methods[0].name: expected a string, found null"),
        (
            "intervalSeconds: 1 }", "intervalSeconds: 1, maxConsecutiveErrors: 2.5 }",
            "acme.yaml:8: methods[0].adapterConfig.polling.maxConsecutiveErrors: Parsed JSON number <2.5> does not fit in Int."
        ),
        ("endpoint: /render", "endpoint: [/render]", "acme.yaml:5: methods[0].endpoint: expected a string"),
        ("name: render\n    endpoint", "endpoint", "acme.yaml:4: methods[0]: missing required key 'name'"),
    ]

    @Test("a value of the wrong kind names its file, line and key", arguments: wrongValueCases)
    func wrongValue(from: String, to: String, message: String) throws {
        let text = Self.minimal.replacingOccurrences(of: from, with: to)
        let error = #expect(throws: PollsterError.self) {
            _ = try InventoryLoader.load(yaml: text, source: "acme.yaml")
        }
        #expect(error?.message == message)
    }

    @Test("a broken file does not hide the others, and its tools say why they cannot run")
    func brokenFileIsolated() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.minimal.write(
            to: directory.appendingPathComponent("acme.yaml"), atomically: true, encoding: .utf8)
        try
            "inventory: broken\nbaseUrl: https://b.test\nmethods:\n  - name: x\n    endpoint: /x\n    adapterConfig: { polling: { statusPath: 'a[' } }\n"
            .write(to: directory.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let registry = try YAMLRegistry(directory: directory.path)
        #expect(try await registry.methods().map(\.name) == ["acme.render"])
        let problems = try await registry.problems()
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("polling.statusPath") == true)
        let error = await pollsterError { try await registry.method(named: "broken.x") }
        #expect(error?.code == .invalidConfig)
    }

    @Test("a missing secret fails before any request is sent")
    func missingSecret() async throws {
        try await withMockEngine(registry: try registry(yaml: Self.minimal), secrets: Secrets([:])) {
            pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke("acme.render", input: [:], options: fastOptions(mock))
            }
            #expect(error?.code == .missingSecret)
            #expect(error?.message.contains("${ACME_TOKEN}") == true)
            #expect(mock.stats.requests.isEmpty)
        }
    }

    @Test("an unknown tool suggests the nearest name")
    func unknownTool() async throws {
        try await withMockEngine { pollster, _ in
            let error = await pollsterError {
                try await pollster.invoke("heygen.create_avatar_video_v3", input: [:])
            }
            #expect(error?.code == .toolNotFound)
            #expect(error?.message.contains("did you mean heygen.create_avatar_video_v2") == true)
        }
    }

    @Test("input that is not an object is refused before anything is sent")
    func nonObjectInput() async throws {
        try await withMockEngine { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(
                    "fal.fast_sdxl", input: ["not", "an", "object"], options: fastOptions(mock))
            }
            #expect(error?.code == .invalidInput)
            #expect(mock.stats.requests.isEmpty)
        }
    }

    @Test("a task id with URL syntax is percent-encoded into the status URL")
    func taskIdCannotInject() throws {
        let template = try Template(parsing: "/jobs/{id}")
        let context = TemplateContext(input: [:], taskId: "../admin?x=1#", secrets: Secrets([:]))
        #expect(try template.render(context, encoding: .url) == "/jobs/..%2Fadmin%3Fx%3D1%23")
    }

    @Test("a secret never appears in an error message")
    func secretsRedacted() async throws {
        let yaml = """
            inventory: leaky
            baseUrl: http://127.0.0.1:9
            methods:
              - name: echo
                endpoint: /submit/${LEAKY_TOKEN}
                adapterConfig: { submit: { maxAttempts: 1 } }
            """
        var configuration = HTTPClientTransport.Configuration()
        configuration.connectTimeout = .milliseconds(300)
        let transport = HTTPClientTransport(configuration: configuration)
        let pollster = Pollster(
            registry: try registry(yaml: yaml), transport: transport,
            secrets: Secrets(["LEAKY_TOKEN": "super-secret-token-123"]))
        let error = await pollsterError { try await pollster.invoke("leaky.echo", input: [:]) }
        try await transport.shutdown()
        let failure = try #require(error)
        #expect(failure.code == .transportError)
        #expect(failure.message.contains("/submit/[REDACTED]"))
        #expect(!failure.message.contains("super-secret-token-123"))
    }
}
