import Foundation
import OrderedCollections
import PollsterCore
import PollsterMock
import PollsterTesting
import Testing

/// `pollster mcp` over stdio and Streamable HTTP, driven by the official MCP Python SDK
/// (Tests/MCPClients/pollster_client.py)
/// against the mock provider.
@Suite("MCP server with the Python SDK client", .serialized, PythonClients.available)
struct MCPPythonClientTests {
    /// A secret the server holds; nothing a client sees may contain it.
    static let canary = "canary-RUNWAY-secret-7f3a9c"

    /// A scratch directory, the mock and the `pollster mcp` command line for the client.
    struct Setup {
        let directory: URL
        let mock: MockProviderServer

        var database: String { directory.appendingPathComponent("pollster.sqlite").path }

        /// `pollster mcp …` against the mock, with this setup's store and files.
        var arguments: [String] {
            [
                "mcp", "--adapters", Repository.adapters, "--sqlite", database, "--files",
                directory.appendingPathComponent("files").path, "--base-url", mock.baseURL,
                "--allow-private-networks", "--poll-interval", "0.1", "--lease", "3",
            ]
        }

        /// How the client reaches the server: it starts `pollster mcp` on stdio, or connects to `url`.
        func config(url: String? = nil) -> String {
            if let url { return JSONValue.object(["url": .string(url)]).description }
            let config: JSONValue = [
                "command": .string(CLITests.executable.path),
                "args": .array(arguments.map { .string($0) }),
                "env": [
                    "RUNWAYML_API_SECRET": .string(MCPPythonClientTests.canary), "POLLSTER_LOG_LEVEL": "info",
                ],
                "cwd": .string(directory.path),
            ]
            return config.description
        }

        /// Runs a scenario and returns its JSON output (and stderr, for the canary check).
        func client(_ scenario: String, _ extra: [String] = [], url: String? = nil) async throws -> (
            JSONValue, String
        ) {
            let script = Repository.root.appendingPathComponent("Tests/MCPClients/pollster_client.py").path
            let run = try await ProcessRun.run(
                URL(fileURLWithPath: try #require(PythonClients.interpreter)),
                [script, scenario, config(url: url)] + extra,
                in: directory)
            #expect(run.status == 0, "\(run.error.suffix(3000))")
            #expect(!run.output.contains(canary) && !run.error.contains(canary), "the secret leaked")
            let last = run.output.split(separator: "\n").last.map(String.init) ?? ""
            return (try JSONParser.parse(last), run.error)
        }

        private var canary: String { MCPPythonClientTests.canary }
    }

    static func withSetup(script: MockJobScript, _ body: (Setup) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-mcp-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let mock = try await MockProviderServer.start(defaultScript: script)
        do {
            try await body(Setup(directory: directory, mock: mock))
        } catch {
            try? await mock.shutdown()
            throw error
        }
        try await mock.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        MockTC3Verifier.sha256Hex(bytes)
    }

