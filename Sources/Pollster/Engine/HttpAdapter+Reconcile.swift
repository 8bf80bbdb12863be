import Foundation
import Logging
import NIOHTTP1
import PollsterCore

extension HttpAdapter {
    /// What looking a job up by its client reference found.
    enum LookupOutcome {
        /// The job, as it stands in for the lost submit answer.
        case found(TransportResponse)
        /// No lookup found it; why, for the error message.
        case notFound(String)
    }

    /// Looks the job up by the invocation's client reference (`submit.reconcile`), up to
    /// `lookup.attempts` times. The lookup is a read: it never creates a job.
    func lookUp(_ run: Invocation, _ reconcile: ReconcilePlan) async throws -> LookupOutcome {
        let name = run.method.name
        let reference = run.context.reference ?? ""
        var why = "no lookup was made"
        for attempt in 1...reconcile.attempts {
            if attempt > 1 { try await Task.sleep(for: reconcile.delay) }
            let request = try run.builder.lookup(reconcile, run.context)
            let response: TransportResponse
            do {
                response = try await sendToProvider(run, request, kind: .lookup)
            } catch let failure as TransportFailure {
                why = "the lookup failed (\(run.redactor.redact(failure.message)))"
                continue
            } catch let error as PollsterError {
                why = "the lookup failed (\(run.redactor.redact(error.message)))"
                continue
            }
            guard (200..<300).contains(response.status) else {
                why =
                    response.status == 404
                    ? "the provider has no job with this reference (HTTP 404)"
                    : "the lookup answered HTTP \(response.status): \(run.redactor.excerpt(response.body, limit: 120))"
                continue
            }
            guard let answer = try? JSONParser.parse(response.body) else {
                why = "the lookup's answer is not JSON: \(run.redactor.excerpt(response.body, limit: 120))"
                continue
            }
            guard let job = reconcile.job(in: answer, reference: reference) else {
                why = "no job listed carries the reference"
                if reference.count < ReconcilePlan.minimumEmbeddedReferenceLength {
                    why +=
                        " (a reference shorter than \(ReconcilePlan.minimumEmbeddedReferenceLength) characters matches only a whole field, never inside a text such as a title; use a longer idempotency key, e.g. a UUID)"
                }
                continue
            }
            logger.notice(
                "found the job of an interrupted submit by its client reference",
                metadata: ["tool": "\(name)", "reference": "\(reference)", "attempt": "\(attempt)"])
            return .found(TransportResponse(status: 200, headers: [:], body: JSONWriter.bytes(job)))
        }
        return .notFound(why)
    }

    /// Resumes an interrupted submit from the job its lookup found: the job stands in for the
    /// lost answer (task id, `{response.x}`).
    /// - Returns: the job as a submit answer; nil when the method cannot reconcile or no job
    ///   was found (`why` then says what the lookup saw).
    /// - Throws: only `CancellationError`: whatever else goes wrong (the lookup cannot be built
    ///   or sent, the job found is unreadable) is a reason in `why`, so the submit stays
    ///   `SUBMIT_UNCERTAIN` and is never repeated.
    func reconcile(_ run: inout Invocation) async throws -> (TransportResponse?, why: String) {
        guard let reconcile = run.method.plan.submit.reconcile else { return (nil, "") }
        do {
            switch try await lookUp(run, reconcile) {
            case .found(let job):
                do {
                    try accept(&run, job, taskIdPath: reconcile.taskIdPath)
                } catch let error as PollsterError {
                    return (nil, "a job was found but cannot be used (\(error.message))")
                }
                run.foundByReference = true
                run.report.taskId = "\(run.report.taskId ?? "detected") (job found by its client reference)"
                return (job, "")
            case .notFound(let why):
                return (nil, why)
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as PollsterError {
            return (nil, "the lookup failed (\(run.redactor.redact(error.message)))")
        } catch {
            return (nil, "the lookup failed (\(run.redactor.redact("\(error)")))")
        }
    }

    /// Finds the job of a submit that a stopped process sent but never stored the answer of.
    /// - Returns: a checkpoint to resume the job from; nil when the method declares no
    ///   `submit.reconcile`.
    /// - Throws: `SUBMIT_UNCERTAIN` saying what the lookup saw when it found no job.
    func findSubmitted(_ method: ToolMethod, input: JSONValue, reference: String, baseUrl: String?)
        async throws -> TaskCheckpoint?
    {
        guard method.plan.submit.reconcile != nil else { return nil }
        try checkSecrets(method)
        var run = Invocation(
            method: method, input: input, secrets: secrets, options: InvokeOptions(idempotencyKey: reference),
            baseUrl: baseUrl, limiters: limits.limiters(for: method))
        // Relative status URLs in the job resolve against the submit URL, as they would have.
        run.submitURL = try run.builder.submit(run.context).url
        let (job, why) = try await reconcile(&run)
        guard let job else {
            throw PollsterError(
                .submitUncertain,
                "\(method.name): looking the job up by its client reference \(reference) found nothing: \(why)"
            )
        }
        return TaskCheckpoint(
            providerTaskId: run.taskId, submitURL: run.submitURL, submittedAt: run.submittedAt,
            response: run.redactor.redact(job), foundByReference: true)
    }
}
