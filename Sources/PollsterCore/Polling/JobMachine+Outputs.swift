extension JobMachine {
    /// The outputs of a job that succeeded, downloaded one after another.
    package struct Downloads: Sendable {
        /// The job's result.
        var result: JSONValue
        /// The outputs found in it, in order (at most `output.maxFiles`).
        var outputs: [OutputFinder.Candidate]
        /// The output being downloaded.
        var current = 0
        /// The first output lost, when `output.failOnDownloadError` is set.
        var firstFailure: PollsterError?
    }

    /// One output to download: where it was found and, when the result lists several, its
    /// number (from 1, for its file name).
    package struct Output: Sendable, Equatable {
        package var candidate: OutputFinder.Candidate
        package var number: Int?
    }

    /// Finds the outputs of `result` (`OutputFinder`, `output.paths`, `output.all`,
    /// `output.maxFiles`) and asks for the first download; without any to download, the job
    /// succeeds or (explicit paths that find nothing) fails.
    mutating func collectOutputs(of result: JSONValue, _ notices: [Notice]) -> Step {
        var notices = notices
        let output = job.plan.output
        let paths = output.paths?.map { $0.binding(taskId: context.taskId) }
        var found = OutputFinder.find(in: result, explicitPaths: paths, all: output.config.all)
        report.outputs = found.map(\.path.description)
        if found.isEmpty {
            let message = "\(job.name): no output URL found in the result"
            guard output.paths == nil else {
                let error = PollsterError(
                    .outputNotFound,
                    "\(message) at output.paths \(output.config.paths ?? []); check the paths against the result: \(job.redactor.excerpt(Array(result.description.utf8)))",
                    taskId: context.taskId)
                return finish(.fail(error), notices)
            }
            notices.append(
                .warning(.outputNotFound, "\(message); set output.paths if the provider returns one"))
            return finish(.succeed(result, listed: []), notices)
        }
        if found.count > output.config.maxFiles {
            notices.append(
                .warning(
                    .downloadFailed,
                    "\(job.name): the result lists \(found.count) outputs; only the first \(output.config.maxFiles) are taken (output.maxFiles)"
                ))
            found = Array(found.prefix(output.config.maxFiles))
        }
        guard output.config.download else { return finish(.succeed(result, listed: found), notices) }
        let downloads = Downloads(result: result, outputs: found)
        phase = .downloading(downloads)
        return Step(notices, .download(downloads.output))
    }

    /// Takes the end of a download (`failure` nil: the output is saved) and asks for the next
    /// one; after the last, the job succeeds, or fails with its first lost output.
    ///
    /// A lost output (download failed, refused by the URL policy, too large) fails the job
    /// with its code and the output URLs (`output.failOnDownloadError`, default true), after
    /// every other output has been tried; otherwise it becomes a warning.
    mutating func downloadEnded(_ downloads: Downloads, failure: PollsterError?) -> Step {
        var downloads = downloads
        var notices: [Notice] = []
        if let failure {
            let message = job.redactor.redact(failure.message)
            if !job.plan.output.config.failOnDownloadError {
                notices.append(
                    .warning(
                        failure.code,
                        "\(message); the job succeeded and its result is kept (output.failOnDownloadError is false)"
                    ))
            } else if downloads.firstFailure == nil {
                downloads.firstFailure = PollsterError(failure.code, message, httpStatus: failure.httpStatus)
            }
        }
        downloads.current += 1
        if downloads.current < downloads.outputs.count {
            phase = .downloading(downloads)
            return Step(notices, .download(downloads.output))
        }
        guard var lost = downloads.firstFailure else {
            return finish(.succeed(downloads.result, listed: []), notices)
        }
        let taskId = context.taskId
        lost.taskId = taskId
        lost.outputs = downloads.outputs.map { job.redactor.redact($0.url) }
        lost.message +=
            ". The job succeeded at the provider (task \(taskId ?? "-")); its outputs are still listed: \(lost.outputs.map(Redactor.stripQuery).joined(separator: ", ")). Nothing was submitted again"
        return finish(.fail(lost), notices)
    }
}

extension JobMachine.Downloads {
    /// The output being downloaded.
    var output: JobMachine.Output {
        JobMachine.Output(candidate: outputs[current], number: outputs.count > 1 ? current + 1 : nil)
    }
}
