import Foundation
import Pollster
import PollsterCore

/// Checks a drafted adapter the only way that counts: loads its YAML like any adapter and
/// replays the recording through it.
public enum DraftVerifier {
    /// What one replay showed.
    public struct Report: Sendable {
        /// The replay.
        public var run: FixtureReplay.Run
        /// How it differs from the recorded outcome (empty: the draft reproduces it).
        public var differences: [String]

        /// True when the replay ended as recorded and used every exchange as recorded.
        public var passed: Bool { differences.isEmpty && run.unexpectedRequests.isEmpty }

        /// The detection report and the verdict, one line each.
        public var lines: [String] {
            var lines: [String] = []
            switch run.result {
            case .success(let result):
                let report = result.detection
                lines.append(
                    "replay: succeeded, \(result.files.count) file(s), \(result.timings.polls) poll(s)")
                lines.append("  task id: \(result.taskId ?? "-") (from \(report.taskId ?? "-"))")
                lines.append("  status URL: \(report.statusUrl ?? "-")")
                lines.append("  status: \(report.statusPath ?? "-") (\(report.statusRule ?? "-"))")
                lines.append("  outputs: \(report.outputs.joined(separator: ", "))")
            case .failure(let error):
                lines.append("replay: \(error.code.rawValue): \(error.message)")
            }
            lines += run.unexpectedRequests.map { "  unexpected request: \($0)" }
            lines += differences.map { "  differs from the recording: \($0)" }
            lines.append(
                passed
                    ? "verdict: the draft reproduces the recording"
                    : "verdict: the draft does NOT reproduce the recording")
            return lines
        }
    }

    /// Loads `draft` as an adapter file and replays each fixture through it.
    /// - Throws: `INVALID_CONFIG` when the drafted YAML does not load (a bug worth reporting).
    public static func verify(_ draft: AdapterDraft, fixtures: [Fixture]) async throws -> [Report] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-infer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("\(draft.inventory).yaml")
        try Data(draft.yaml.utf8).write(to: file)
        let registry = try YAMLRegistry(directory: directory.path)
        if let problem = try await registry.problems().first { throw problem }
        var reports: [Report] = []
        for fixture in fixtures {
            let run = try await FixtureReplay.run(
                fixture, registry: registry, tool: draft.tool, maxWait: .seconds(30))
            let differences = fixture.outcome.map { $0.differences(from: run.outcome) } ?? []
            reports.append(Report(run: run, differences: differences))
        }
        return reports
    }
}
