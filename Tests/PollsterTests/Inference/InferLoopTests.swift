import Foundation
import OrderedCollections
import Pollster
import PollsterCore
import PollsterMock
import PollsterTesting
import Testing

/// Issue 17's acceptance table: for every shipped protocol shape, a run recorded from the mock is
/// given to `infer` alone (no shipped adapter), and the draft, unedited, replays the recording to
/// the same result and drives a fresh live run against the mock to success.
@Suite("Record → infer → replay, per protocol shape")
struct InferLoopTests {
    @Test("the drafted adapter replays the recording and runs live", arguments: ProtocolShape.issueShapes)
    func loop(_ shape: ProtocolShape) async throws {
        let script = MockJobScript(polls: 2, output: MockOutput(kind: .png, size: 2048))
        let (fixture, text) = try await MockRecording.record(shape, script: script)
        #expect(fixture.outcome?.state == "succeeded", "the recording itself must succeed")
        // The file reads top-down: which tool, where, then the exchanges and how they ended.
        let keys = try JSONParser.parse(text).objectValue.map { Array($0.keys) }
        #expect(keys == ["tool", "baseUrl", "reference", "secrets", "input", "exchanges", "outcome"])
        let draft = try AdapterInferrer.infer([fixture])
        let yaml = draft.yaml

        let reports = try await DraftVerifier.verify(draft, fixtures: [fixture])
        let report = try #require(reports.first)
        #expect(report.passed, "replay through the draft:\n\(report.lines.joined(separator: "\n"))\n\(yaml)")

        let registry = try PollsterTests.registry(yaml: yaml)
        try await MockProviderServer.withEngine(
            registry: registry, script: script, secrets: ProtocolShape.secrets, logger: quietLogger
        ) { pollster, mock in
            let result = try await pollster.invoke(
                draft.tool, input: shape.input,
                options: InvokeOptions(
                    baseUrlOverride: mock.baseURL + shape.prefix, pollInterval: .milliseconds(10)))
            #expect(result.state == .succeeded)
            #expect(result.files.count == 1, "\(yaml)")
            #expect(result.files.first?.size == 2048)
            #expect(mock.stats.submissions == 1)
        }
    }
}
