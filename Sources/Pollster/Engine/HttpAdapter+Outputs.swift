import Foundation
import NIOHTTP1
import OrderedCollections
import PollsterCore

extension HttpAdapter {
    /// Sends the request of the result step (`result:` in the config); its rules (retries,
    /// failure answers) are the job machine's (`ResultStep`).
    /// - Returns: what happened to it, for the machine.
    /// - Throws: when the URL cannot be rendered or the URL policy refuses it (checked once per
    ///   origin, like the status URL's).
    func sendResult(_ stage: inout JobState.Stage) async throws -> JobMachine.Event {
        let run = stage.run
        guard let plan = run.method.plan.result else {
            throw PollsterError(.internal, "internal error: \(run.method.name) has no result step")
        }
        let url = try run.builder.configuredURL(plan.url, run.context)
        if let origin = HTTPURL(url)?.origin, origin != stage.checkedOrigin {
            try await checkResponseURL(run, url, key: "result.url")
            stage.checkedOrigin = origin
        }
        let request = try run.builder.plain(method: plan.method, url: url, run.context, key: "result.url")
        do {
            return .resultAnswered(JobMachine.Answer(try await sendToProvider(run, request, kind: .result)))
        } catch let transport as TransportFailure {
            return .resultFailed(run.redactor.redact(transport.message))
        }
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
        run.machine.report.outputs = candidates.map(\.path.description)
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
