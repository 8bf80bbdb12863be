import Foundation
import MCP
import Pollster
import PollsterCore
import PollsterMock
import PollsterTesting
import Synchronization
import Testing

@testable import PollsterMCP

/// The tool mapping seen through the SDK's own client on an in-memory transport.
@Suite("MCP tool mapping", .serialized)
struct MCPToolMappingTests {
    @Test("every enabled method is a tool with an object schema, annotations and task support")
    func listTools() async throws {
        try await MCPTestHarness.withClient { client, _ in
            let tools = try await client.raw(RawListTools.self, [:])["tools"]?.arrayValue ?? []
            let registry = try YAMLRegistry(directory: MCPTestHarness.adapters)
            let expected = try await registry.methods().filter(\.config.enabled).map(\.name)
            #expect(tools.compactMap { $0["name"]?.stringValue } == expected)
            for tool in tools {
                #expect(tool["inputSchema"]?["type"] == "object", "\(tool)")
                #expect(tool["execution"]?["taskSupport"] == "optional")
                #expect(tool["annotations"]?["openWorldHint"] == true)
                #expect(tool["annotations"]?["readOnlyHint"] == false)
                #expect(tool["description"]?.stringValue?.isEmpty == false)
            }
            let fal = tools.first { $0["name"] == "fal.fast_sdxl" }
            #expect(fal?["inputSchema"]?["required"]?.arrayValue?.contains("prompt") == true)
        }
    }

    @Test("a separator renames tools for hosts that refuse dots, and calls find them")
    func separator() async throws {
        try await MCPTestHarness.withClient(naming: ToolNaming(separator: "__")) { client, _ in
            let tools = try await client.raw(RawListTools.self, [:])["tools"]?.arrayValue ?? []
            #expect(tools.contains { $0["name"] == "fal__fast_sdxl" })
            #expect(!tools.contains { $0["name"]?.stringValue?.contains(".") == true })
            let result = try await client.raw(
                RawCallTool.self, ["name": "fal__fast_sdxl", "arguments": ["prompt": "a lighthouse"]])
            #expect(result["isError"] == false, "\(result)")
            #expect(result["structuredContent"]?["tool"] == "fal__fast_sdxl")
        }
    }

