import Foundation
import NIOCore
import NIOPosix
import Pollster
import PollsterCore
import PollsterMock
import PollsterTesting
import Testing

/// `submit.reconcile`: a submit whose answer was lost is found again by its client reference
/// (the shipped HeyGen adapter tags the video's title and looks it up in `/v1/video.list`).
@Suite("Submit reconcile")
struct ReconcileTests {
    static let heygen = "heygen.create_avatar_video_v2"

    @Test(
        "a lost submit answer is found by its client reference: one job, and the call succeeds",
        arguments: [
            MockFault.serverError(status: 500), .connectionReset, .htmlErrorPage(status: 502), .truncatedJSON,
        ])
    func lostAnswerIsFound(_ fault: MockFault) async throws {
        var script = MockJobScript(polls: 2)
        script.lostSubmitAnswer = fault
        try await withMockEngine(script: script) { pollster, mock in
            let result = try await pollster.invoke(
                Self.heygen, input: sampleInputs[Self.heygen]!, options: fastOptions(mock))
            #expect(result.state == .succeeded)
            #expect(mock.stats.jobsCreated == 1, "the job was not submitted again")
            let submit = try #require(mock.stats.requests.first { $0.path.hasPrefix("/v2/video/generate") })
            let title = try #require(try JSONParser.parse(submit.body)["title"]?.stringValue)
            #expect(title.hasPrefix("Pollster ("), "the reference rides in the title: \(title)")
            #expect(result.taskId != nil && mock.stats.pollsByJob[result.taskId!] != nil)
            #expect(result.detection.taskId?.contains("client reference") == true)
        }
    }

    @Test("a caller's title is kept beside the reference")
    func callerTitleIsKept() async throws {
        try await withMockEngine { pollster, mock in
            let input: JSONValue = [
                "video_inputs": [["character": ["type": "avatar", "avatar_id": "a1"]]],
                "title": "Quarterly update",
            ]
            _ = try await pollster.invoke(Self.heygen, input: input, options: fastOptions(mock))
            let submit = try #require(mock.stats.requests.first { $0.path.hasPrefix("/v2/video/generate") })
            let title = try #require(try JSONParser.parse(submit.body)["title"]?.stringValue)
            #expect(title.hasPrefix("Quarterly update ("))
        }
    }

    @Test("when no job carries the reference, the submit stays uncertain and says what the lookup saw")
    func nothingFoundStaysUncertain() async throws {
        let registry = try heygenRegistry(
            """
            submit: { reconcile: { tag: { bodyField: title }, lookup: { url: /v1/video.list, \
            itemsPath: data.videos, referencePath: video_title, taskIdPath: video_id, delaySeconds: 0.05 } } }
            """)
        try await withMockEngine(
            script: MockJobScript(submitFault: .serverError(status: 500)), registry: registry
        ) { pollster, mock in
            let error = try #require(
                await pollsterError {
                    try await pollster.invoke(
                        Self.heygen, input: sampleInputs[Self.heygen]!, options: fastOptions(mock))
                })
            #expect(error.code == .submitUncertain)
            #expect(
                error.message.contains("found nothing: no job listed carries the reference"),
                "\(error.message)")
            #expect(mock.stats.requests.filter { $0.path == "/v1/video.list" }.count == 3, "three lookups")
            #expect(mock.stats.jobsCreated == 0)
        }
    }

    @Test("a caller canceled while a lookup waits for its answer ends CANCELED, not SUBMIT_UNCERTAIN")
    func canceledDuringLookup() async throws {
        // A server that accepts connections and never answers: the lookup waits until canceled.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.autoRead, value: false)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(silent.localAddress?.port)
        let registry = try heygenRegistry(
            """
            submit: { reconcile: { tag: { bodyField: title }, lookup: { url: "http://127.0.0.1:\(port)/v1/video.list", \
            itemsPath: data.videos, referencePath: video_title, taskIdPath: video_id, attempts: 1 } } }
            """)
        try await withMockEngine(
            script: MockJobScript(submitFault: .serverError(status: 500)), registry: registry
        ) { pollster, mock in
            let call = Task {
                try await pollster.invoke(
                    Self.heygen, input: sampleInputs[Self.heygen]!, options: fastOptions(mock))
            }
            _ = try await eventually {
                mock.stats.requests.contains { $0.path.hasPrefix("/v2/video/generate") }
            }
            try await Task.sleep(for: .milliseconds(300))
            call.cancel()
            let error = await #expect(throws: PollsterError.self) { try await call.value }
            #expect(error?.code == .canceled, "\(error?.message ?? "")")
            #expect(mock.stats.jobsCreated == 0)
        }
        try await silent.close()
    }

    @Test(
        "a broken reconcile rule is refused at load time, naming the key",
        arguments: [
            ("{ tag: { bodyField: title, header: X-Ref }, lookup: { url: /list } }", "exactly one of"),
            (
                "{ tag: { bodyField: title, value: fixed }, lookup: { url: /list } }",
                "must contain {reference}"
            ),
            ("{ lookup: { url: /list } }", "never sends the client reference"),
            ("{ tag: { query: ref }, lookup: { url: /list, itemsPath: items } }", "referencePath: required"),
            (
                "{ tag: { query: ref }, lookup: { url: /list, itemsPath: items, referencePath: ref, attempts: 0 } }",
                "attempts: must be 1…10"
            ),
            (
                "{ tag: { header: Operation-Id }, lookup: { url: /operations/latest } }",
                "nothing ties the answer"
            ),
            ("{ tag: { query: ref }, lookup: { url: '/list/{referenc}' } }", "unknown placeholder"),
        ])
    func brokenRuleIsRefused(_ rule: String, _ expected: String) async throws {
        let yaml = """
            inventory: broken
            baseUrl: https://x.test
            methods:
              - name: m
                endpoint: /jobs
                adapterConfig:
                  submit: { reconcile: \(rule) }
            """
        // A broken method is disabled and reported; the rest of the registry loads.
        let thrown = try await registry(yaml: yaml).problems().first
        #expect(thrown?.code == .invalidConfig)
        #expect(thrown?.message.contains("submit.reconcile") == true, "\(thrown?.message ?? "")")
        #expect(thrown?.message.contains(expected) == true, "\(thrown?.message ?? "")")
    }

    @Test("{reference} in the submit's own templates needs no tag and reaches the provider")
    func referencePlaceholderInQuery() async throws {
        let registry = try heygenRegistry(
            #"query: { client_ref: "{reference}" }"#,
            "submit: { reconcile: { lookup: { url: /v1/video.list, itemsPath: data.videos, referencePath: video_title } } }"
        )
        try await withMockEngine(registry: registry) { pollster, mock in
            let key = "ref-\(UUID().uuidString)"
            var options = fastOptions(mock)
            options.idempotencyKey = key
            _ = try await pollster.invoke(Self.heygen, input: sampleInputs[Self.heygen]!, options: options)
            let submit = try #require(mock.stats.requests.first { $0.path.hasPrefix("/v2/video/generate") })
            #expect(submit.path.hasSuffix("?client_ref=\(key)"), "\(submit.path)")
        }
    }
}
