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