    @Test("invalid arguments are a tool error naming the field; unknown tools a protocol error")
    func badArguments() async throws {
        try await MCPTestHarness.withClient { client, _ in
            let result = try await client.raw(RawCallTool.self, ["name": "fal.fast_sdxl", "arguments": [:]])
            #expect(result["isError"] == true)
            let text = result["content"]?[0]?["text"]?.stringValue ?? ""
            #expect(text.contains("INVALID_INPUT") && text.contains("prompt"), "\(text)")
            #expect(result["structuredContent"]?["error"]?["code"] == "INVALID_INPUT")
            await #expect(throws: MCPError.self) {
                _ = try await client.raw(RawCallTool.self, ["name": "nope.missing", "arguments": [:]])
            }
        }
    }

    @Test("a plain call returns a summary, the result JSON and resource links that read back byte-identical")
    func plainCall() async throws {
        let output = MockOutput(kind: .png, size: 20_000, count: 2)
        try await MCPTestHarness.withClient(script: MockJobScript(polls: 2, output: output)) { client, _ in
            let result = try await client.raw(
                RawCallTool.self, ["name": "fal.fast_sdxl", "arguments": ["prompt": "a lighthouse"]])
            #expect(result["isError"] == false, "\(result)")
            let content = result["content"]?.arrayValue ?? []
            #expect(content.first?["type"] == "text")
            #expect(content.first?["text"]?.stringValue?.contains("succeeded: fal.fast_sdxl") == true)
            let links = content.filter { $0["type"] == "resource_link" }
            #expect(links.count == 2)
            let taskId = try #require(result["structuredContent"]?["taskId"]?.stringValue)
            #expect(
                result["_meta"]?["io.modelcontextprotocol/related-task"]?["taskId"]?.stringValue == taskId)
            #expect(result["structuredContent"]?["data"]?.objectValue != nil)
            let expected = Data(MockFiles.bytes(kind: .png, size: 20_000)).base64EncodedString()
            for (index, link) in links.enumerated() {
                #expect(link["uri"]?.stringValue == "pollster://tasks/\(taskId)/files/\(index)")
                #expect(link["mimeType"] == "image/png")
                #expect(link["size"] == 20_000)
                let read = try await client.raw(RawReadResource.self, ["uri": link["uri"] ?? .null])
                #expect(read["contents"]?[0]?["blob"]?.stringValue == expected)
            }
            await #expect(throws: MCPError.self) {
                _ = try await client.raw(RawReadResource.self, ["uri": "pollster://tasks/\(taskId)/files/9"])
            }
        }
    }

    @Test("a failed job is a tool error with the provider's message, and no answer holds a secret")
    func failedJob() async throws {
        let script = MockJobScript(polls: 1, outcome: .failure(message: "content policy"))
        try await MCPTestHarness.withClient(script: script) { client, _ in
            let result = try await client.raw(
                RawCallTool.self, ["name": "fal.fast_sdxl", "arguments": ["prompt": "a lighthouse"]])
            #expect(result["isError"] == true)
            #expect(result["structuredContent"]?["error"]?["code"] == "TASK_FAILED", "\(result)")
            let tools = try await client.raw(RawListTools.self, [:])
            for answer in [result, tools] {
                let text = String(decoding: try JSONEncoder().encode(answer), as: UTF8.self)
                #expect(!text.contains(MCPTestHarness.canary))
            }
        }
    }

    @Test("a task-augmented call returns a task at once; tasks/get and tasks/result follow it")
    func taskAugmented() async throws {
        try await MCPTestHarness.withClient(script: MockJobScript(polls: 3)) { client, _ in
            let created = try await client.raw(
                RawCallTool.self,
                ["name": "fal.fast_sdxl", "arguments": ["prompt": "a lighthouse"], "task": ["ttl": 60000]])
            let task = try #require(created["task"])
            #expect(task["status"] == "working")
            #expect(task["ttl"] == .null)
            #expect(task["pollInterval"] == 1000)
            let id = try #require(task["taskId"])
            #expect(task["createdAt"]?.stringValue?.hasSuffix("Z") == true)
            let result = try await client.raw(RawTaskResult.self, ["taskId": id])
            #expect(result["isError"] == false, "\(result)")
            #expect(result["_meta"]?["io.modelcontextprotocol/related-task"]?["taskId"] == id)
            let got = try await client.raw(RawGetTask.self, ["taskId": id])
            #expect(got["status"] == "completed")
            await #expect(throws: MCPError.self) {
                _ = try await client.raw(RawGetTask.self, ["taskId": "nope"])
            }
        }
    }

    @Test("a task-augmented call sends notifications/tasks/status when its status changes, last when it ends")
    func statusNotifications() async throws {
        let seen = Mutex<[Value]>([])
        let listen: (Client) async -> Void = { client in
            await client.onNotification(TaskStatusNotification.self) { message in
                seen.withLock { $0.append(message.params) }
            }
        }
        try await MCPTestHarness.withClient(script: MockJobScript(polls: 3), prepare: listen) { client, _ in
            let created = try await client.raw(
                RawCallTool.self,
                ["name": "fal.fast_sdxl", "arguments": ["prompt": "a lighthouse"], "task": [:]])
            let id = try #require(created["task"]?["taskId"])
            _ = try await client.raw(RawTaskResult.self, ["taskId": id])
            for _ in 0..<50 where seen.withLock({ $0.last?["status"] }) != "completed" {
                try await Task.sleep(for: .milliseconds(50))
            }
            // Nothing more once the task ended.
            try await Task.sleep(for: .milliseconds(300))
            let notes = seen.withLock { $0 }
            #expect(notes.last?["status"] == "completed", "\(notes)")
            #expect(notes.allSatisfy { $0["taskId"] == id }, "\(notes)")
            #expect(notes.filter { $0["status"] == "completed" }.count == 1, "\(notes)")
            let keys = notes.map { [$0["status"], $0["statusMessage"]] }
            #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 != $1 }, "each says something new: \(notes)")
        }
    }

    @Test("a store outage delays notifications/tasks/status; it does not end them")
    func statusNotificationsAfterOutage() async throws {
        let store = CountingTaskStore(InMemoryTaskStore())
        let seen = Mutex<[Value]>([])
        let listen: (Client) async -> Void = { client in
            await client.onNotification(TaskStatusNotification.self) { message in
                seen.withLock { $0.append(message.params) }
            }
        }
        try await MCPTestHarness.withClient(script: MockJobScript(polls: 3), store: store, prepare: listen) {
            client, _ in
            store.failUpdateTimes(after: .zero)
            let created = try await client.raw(
                RawCallTool.self,
                ["name": "fal.fast_sdxl", "arguments": ["prompt": "a lighthouse"], "task": [:]])
            let id = try #require(created["task"]?["taskId"])
            for _ in 0..<100
            where try await client.raw(RawGetTask.self, ["taskId": id])["status"] != "completed" {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(seen.withLock { $0.isEmpty }, "no update time could be read")
            store.recover()
            for _ in 0..<50 where seen.withLock({ $0.last?["status"] }) != "completed" {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(seen.withLock { $0.last?["status"] } == "completed", "\(seen.withLock { $0 })")
        }
    }

    @Test("a change of the registry's methods sends notifications/tools/list_changed")
    func listChanged() async throws {
        let all = try await YAMLRegistry(directory: MCPTestHarness.adapters).methods()
        let registry = ChangingRegistry(all)
        let changes = Mutex(0)
        let listen: (Client) async -> Void = { client in
            await client.onNotification(ToolListChangedNotification.self) { _ in changes.withLock { $0 += 1 }
            }
        }
        try await MCPTestHarness.withClient(registry: registry, prepare: listen) { client, _ in
            try await Task.sleep(for: .milliseconds(300))
            #expect(changes.withLock { $0 } == 0, "nothing changed yet")
            registry.set(all.filter { $0.name != "fal.fast_sdxl" })
            for _ in 0..<50 where changes.withLock({ $0 }) == 0 {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(changes.withLock { $0 } == 1)
            let tools = try await client.raw(RawListTools.self, [:])["tools"]?.arrayValue ?? []
            #expect(!tools.contains { $0["name"] == "fal.fast_sdxl" })
        }
    }

    @Test("the initialize answer gains the tasks capability")
    func capability() throws {
        let answer = Data(
            #"{"id":1,"jsonrpc":"2.0","result":{"capabilities":{"tools":{}},"protocolVersion":"2025-11-25","serverInfo":{"name":"pollster","version":"0"}}}"#
                .utf8)
        let patched = try JSONDecoder().decode(
            Value.self, from: TaskCapabilityTransport.addingCapability(to: answer))
        #expect(patched["result"]?["capabilities"]?["tasks"]?["requests"]?["tools"]?["call"] == [:])
        #expect(patched["result"]?["capabilities"]?["tools"] == [:])
        let other = Data(#"{"id":2,"jsonrpc":"2.0","result":{"tools":[]}}"#.utf8)
        #expect(TaskCapabilityTransport.addingCapability(to: other) == other)
    }

    @Test(
        "resource URIs parse only in their own shape",
        arguments: [
            ("pollster://tasks/abc/files/0", true), ("pollster://tasks/abc/files/-1", false),
            ("pollster://tasks//files/0", false), ("pollster://tasks/abc/files/0/x", false),
            ("file:///etc/passwd", false),
        ])
    func uris(text: String, valid: Bool) {
        #expect((FileResourceURI(text) != nil) == valid)
    }
}
