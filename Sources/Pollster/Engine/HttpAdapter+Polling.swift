import Foundation
import PollsterCore

extension HttpAdapter {
    /// The poll step: the wait is over, the machine polls once and says when to poll next.
    /// - Returns: the delay before the next poll; nil when polling succeeded.
    func pollStep(_ stage: inout JobState.Stage) async throws -> Duration? {
        var random = SystemRandomNumberGenerator()
        let step = stage.run.machine.receive(.timerFired, at: stage.run.now, using: &random)
        return try await advance(&stage, step)
    }

    /// Sends one status request, to the URL the machine found.
    /// - Returns: what happened to it, for the machine.
    /// - Throws: when the status URL cannot be rendered or the URL policy refuses it (the job
    ///   fails: no poll can do better).
    func sendPoll(_ stage: inout JobState.Stage) async throws -> JobMachine.Event {
        let run = stage.run
        let statusURL: String
        switch run.machine.statusURL {
        case .detected(let url): statusURL = url
        case .configured(let template): statusURL = try run.builder.configuredURL(template, run.context)
        case .none:
            throw PollsterError(.internal, "internal error: \(run.method.name) polls without a status URL")
        }
        // Parsed once for every check of this poll.
        let parsed = HTTPURL(statusURL)
        try await checkResponseURL(statusURL, parsed: parsed, &stage, key: "status URL")
        guard let plan = run.method.plan.polling else {
            throw PollsterError(.internal, "internal error: \(run.method.name) polls without a polling plan")
        }
        let response: TransportResponse
        do {
            var request = try run.builder.status(url: statusURL, parsed: parsed, run.context, polling: plan)
            // The deadline includes request time: an answer is waited for until it.
            request.timeout = run.machine.requestTimeout(request.timeout, at: run.now)
            response = try await sendToProvider(run, request, kind: .poll)
        } catch let error as PollsterError {
            return .pollFailed(error)
        } catch {
            return .pollFailed(
                PollsterError(
                    .transportError,
                    "\(run.method.name): status request failed: \(run.redactor.redact("\(error)"))"))
        }
        return .pollAnswered(JobMachine.Answer(response))
    }
}
