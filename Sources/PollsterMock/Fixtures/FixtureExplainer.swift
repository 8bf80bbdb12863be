import Pollster
import PollsterCore

/// Explains a fixture step by step: which path gave the task id, the status URL, each
/// status and the outputs, using a method's rules when given and the defaults otherwise.
public enum FixtureExplainer {
    /// One line per finding, in exchange order, redacted: a recorded exchange may hold the
    /// secrets it was made with.
    /// - Parameters:
    ///   - fixture: the recorded exchange.
    ///   - method: the tool whose rules apply; nil for the defaults.
    ///   - redactor: masks secret values (build it with `Redactor(method:secrets:)`); URLs also
    ///     lose their user-info and credential-like query values whatever it knows.
    public static func explain(
        _ fixture: Fixture, method: ToolMethod? = nil, redactor: Redactor = Redactor(secrets: [String]())
    ) -> [String] {
        lines(fixture, method: method, redactor: redactor).map(redactor.redact)
    }

    private static func lines(_ fixture: Fixture, method: ToolMethod?, redactor: Redactor) -> [String] {
        guard let submit = fixture.exchanges.first else { return ["the fixture has no exchanges"] }
        var lines: [String] = []
        let submitBody = try? JSONParser.parse(submit.body)
        let taskId = submitBody.flatMap {
            TaskIdDetector.detect(in: $0, explicitPath: method?.plan.submit.taskIdPath)
        }
        let classifier = (method?.plan.polling?.classifier ?? StatusClassifier.defaults).bound(
            taskId: taskId?.value)
        lines.append("submit: \(submit.method) \(redactor.redactURL(submit.url)) → HTTP \(submit.status)")
        if let id = taskId {
            lines.append("  task id: \(id.value) (from \(id.source))")
        } else {
            lines.append("  task id: none found (set submit.taskIdPath if the provider returns one)")
        }
        if method?.plan.polling?.statusUrl != nil {
            lines.append("  status URL: from config polling.statusUrl")
        } else if let (url, mode) = StatusURLDetector.detect(
            body: submitBody, status: submit.status, header: { submit.headers.first(name: $0) })
        {
            lines.append(
                "  status URL: \(redactor.redactURL(url.value)) (from \(url.source)\(mode == .location ? ", Location mode" : ""))"
            )
        }
        var finalBody: JSONValue?
        var outputURLs: Set<String> = []
        for (index, exchange) in fixture.exchanges.enumerated().dropFirst() {
            let prefix =
                "#\(index) \(exchange.method) \(redactor.redactURL(Redactor.stripQuery(exchange.url))) → HTTP \(exchange.status)"
            if outputURLs.contains(exchange.url) {
                let mime = MIMEType.resolve(
                    contentType: exchange.headers.first(name: "Content-Type"),
                    prefix: exchange.body.prefix(64),
                    url: exchange.url)
                lines.append("\(prefix): download, \(exchange.body.count) bytes, \(mime)")
                continue
            }
            guard let body = try? JSONParser.parse(exchange.body) else {
                lines.append("\(prefix): body is not JSON → a failed poll, retried on the schedule")
                continue
            }
            let reading = classifier.classify(body)
            var line =
                "\(prefix): status \(reading.rawStatus.map { "'\($0)'" } ?? "(none)") at \(reading.statusPath ?? "-") → \(reading.phase.rawValue) (\(reading.rule))"
            if let progress = reading.progress { line += ", progress \(Int(progress))%" }
            if let message = reading.message { line += ", message: \(message)" }
            lines.append(line)
            if reading.phase == .succeeded || (reading.phase == .unknown && finalBody != nil)
                || finalBody != nil
            {
                finalBody = body
                let outputs = OutputFinder.find(
                    in: body,
                    explicitPaths: method?.plan.output.paths?.map { $0.binding(taskId: taskId?.value) },
                    all: method?.plan.output.config.all ?? false)
                for output in outputs where !outputURLs.contains(output.url) {
                    outputURLs.insert(output.url)
                    lines.append(
                        "  output: \(redactor.redactURL(Redactor.stripQuery(output.url))) (at \(output.path))"
                    )
                }
            }
        }
        if finalBody == nil { lines.append("no successful status in the fixture, so no outputs") }
        return lines
    }
}
