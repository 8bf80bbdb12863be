import NIOHTTP1
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
        try await checkResponseURL(url, parsed: HTTPURL(url), &stage, key: "result.url")
        let request = try run.builder.plain(method: plan.method, url: url, run.context, key: "result.url")
        do {
            return .resultAnswered(JobMachine.Answer(try await sendToProvider(run, request, kind: .result)))
        } catch let transport as TransportFailure {
            return .resultFailed(run.redactor.redact(transport.message))
        }
    }

    /// Downloads one output (the machine's `.download`) and says how it ended.
    /// - Throws: only when the invocation is canceled.
    func download(_ output: JobMachine.Output, _ run: Invocation, into files: inout [ToolFile]) async throws
        -> JobMachine.Event
    {
        let target = DownloadTarget(
            url: output.candidate.url, foundAt: output.candidate.path.description,
            method: run.method.config.name,
            taskId: run.taskId ?? "output", index: output.number, directory: run.options.outputDirectory,
            stated: output.candidate.stated)
        let builder = run.builder
        let context = run.context
        do {
            let file = try await downloader.download(
                target, limits: run.method.plan.output.config,
                credentials: { url in (try? builder.credentials(for: url, context)) ?? [:] },
                events: run.options.events)
            files.append(file)
            metrics.download(inventory: run.method.inventory, bytes: file.size ?? 0)
            run.emit(.downloaded(file))
            return .downloaded
        } catch let error as PollsterError {
            metrics.download(inventory: run.method.inventory, bytes: nil)
            return .downloadFailed(error)
        }
    }
}

extension ToolFile {
    /// An output found but not downloaded (`output.download: false`): its URL only.
    init(listed candidate: OutputFinder.Candidate) {
        self.init(
            url: candidate.url, foundAt: candidate.path.description, filename: "",
            mimeType: MIMEType.resolve(contentType: nil, prefix: [], url: candidate.url), size: nil,
            sha256: nil)
    }
}
