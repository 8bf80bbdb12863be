import Foundation
import Pollster
import PollsterCore
import PollsterMock
import PollsterTesting
import Testing

/// Every fixture under `Tests/Fixtures/**` that `pollster record` wrote (it has an `outcome`) is
/// replayed through the shipped adapters and must end as recorded, using its exchanges in order.
/// Dropping a new recording into the tree adds it here; nothing to register.
@Suite("Recorded fixtures replay as recorded")
struct RecordedFixtureReplayTests {
    /// The recorded fixtures, relative to `Tests/Fixtures`.
    static let recorded: [String] = {
        let root = URL(fileURLWithPath: Repository.fixtures)
        let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects ?? []).compactMap {
            $0 as? String
        }
        return files.filter { $0.hasSuffix(".json") }.sorted().filter { name in
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(name).path),
                let json = try? JSONParser.parse(Array(data))
            else { return false }
            return json["outcome"] != nil
        }
    }()

    @Test("the tree holds recordings of every shipped shape's success")
    func coverage() {
        for shape in ProtocolShape.issueShapes {
            #expect(
                Self.recorded.contains("\(shape.directory)/recorded-\(shape.method)-success.json"),
                "no recorded success for \(shape.tool)")
        }
    }

    @Test("a recorded fixture replays to its recorded outcome", arguments: recorded)
    func replay(_ name: String) async throws {
        let fixture = try Fixture.load(path: "\(Repository.fixtures)/\(name)")
        let recorded = try #require(fixture.outcome)
        let run = try await FixtureReplay.run(
            fixture, registry: try YAMLRegistry(directory: Repository.adapters), maxWait: .seconds(30))
        #expect(recorded.differences(from: run.outcome) == [], "\(name)")
        #expect(run.unexpectedRequests.isEmpty, "\(name)")
        #expect(run.remainingExchanges == 0, "\(name)")
    }
}

/// Where the recorded fixtures of the shapes live, and how to write them again.
enum RecordedFixtures {
    /// The outcomes recorded per shape.
    static let outcomes: [(name: String, outcome: MockOutcome)] = [
        ("success", .success), ("failure", .failure(message: "content check failed")),
        ("canceled", .canceled),
    ]
}

/// Writes the recorded fixtures again when `POLLSTER_RECORD_FIXTURES=1` (otherwise does nothing):
/// `POLLSTER_RECORD_FIXTURES=1 swift test --filter RecordFixtures`.
@Suite("Record fixtures (on demand)")
struct RecordFixtures {
    @Test(
        "record every shape and outcome into Tests/Fixtures",
        .enabled(if: ProcessInfo.processInfo.environment["POLLSTER_RECORD_FIXTURES"] == "1"),
        arguments: ProtocolShape.issueShapes)
    func record(_ shape: ProtocolShape) async throws {
        for (name, outcome) in RecordedFixtures.outcomes {
            let script = MockJobScript(polls: 2, outcome: outcome, output: MockOutput(kind: .png, size: 2048))
            let (_, text) = try await MockRecording.record(shape, script: script)
            let file = URL(fileURLWithPath: Repository.fixtures)
                .appendingPathComponent(shape.directory)
                .appendingPathComponent("recorded-\(shape.method)-\(name).json")
            try Data(text.utf8).write(to: file)
        }
    }
}
