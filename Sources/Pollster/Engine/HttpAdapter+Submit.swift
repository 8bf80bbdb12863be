import Crypto
import Foundation
import PollsterCore

extension HttpAdapter {
    /// Sends the submit request; when to send it again and what an answer means are the job
    /// machine's rules (`SubmitStep`).
    /// - Returns: what happened to it, for the machine.
    func sendSubmit(_ run: Invocation) async throws -> JobMachine.Event {
        let request = try run.builder.submit(run.context)
        do {
            let response = try await sendToProvider(run, request, kind: .submit)
            return .submitAnswered(JobMachine.Answer(response, withHeaders: true))
        } catch let failure as TransportFailure {
            let reach: SubmitStep.Reach =
                failure.isPermanent ? .notSentForGood : failure.requestWasNotSent ? .notSent : .maybeSent
            return .submitFailed(run.redactor.redact(failure.message), reach)
        }
    }

    /// `SUBMIT_UNCERTAIN`: the request may have created a job; it is not repeated.
    /// `lookup` says what `submit.reconcile` found, when the method declares it.
    static func uncertain(_ run: Invocation, _ what: String, lookup: String = "") throws -> PollsterError {
        let request = try run.builder.submit(run.context)
        let found =
            lookup.isEmpty
            ? ""
            : " Looking the job up by its client reference \(run.context.reference ?? "-") found nothing: \(lookup)."
        var error = PollsterError(
            .submitUncertain,
            "\(run.method.name): the submit request may have reached the provider but \(what).\(found) It was not repeated, to avoid a second paid job; check the provider's dashboard for a job matching request sha256 \(fingerprint(request, run.redactor).prefix(16))…, or declare submit.idempotencyHeader (or submit.reconcile) so this resolves itself"
        )
        error.requestFingerprint = fingerprint(request, run.redactor)
        return error
    }

    /// SHA-256 (hex) of the request's method, redacted URL and body.
    static func fingerprint(_ request: TransportRequest, _ redactor: Redactor) -> String {
        var hasher = SHA256()
        hasher.update(data: Array("\(request.method) \(redactor.redact(request.url))\n".utf8))
        hasher.update(data: request.body ?? [])
        return Hex.lowercase(hasher.finalize())
    }
}
