import Foundation
import NIOHTTP1
import OrderedCollections
import PollsterCore

extension HttpAdapter {
    /// Runs the result step, if configured: one request whose JSON becomes the final result.
    ///
    /// The job has succeeded by then, so the request is retried like a download (it is an
    /// idempotent read): transport failures, 408/429/5xx and bodies that are not JSON, up to
    /// `output.maxAttempts` times, honouring `Retry-After`.
    func fetchResult(_ run: inout Invocation, final: JSONValue) async throws -> JSONValue {
        run.context.status = final
        guard let step = run.method.plan.result else { return final }
        let url = try run.builder.configuredURL(step.url, run.context)
        try await checkResponseURL(run, url, key: "result.url")
        let request = try run.builder.plain(method: step.method, url: url, run.context, key: "result.url")
        let attempts = run.method.plan.output.config.maxAttempts
        var attempt = 0
        while true {
            attempt += 1
            let failure: PollsterError
            var retryAfter: Duration?
            do {
                let response = try await sendToProvider(run, request, kind: .result)
                retryAfter = response.headers.first(name: "Retry-After").flatMap {
                    RetryAfter.delay(from: $0, now: Date())
                }
                if (200..<300).contains(response.status) {
                    do { return try JSONParser.parse(response.body) } catch {
                        failure = PollsterError(
                            .transportError,
                            "\(run.method.name): the result response is not JSON (\(error)): \(run.redactor.excerpt(response.body))",
                            taskId: run.taskId)
                    }
                } else {
                    if let rejection = Self.rejectedResult(response, run) { throw rejection }
                    var error = Self.httpError(
                        response, context: "\(run.method.name): result request", redactor: run.redactor)
                    error.taskId = run.taskId
                    error.provider = Self.answer(response, run.redactor)
                    guard PollsterError.isTransient(httpStatus: response.status), response.status != 404
                    else {
                        throw error
                    }
                    failure = error
                }
            } catch let transport as TransportFailure {
                failure = PollsterError(
                    .transportError,
                    "\(run.method.name): the job succeeded but fetching its result failed (\(run.redactor.redact(transport.message)))",
                    taskId: run.taskId)
            }
            guard attempt < attempts else {
                throw failure.appending(
                    " (after \(attempt) attempts); task \(run.taskId ?? "") succeeded and its result can be fetched again"
                )
            }
            try await Task.sleep(
                for: min(retryAfter ?? Downloader.backoff(attempt), Downloader.maxRetryAfter))
        }
    }

    /// A result request answered one of `result.failureStatuses` (default 400, 422) with a JSON
    /// message: the job ran and failed (fal reports a model's failure this way after `COMPLETED`);
    /// a message saying the request was canceled makes it `TASK_CANCELED`.
    static func rejectedResult(_ response: TransportResponse, _ run: Invocation) -> PollsterError? {
        guard run.method.plan.result?.failureStatuses.contains(response.status) ?? false,
            case .object(let body)? = try? JSONParser.parse(response.body),
            let detail = ["detail", "error", "message", "errors"].lazy.compactMap({ body[$0] }).first,
            let message = Self.rejectionText(detail)
        else { return nil }
        if message.lowercased().contains("cancel") {
            return PollsterError(
                .taskCanceled,
                "\(run.method.name): the provider reports the request as canceled (result step, HTTP \(response.status)): \(run.redactor.redact(message))",
                httpStatus: response.status, taskId: run.taskId, lastStatus: run.lastStatus)
        }
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
    ///
    /// A lost output (download failed, refused by the URL policy, too large) fails the
    /// invocation with its code and the output URLs (`output.failOnDownloadError`, default
    /// true), after every other output has been tried; otherwise it becomes a warning.
    func outputs(_ run: inout Invocation, result: JSONValue) async throws -> [ToolFile] {
        let output = run.method.plan.output
        let paths = output.paths?.map { $0.binding(taskId: run.taskId) }
        var candidates = OutputFinder.find(in: result, explicitPaths: paths, all: output.config.all)
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
        if candidates.count > output.config.maxFiles {
            run.warn(
                .downloadFailed,
                "\(run.method.name): the result lists \(candidates.count) outputs; only the first \(output.config.maxFiles) are taken (output.maxFiles)"
            )
            candidates = Array(candidates.prefix(output.config.maxFiles))
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
        var firstFailure: PollsterError?
        for (index, candidate) in candidates.enumerated() {
            let target = DownloadTarget(
                url: candidate.url, foundAt: candidate.path.description, method: run.method.config.name,
                taskId: run.taskId ?? "output", index: candidates.count > 1 ? index + 1 : nil,
                directory: run.options.outputDirectory, stated: candidate.stated)
            do {
                let file = try await downloader.download(
                    target, limits: output.config,
                    credentials: { url in (try? builder.credentials(for: url, context)) ?? [:] },
                    events: run.options.events)
                files.append(file)
                metrics.download(inventory: run.method.inventory, bytes: file.size ?? 0)
                run.emit(.downloaded(file))
            } catch let error as PollsterError {
                metrics.download(inventory: run.method.inventory, bytes: nil)
                let message = run.redactor.redact(error.message)
                if output.config.failOnDownloadError {
                    if firstFailure == nil {
                        firstFailure = PollsterError(error.code, message, httpStatus: error.httpStatus)
                    }
                    continue
                }
                run.warn(
                    error.code,
                    "\(message); the job succeeded and its result is kept (output.failOnDownloadError is false)"
                )
            }
        }
        if var failure = firstFailure {
            failure.taskId = run.taskId
            failure.outputs = candidates.map { run.redactor.redact($0.url) }
            failure.message +=
                ". The job succeeded at the provider (task \(run.taskId ?? "-")); its outputs are still listed: \(failure.outputs.map(Redactor.stripQuery).joined(separator: ", ")). Nothing was submitted again"
            throw failure
        }
        return files
    }
}
