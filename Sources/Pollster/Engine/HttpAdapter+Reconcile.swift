import Foundation
import PollsterCore

extension HttpAdapter {
    /// Sends the lookup of `submit.reconcile` (a read: it never creates a job). What its answer
    /// means, and how often to look, are the job machine's rules.
    /// - Returns: what happened to it, for the machine: a lookup that cannot be built or sent is
    ///   a failed lookup, so the submit stays `SUBMIT_UNCERTAIN` and is never repeated.
    /// - Throws: only `CancellationError` (and `INTERNAL` for a method without `reconcile`).
    func sendLookup(_ run: Invocation) async throws -> JobMachine.Event {
        guard let reconcile = run.method.plan.submit.reconcile else {
            throw PollsterError(
                .internal, "internal error: \(run.method.name) looks a job up without reconcile")
        }
        do {
            let request = try run.builder.lookup(reconcile, run.context)
            return .lookupAnswered(JobMachine.Answer(try await sendToProvider(run, request, kind: .lookup)))
        } catch is CancellationError {
            throw CancellationError()
        } catch let failure as TransportFailure {
            return .lookupFailed(run.redactor.redact(failure.message))
        } catch let error as PollsterError {
            return .lookupFailed(run.redactor.redact(error.message))
        } catch {
            return .lookupFailed(run.redactor.redact("\(error)"))
        }
    }

    /// Finds the job of a submit that a stopped process sent but never stored the answer of.
    /// - Returns: a checkpoint to resume the job from; nil when the method declares no
    ///   `submit.reconcile`.
    /// - Throws: `SUBMIT_UNCERTAIN` saying what the lookup saw when it found no job.
    func findSubmitted(_ method: ToolMethod, input: JSONValue, reference: String, baseUrlOverride: String?)
        async throws -> TaskCheckpoint?
    {
        guard method.plan.submit.reconcile != nil else { return nil }
        try checkSecrets(method)
        var run = Invocation(
            method: method, input: input, secrets: secrets,
            options: InvokeOptions(baseUrlOverride: baseUrlOverride, idempotencyKey: reference),
            limiters: limits.limiters(for: method))
        // Relative status URLs in the job resolve against the submit URL, as they would have.
        var step = run.machine.lookUp(submitURL: try run.builder.submit(run.context).url)
        var random = SystemRandomNumberGenerator()
        while true {
            try await report(step.notices, &run)
            for case .accepted(let job, _, let submitURL) in step.notices {
                return TaskCheckpoint(
                    providerTaskId: run.taskId, submitURL: submitURL, submittedAt: run.submittedAt,
                    response: run.redactor.redact(TransportResponse(job)), foundByReference: true)
            }
            let event: JobMachine.Event
            switch step.action {
            case .send(.lookup):
                event = try await sendLookup(run)
            case .wait(let delay):
                try await Task.sleep(for: delay)
                event = .timerFired
            case .failUncertain(_, _, let why):
                throw PollsterError(
                    .submitUncertain,
                    "\(method.name): looking the job up by its client reference \(reference) found nothing: \(why)"
                )
            case .fail(let error):
                throw error
            case .send, .pollingSucceeded, .download, .succeed, .cancelAndFail:
                throw PollsterError(.internal, "internal error: \(method.name) went past its lookup")
            }
            step = run.machine.receive(event, at: run.now, using: &random)
        }
    }
}
