import Crypto
import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// Every shipped adapter against the mock provider over real loopback HTTP.
@Suite("End to end against the mock provider")
struct EndToEndTests {
    @Test("a job succeeds and its output is downloaded", arguments: shippedTools)
    func success(tool: String) async throws {
        try await withMockEngine(script: MockJobScript(polls: 2)) { pollster, mock in
            let result = try await pollster.invoke(
                tool, input: sampleInputs[tool]!, options: fastOptions(mock))
            #expect(result.state == .succeeded)
            let file = try #require(result.files.first)
            #expect(result.files.count == 1)
            #expect(file.mimeType == "video/mp4")
            let bytes = try #require(file.bytes)
            #expect(bytes.count == 4096)
            #expect(Array(bytes[4..<8]) == Array("ftyp".utf8))
            #expect(file.sha256 == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            #expect(result.taskId != nil)
            #expect(result.detection.taskId != nil)
            let stats = mock.stats
            #expect(stats.submissions == 1)
            #expect(stats.downloads == 1)
            #expect(result.timings.polls == stats.polls)
        }
    }

    @Test("a provider failure is TASK_FAILED with the provider's message", arguments: shippedTools)
    func failure(tool: String) async throws {
        try await withMockEngine(script: MockJobScript(polls: 1, outcome: .failure(message: "GPU fell over")))
        {
            pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(tool, input: sampleInputs[tool]!, options: fastOptions(mock))
            }
            let failure = try #require(error)
            #expect(failure.code == .taskFailed)
            #expect(failure.message.contains("GPU fell over"))
            #expect(failure.taskId != nil)
            #expect(mock.stats.submissions == 1)
        }
    }

    @Test("an unknown status times out and names the value", arguments: shippedTools)
    func unknownStatus(tool: String) async throws {
        // The first poll already answers the unknown status: one answered poll within maxWait
        // is all the test needs. Under the full suite on a loaded 2-core machine the submit and
        // that poll together took over 3 s twice, so the window is 8 s.
        try await withMockEngine(script: MockJobScript(polls: 0, outcome: .unknownStatus("frobnicating"))) {
            pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(
                    tool, input: sampleInputs[tool]!, options: fastOptions(mock, maxWait: .seconds(8)))
            }
            let failure = try #require(error)
            #expect(failure.code == .pollingTimeout)
            #expect(failure.unknownStatuses == ["frobnicating"])
            #expect(failure.message.contains("frobnicating"))
            #expect(mock.stats.submissions == 1)
        }
    }

    @Test(
        "a canceled job is TASK_CANCELED",
        arguments: ["runway.image_to_video", "replicate.create_prediction"])
    func canceled(tool: String) async throws {
        try await withMockEngine(script: MockJobScript(polls: 1, outcome: .canceled)) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(tool, input: sampleInputs[tool]!, options: fastOptions(mock))
            }
            #expect(error?.code == .taskCanceled)
        }
    }

    @Test("several outputs come back as several files")
    func severalOutputs() async throws {
        let script = MockJobScript(polls: 1, output: MockOutput(kind: .png, size: 2048, count: 3))
        try await withMockEngine(script: script) { pollster, mock in
            let result = try await pollster.invoke(
                "replicate.create_prediction", input: sampleInputs["replicate.create_prediction"]!,
                options: fastOptions(mock))
            #expect(result.files.count == 3)
            #expect(result.files.allSatisfy { $0.mimeType == "image/png" })
            #expect(Set(result.files.map(\.filename)).count == 3)
        }
    }

    @Test("outputs stream into a directory")
    func downloadToDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-out-\(UUID().uuidString)")
        try await withMockEngine(
            script: MockJobScript(polls: 1, output: MockOutput(kind: .wav, size: 3 * 1024 * 1024))
        ) { pollster, mock in
            let result = try await pollster.invoke(
                "runway.image_to_video", input: sampleInputs["runway.image_to_video"]!,
                options: fastOptions(mock, directory: directory.path))
            let file = try #require(result.files.first)
            let path = try #require(file.path)
            #expect(file.bytes == nil)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect(attributes[.size] as? Int == 3 * 1024 * 1024)
            #expect(file.mimeType == "audio/wav")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
                $0.hasSuffix(".part")
            }
            #expect(leftovers.isEmpty)
        }
    }

    @Test("events arrive in order: submitted, polled, downloaded")
    func events() async throws {
        try await withMockEngine(script: MockJobScript(polls: 2)) { pollster, mock in
            var options = fastOptions(mock)
            let (stream, continuation) = AsyncStream.makeStream(of: ToolEvent.self)
            options.events = continuation
            async let result = pollster.invoke(
                "heygen.create_avatar_video_v2", input: sampleInputs["heygen.create_avatar_video_v2"]!,
                options: options)
            var kinds: [String] = []
            for await event in stream {
                switch event {
                case .submitted: kinds.append("submitted")
                case .polled: kinds.append("polled")
                case .downloading: if kinds.last != "downloading" { kinds.append("downloading") }
                case .downloaded: kinds.append("downloaded")
                case .warning: kinds.append("warning")
                case .finished(let phase, let error):
                    kinds.append("finished \(phase.rawValue)")
                    #expect(error == nil)
                }
            }
            _ = try await result
            #expect(
                kinds == ["submitted", "polled", "polled", "downloading", "downloaded", "finished succeeded"])
        }
    }

    @Test("a status request that reads the last answer ({status.…}) gets it, poll after poll")
    func statusTemplateReadsLastAnswer() async throws {
        let registry = try heygenRegistry(
            polling:
                #"{ statusUrl: "/v1/video_status.get?video_id={id}", statusHeaders: { X-Last-Status: "{status.data.status|none}" } }"#
        )
        try await withMockEngine(script: MockJobScript(polls: 3), registry: registry) {
            pollster, mock in
            _ = try await pollster.invoke(
                "heygen.create_avatar_video_v2", input: sampleInputs["heygen.create_avatar_video_v2"]!,
                options: fastOptions(mock))
            let sent = mock.stats.requests.filter { $0.path.hasPrefix("/v1/video_status.get") }.map {
                $0.headers["x-last-status"] ?? "missing"
            }
            // The mock answers "pending", then "processing", until the job is done.
            #expect(sent == ["none", "pending", "processing"])
        }
    }

    @Test("credentials go to the provider's origin only, never to a download on another origin")
    func credentialsStayOnOrigin() async throws {
        try await withMockEngine(script: MockJobScript(polls: 1)) { pollster, mock in
            var options = fastOptions(mock)
            // The API is addressed as localhost; the mock's file URLs say 127.0.0.1: another origin.
            options.baseUrlOverride = "http://localhost:\(mock.port)"
            _ = try await pollster.invoke(
                "heygen.create_avatar_video_v2", input: sampleInputs["heygen.create_avatar_video_v2"]!,
                options: options)
            let requests = mock.stats.requests
            let api = requests.filter { $0.path.hasPrefix("/v") }
            let files = requests.filter { $0.path.hasPrefix("/files/") }
            #expect(!api.isEmpty && !files.isEmpty)
            #expect(api.allSatisfy { $0.headers["x-api-key"] == "heygen-test-key" })
            #expect(files.allSatisfy { $0.headers["x-api-key"] == nil })
        }
    }
}
