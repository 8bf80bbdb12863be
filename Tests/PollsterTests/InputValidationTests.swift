import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// `requestSchema` through the library: a bad input is refused before anything is sent,
/// and a bad schema is a config error when the adapter loads.
@Suite("Input validation")
struct InputValidationTests {
    /// A fal-shaped adapter with a schema the mock's fal routes can serve.
    static let adapter = """
        inventory: studio
        baseUrl: https://queue.studio.test
        methods:
          - name: render
            endpoint: /fal-ai/fast-sdxl
            requestSchema:
              type: object
              required: [prompt]
              additionalProperties: false
              properties:
                prompt: { type: string, minLength: 1 }
                num_images: { type: integer, minimum: 1, maximum: 4 }
                image_size: { enum: [square, landscape_4_3] }
                loras:
                  type: array
                  items: { type: object, required: [path], properties: { path: { type: string, pattern: "^https://" } } }
            adapterConfig:
              auth: { type: header, name: Authorization, value: "Key ${FAL_KEY}" }
              polling: { intervalSeconds: 1, maxWaitSeconds: 30 }
              result: { url: "{response.response_url}" }
        """

    /// Writes `files` (name → YAML) into a fresh temporary directory and loads it.
    static func registry(files: [String: String]) throws -> YAMLRegistry {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return try YAMLRegistry(directory: directory.path)
    }

    @Test("a bad input is INVALID_INPUT naming every path, and nothing reaches the provider")
    func badInputSendsNothing() async throws {
        let registry = try Self.registry(files: ["studio.yaml": Self.adapter])
        try await withMockEngine(registry: registry) { pollster, mock in
            let input: JSONValue = [
                "prompt": "", "num_images": 2.5, "image_size": "portrait", "seed": 7,
                "loras": [["path": "https://a.test/l.safetensors"], ["path": "http://b.test/l"], [:]],
            ]
            let error = await pollsterError {
                try await pollster.invoke("studio.render", input: input, options: fastOptions(mock))
            }
            let failure = try #require(error)
            #expect(failure.code == .invalidInput)
            #expect(failure.message.hasPrefix("studio.render: the input does not match requestSchema: "))
            #expect(failure.message.hasSuffix(". Nothing was sent."))
            for expected in [
                #"input.image_size: must be one of "square", "landscape_4_3", got string "portrait""#,
                #"input.loras[1].path: must match the pattern "^https://""#,
                "input.loras[2].path: is required but missing",
                "input.num_images: must be an integer, got number 2.5",
                "input.prompt: must be at least 1 character long, got 0",
                "input.seed: is not an accepted property",
            ] {
                #expect(failure.message.contains(expected), "missing \(expected) in \(failure.message)")
            }
            #expect(!failure.message.contains("loras[0]"))
            let stats = mock.stats
            #expect(stats.submissions == 0)
            #expect(stats.requests.isEmpty)

            let checked = await pollsterError {
                try await pollster.validateInput("studio.render", input: input)
            }
            #expect(checked?.message == failure.message)
        }
    }

    @Test("a good input passes validateInput and the invocation succeeds")
    func goodInputRuns() async throws {
        let registry = try Self.registry(files: ["studio.yaml": Self.adapter])
        try await withMockEngine(script: MockJobScript(polls: 1), registry: registry) { pollster, mock in
            let input: JSONValue = [
                "prompt": "a lighthouse", "num_images": 2.0, "image_size": "square",
                "loras": [["path": "https://a.test/l.safetensors"]],
            ]
            let method = try await pollster.validateInput("studio.render", input: input)
            #expect(method.name == "studio.render")
            #expect(mock.stats.submissions == 0)
            let result = try await pollster.invoke("studio.render", input: input, options: fastOptions(mock))
            #expect(result.state == .succeeded)
            #expect(mock.stats.submissions == 1)
        }
    }

    @Test("validateInput runs the other input checks too: unknown tool, non-object input")
    func validateInputChecks() async throws {
        let registry = try Self.registry(files: ["studio.yaml": Self.adapter])
        try await withMockEngine(registry: registry) { pollster, mock in
            let unknown = await pollsterError { try await pollster.validateInput("studio.rendr", input: [:]) }
            #expect(unknown?.code == .toolNotFound)
            #expect(unknown?.message.contains("did you mean studio.render") == true)
            let notObject = await pollsterError {
                try await pollster.validateInput("studio.render", input: "a cat")
            }
            #expect(notObject?.code == .invalidInput)
            #expect(notObject?.message.contains("must be a JSON object") == true)
            #expect(mock.stats.requests.isEmpty)
        }
    }

    @Test("a bad requestSchema is INVALID_CONFIG naming requestSchema, and only its method is disabled")
    func badSchemaFailsLoading() async throws {
        let broken = Self.adapter
            .replacingOccurrences(of: "inventory: studio", with: "inventory: broken")
            .replacingOccurrences(of: "num_images: { type: integer,", with: "num_images: { type: int,")
        #expect(broken.contains("type: int,"))
        let registry = try Self.registry(files: ["studio.yaml": Self.adapter, "broken.yaml": broken])
        #expect(try await registry.methods().map(\.name) == ["studio.render"])
        let problems = try await registry.problems()
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.code == .invalidConfig)
        #expect(
            problem.message.contains(
                "broken.yaml: methods[0] (render): requestSchema.properties.num_images.type: 'int' is not a JSON Schema type"
            ), "\(problem.message)")
        try await withMockEngine(registry: registry) { pollster, mock in
            let error = await pollsterError {
                try await pollster.validateInput("broken.render", input: ["prompt": "x"])
            }
            #expect(error?.code == .invalidConfig)
            #expect(error?.message.contains("requestSchema.properties.num_images.type") == true)
            #expect(mock.stats.requests.isEmpty)
        }

        let typo = Self.adapter.replacingOccurrences(of: "required: [prompt]", with: "requred: [prompt]")
        #expect(typo != Self.adapter)
        let typoProblems = try await Self.registry(files: ["studio.yaml": typo]).problems()
        #expect(typoProblems.count == 1)
        #expect(
            typoProblems.first?.message.contains(
                "requestSchema.requred: unknown JSON Schema keyword 'requred'; did you mean 'required'?")
                == true)
    }
}