    @Test("tools, a plain call with progress, its file read back, bad arguments, a task polled to the end")
    func session() async throws {
        let output = MockOutput(kind: .mp4, size: 50_000)
        try await Self.withSetup(script: MockJobScript(polls: 4, output: output)) { setup in
            let (out, _) = try await setup.client("session")
            #expect(out["protocolVersion"] == "2025-11-25")
            #expect(out["tasksCapability"]?["requests"]?["tools"]?["call"] != nil)
            #expect(out["tasksCapability"]?["list"] != nil && out["tasksCapability"]?["cancel"] != nil)
            let names = out["toolNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(names.contains("runway.image_to_video") && names.contains("fal.fast_sdxl"))
            #expect(out["runway"]?["schemaType"] == "object")
            #expect(out["runway"]?["taskSupport"] == "optional")
            #expect(out["runway"]?["openWorld"] == true && out["runway"]?["readOnly"] == false)

            let plain = try #require(out["plain"])
            #expect(plain["isError"] == false)
            let text = plain["text"]?.stringValue ?? ""
            #expect(text.contains("succeeded") && text.contains("detection:"), "\(text)")
            #expect((plain["progress"]?.arrayValue?.count ?? 0) >= 2, "\(plain["progress"] ?? .null)")
            let values = plain["progress"]?.arrayValue?.compactMap { $0["progress"]?.doubleValue } ?? []
            #expect(values == values.sorted() && values.last == 100)
            let taskId = try #require(plain["structured"]?["taskId"]?.stringValue)
            #expect(plain["links"]?[0]?["uri"]?.stringValue == "pollster://tasks/\(taskId)/files/0")
            #expect(plain["links"]?[0]?["mimeType"] == "video/mp4")
            #expect(plain["links"]?[0]?["size"] == 50_000)
            #expect(plain["structured"]?["files"]?[0]?["size"] == 50_000)

            let expected = Self.sha256(MockFiles.bytes(kind: .mp4, size: 50_000))
            #expect(out["resource"]?["sha256"]?.stringValue == expected)
            #expect(out["resource"]?["mimeType"] == "video/mp4")
            #expect(
                out["resourcesListed"]?.arrayValue?.contains(.string("pollster://tasks/\(taskId)/files/0"))
                    == true)

            #expect(out["badArgs"]?["isError"] == true)
            let bad = out["badArgs"]?["text"]?.stringValue ?? ""
            #expect(bad.contains("INVALID_INPUT") && bad.contains("promptImage"), "\(bad)")
            #expect(out["unknownTool"]?.stringValue?.contains("Unknown tool") == true)

            let task = try #require(out["task"])
            #expect(task["created"] == "working")
            #expect(task["ttl"] == .null)
            #expect(task["final"] == "completed")
            #expect(task["seen"]?.arrayValue?.contains("working") == true)
            #expect(task["isError"] == false && task["links"] == 1)
            #expect(task["structuredTaskId"] == task["taskId"])
            #expect(out["listedTaskIds"]?.arrayValue?.contains(task["taskId"] ?? .null) == true)
        }
    }

    @Test("notifications/cancelled and tasks/cancel cancel the job at the provider")
    func cancel() async throws {
        try await Self.withSetup(script: MockJobScript(polls: 10_000)) { setup in
            let (out, _) = try await setup.client("cancel")
            #expect(out["plainCancelled"]?["status"] == "cancelled", "\(out)")
            #expect(out["taskCancel"]?["status"] == "cancelled", "\(out)")
            #expect(out["cancelAgain"]?.stringValue?.contains("cannot be cancelled") == true, "\(out)")
            let deletes = setup.mock.stats.requests.filter { $0.method == "DELETE" }
            #expect(deletes.count == 2, "the provider saw \(deletes.count) cancels")
        }
    }

    @Test("a task survives a restart of the server and is fetched with tasks/result")
    func restart() async throws {
        try await Self.withSetup(script: MockJobScript(polls: 8)) { setup in
            let (started, _) = try await setup.client("start-task")
            let taskId = try #require(started["taskId"]?.stringValue)
            #expect(started["status"] == "working")
            let (finished, _) = try await setup.client("finish-task", [taskId])
            #expect(finished["status"] == "completed", "\(finished)")
            #expect(finished["isError"] == false)
            #expect(finished["structuredTaskId"]?.stringValue == taskId)
            #expect(finished["sha256"]?.stringValue == Self.sha256(MockFiles.bytes(kind: .mp4, size: 4096)))
            #expect(setup.mock.stats.jobsCreated == 1, "the job was submitted once")
        }
    }

    @Test("the same session over Streamable HTTP (--http)")
    func http() async throws {
        try await Self.withSetup(
            script: MockJobScript(polls: 4, output: MockOutput(kind: .mp4, size: 50_000))
        ) {
            setup in
            let server = try MCPHTTPServerProcess(
                setup.arguments, environment: ["RUNWAYML_API_SECRET": Self.canary], in: setup.directory)
            do {
                let url = try await server.url()
                let (out, _) = try await setup.client("session", url: url)
                #expect(out["tasksCapability"]?["requests"]?["tools"]?["call"] != nil)
                #expect(out["plain"]?["isError"] == false)
                #expect((out["plain"]?["progress"]?.arrayValue?.count ?? 0) >= 2)
                #expect(
                    out["resource"]?["sha256"]?.stringValue
                        == Self.sha256(MockFiles.bytes(kind: .mp4, size: 50_000)))
                #expect(out["badArgs"]?["isError"] == true)
                #expect(out["task"]?["final"] == "completed")
            } catch {
                _ = server.stop()
                throw error
            }
            #expect(server.stop() == 0, "\(server.log.suffix(2000))")
            #expect(!server.log.contains(Self.canary))
        }
    }
}
