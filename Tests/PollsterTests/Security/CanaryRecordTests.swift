import Foundation
import Pollster
import PollsterCore
import PollsterMock
import PollsterTesting
import Testing

/// `pollster record` writes no canary secret, whatever an echoing provider answers, for every
/// auth style (header, bearer, Basic, cookie, query key, TC3 signing) and every way a job ends;
/// and what it writes still replays.
@Suite("Security: a canary secret never reaches a recorded fixture")
struct CanaryRecordTests {
    @Test(
        "record masks the canary in every form, and the recording replays", arguments: CanaryAuth.allCases,
        CanaryRun.allCases)
    func record(auth: CanaryAuth, run: CanaryRun) async throws {
        let server = try await EchoProviderServer.start(outcome: run.outcome)
        let adapters = try auth.adapterDirectory(baseURL: server.baseURL)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-canary-record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: adapters)
            try? FileManager.default.removeItem(at: directory)
        }
        let file = directory.appendingPathComponent("canary.json")
        let result = try await CLITests.run(
            [
                "record", canaryTool, "--input", #"{"prompt": "a lighthouse"}"#, "--adapters", adapters.path,
                "--allow-private-networks", "--out", file.path,
            ], in: directory, environment: CanarySecretCLITests.environment)
        try await server.shutdown()
        #expect(result.status == 0, "\(result.error)")
        #expect(!Canary.leaks(in: server.requests.joined()).isEmpty, "the canary was not sent")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(Canary.leaks(in: text).isEmpty, "\(Canary.leaks(in: text)) in \(text)")
        let shown = result.output + "\n" + result.error
        #expect(Canary.leaks(in: shown).isEmpty, "\(Canary.leaks(in: shown)) in \(shown)")
        let fixture = try Fixture.load(path: file.path)
        #expect(!fixture.exchanges.isEmpty, "the submit is recorded")
        let outcome = try #require(fixture.outcome)
        #expect((outcome.state == "succeeded") == (run == .success), "\(outcome)")
        #expect(text.contains("${CANARY}"), "the secret is named by its placeholder")
        let replay = try await FixtureReplay.run(
            fixture, registry: try YAMLRegistry(directory: adapters.path), maxWait: .seconds(10))
        #expect(outcome.differences(from: replay.outcome) == [], "\(text)")
        #expect(replay.unexpectedRequests.isEmpty, "\(replay.unexpectedRequests)")
    }
}
