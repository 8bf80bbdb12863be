import Pollster
import PollsterCore

/// Compares a method's explicit rules with auto-detection on a recording (`pollster explain
/// --diff`): for the task id, the status URL, every status answer and the outputs, what each
/// finds and whether they agree. A disagreement shows which explicit key the method depends on,
/// and where the detector alone would go wrong.
public enum FixtureDiff {
    /// One compared finding.
    public struct Line: Sendable, Equatable {
        /// What is compared: `task id`, `status URL`, `status #2`, `outputs`.
        public var subject: String
        /// What the method's rules find.
        public var configured: String
        /// What the default detection finds.
        public var detected: String

        /// True when both find the same.
        public var agrees: Bool { configured == detected }

        /// `subject: same (value)` or `subject: DIFFERS — config … / detector …`.
        public var text: String {
            agrees
                ? "\(subject): same — \(configured)"
                : "\(subject): DIFFERS — config: \(configured) / detector: \(detected)"
        }
    }

    /// The comparison, redacted like `explain`.
    public static func diff(
        _ fixture: Fixture, method: ToolMethod, redactor: Redactor = Redactor(secrets: [String]())
    ) -> [Line] {
        guard let submit = fixture.exchanges.first else { return [] }
        let plan = method.plan
        let body = try? JSONParser.parse(submit.body)
        let configuredId = body.flatMap {
            TaskIdDetector.detect(in: $0, explicitPath: plan.submit.taskIdPath)
        }
        let detectedId = body.flatMap { TaskIdDetector.detect(in: $0) }
        var lines = [
            Line(
                subject: "task id", configured: describe(configuredId?.value, configuredId?.source),
                detected: describe(detectedId?.value, detectedId?.source))
        ]
        let detectedURL = StatusURLDetector.detect(
            body: body, status: submit.status, header: { submit.headers.first(name: $0) })
        let poll = fixture.exchanges.dropFirst().first
        let configuredURL =
            plan.polling?.statusUrl != nil
            ? poll.map { "\($0.url) (polling.statusUrl)" } ?? "polling.statusUrl"
            : detectedURL.map { "\($0.url.value) (\($0.url.source))" } ?? "none"
        lines.append(
            Line(
                subject: "status URL", configured: configuredURL,
                detected: detectedURL.map { "\($0.url.value) (\($0.url.source))" } ?? "none"))
        let taskId = configuredId?.value
        let configured = (plan.polling?.classifier ?? StatusClassifier.defaults).bound(taskId: taskId)
        let defaults = StatusClassifier.defaults.bound(taskId: taskId)
        var final: JSONValue?
        for (index, exchange) in fixture.exchanges.enumerated().dropFirst() {
            guard !exchange.bodyOmitted, let answer = try? JSONParser.parse(exchange.body) else { continue }
            final = answer
            let mine = configured.classify(answer)
            let theirs = defaults.classify(answer)
            lines.append(
                Line(
                    subject: "status #\(index)", configured: reading(mine), detected: reading(theirs)))
        }
        if let final {
            let explicit = plan.output.paths?.map { $0.binding(taskId: taskId) }
            let mine = OutputFinder.find(in: final, explicitPaths: explicit, all: plan.output.config.all)
            let theirs = OutputFinder.find(in: final)
            lines.append(
                Line(
                    subject: "outputs", configured: outputs(mine), detected: outputs(theirs)))
        }
        return lines.map {
            Line(
                subject: $0.subject, configured: redactor.redactURL($0.configured),
                detected: redactor.redactURL($0.detected))
        }
    }

    private static func describe(_ value: String?, _ source: String?) -> String {
        guard let value else { return "none" }
        return "\(value) (from \(source ?? "-"))"
    }

    private static func reading(_ reading: StatusReading) -> String {
        "\(reading.phase.rawValue) ('\(reading.rawStatus ?? "-")' at \(reading.statusPath ?? "-"))"
    }

    private static func outputs(_ candidates: [OutputFinder.Candidate]) -> String {
        candidates.isEmpty ? "none" : candidates.map { "\($0.path)" }.joined(separator: ", ")
    }
}
