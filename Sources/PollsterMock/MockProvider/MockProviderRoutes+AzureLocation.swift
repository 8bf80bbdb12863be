import Foundation
import NIOHTTP1
import PollsterCore

/// Azure-style long-running operations, Location variant (same auth as ``azure(_:)``).
///
/// `POST /azure-location/jobs` answers 202 with an empty body, `Location: {base}/azure-location/status/{id}`
/// (plus the submit's `?api-version=…`, if any) and `Retry-After`. `GET` on that URL answers 202
/// `{"id", "status": "running"}` (with `Retry-After`) while the job runs, then 200 with the
/// result `{"id", "status": "succeeded", "output": {"url"}}`, 200 `{"id", "status": "failed", "error":
/// {"code", "message"}}` or 200 `{"id", "status": "canceled"}`. An unknown status stays 202.
extension MockProviderRoutes {
    func azureLocation(_ request: MockRequest) -> MockResponse {
        if let denied = azureAuthFailure(request) { return denied }
        let path = request.segments
        switch (path.count, path.count > 1 ? path[1] : "") {
        case (2, "jobs"):
            return request.method == .POST
                ? azureSubmit(request, style: .azureLocation) : .methodNotAllowed(request)
        case (3, "status"):
            return request.method == .GET ? azureLocationStatus(id: path[2]) : .methodNotAllowed(request)
        default:
            return .noRoute(request)
        }
    }

    private func azureLocationStatus(id: String) -> MockResponse {
        switch state.poll(id: id, style: .azureLocation) {
        case .unknownJob:
            return azureNotFound("Operation \(id) was not found.")
        case .fault(let fault):
            return fault.response
        case .found(let job, let phase):
            switch phase {
            case .running:
                return withRetryAfter(
                    .json(["id": .string(job.id), "status": "running"], status: .accepted), job)
            case .unknown(let value):
                return withRetryAfter(
                    .json(["id": .string(job.id), "status": .string(value)], status: .accepted), job)
            case .succeeded:
                return .json(azureResultBody(job, status: "succeeded"))
            case .failed(let message):
                return .json([
                    "id": .string(job.id), "status": "failed",
                    "error": ["code": "OperationFailed", "message": .string(message)],
                ])
            case .canceled:
                return .json(["id": .string(job.id), "status": "canceled"])
            }
        }
    }
}
