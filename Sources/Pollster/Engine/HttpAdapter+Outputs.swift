import Foundation
import NIOHTTP1
import PollsterCore

extension HttpAdapter {
    /// Runs the result step, if configured: one request whose JSON becomes the final result.
    func fetchResult(_ run: inout Invocation, final: JSONValue) async throws -> JSONValue {
        run.context.status = final
        guard let step = run.method.plan.result else { return final }
        let url = try run.builder.configuredURL(step.url, run.context)
        let request = try run.builder.plain(method: step.method, url: url, run.context, key: "result.url")
        let response: TransportResponse
        do {
            response = try await sendToProvider(run, request)
        } catch let failure as TransportFailure {
            throw PollsterError(
                .transportError,
                "\(run.method.name): the job succeeded but fetching its result failed (\(run.redactor.redact(failure.message))); task \(run.taskId ?? "") can be fetched again",
                taskId: run.taskId)
        }
        guard (200..<300).contains(response.status) else {
            if let rejection = Self.rejectedResult(response, run) { throw rejection }
            var error = Self.httpError(
                response, context: "\(run.method.name): result request", redactor: run.redactor)
            error.taskId = run.taskId
            throw error
        }
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw PollsterError(
                .transportError,
                "\(run.method.name): the result response is not JSON (\(error)): \(run.redactor.excerpt(response.body))",
                taskId: run.taskId)
        }
    }

    /// A result request answered 400/422 with a JSON message: the job ran and the provider
    /// rejected its output (fal reports a model's failure this way after `COMPLETED`).
    static func rejectedResult(_ response: TransportResponse, _ run: Invocation) -> PollsterError? {
        guard response.status == 400 || response.status == 422,
            case .object(let body)? = try? JSONParser.parse(response.body),
            let detail = ["detail", "error", "message", "errors"].lazy.compactMap({ body[$0] }).first,
            let message = Self.rejectionText(detail)
        else { return nil }
        return PollsterError(
            .taskFailed,
            "\(run.method.name): the provider reports failure (result step, HTTP \(response.status)): \(run.redactor.redact(message))",
            httpStatus: response.status, taskId: run.taskId, lastStatus: run.lastStatus)
    }

    /// The text of an error value; a list of errors (fal's `detail[]`) joins their messages.
    private static func rejectionText(_ value: JSONValue) -> String? {
        if case .array(let items) = value {
            let texts = items.compactMap(StatusClassifier.messageText)
            return texts.isEmpty ? nil : texts.joined(separator: "; ")
        }
        return StatusClassifier.messageText(value)
    }

    /// Finds the outputs of `result` and downloads them (unless `output.download` is false).
    func outputs(_ run: inout Invocation, result: JSONValue) async throws -> [ToolFile] {
        let output = run.method.plan.output
        let paths = output.paths?.map { $0.binding(taskId: run.taskId) }
        let candidates = OutputFinder.find(in: result, explicitPaths: paths, all: output.config.all)
        run.report.outputs = candidates.map(\.path.description)
        if candidates.isEmpty {
            let message = "\(run.method.name): no output URL found in the result"
            if output.paths != nil {
                throw PollsterError(
                    .outputNotFound,
                    "\(message) at output.paths \(output.config.paths ?? []); check the paths against the result: \(run.redactor.excerpt(Array(result.description.utf8)))",
                    taskId: run.taskId)
            }
            run.warn(.outputNotFound, "\(message); set output.paths if the provider returns one")
            return []
        }
        guard output.config.download else {
            return candidates.map {
                ToolFile(
                    url: $0.url, foundAt: $0.path.description, filename: "",
                    mimeType: MIMEType.resolve(contentType: nil, prefix: [], url: $0.url),
                    size: nil, sha256: nil)
            }
        }
        let builder = run.builder
        let context = run.context
        var files: [ToolFile] = []
        for (index, candidate) in candidates.enumerated() {
            let target = DownloadTarget(
                url: candidate.url, foundAt: candidate.path.description, method: run.method.config.name,
                taskId: run.taskId ?? "output", index: candidates.count > 1 ? index + 1 : nil,
                directory: run.options.outputDirectory)
            do {
                let file = try await downloader.download(
                    target, limits: output.config,
                    credentials: { url in (try? builder.credentials(for: url, context)) ?? [:] },
                    events: run.options.events)
                files.append(file)
                run.emit(.downloaded(file))
            } catch let error as PollsterError {
                if output.config.failOnDownloadError {
                    var failure = error
                    failure.taskId = run.taskId
                    throw failure
                }
                run.warn(
                    error.code == .unsafeURL || error.code == .responseTooLarge
                        ? error.code : .downloadFailed,
                    "\(error.message); the job succeeded and its result is kept")
            }
        }
        return files
    }
}
