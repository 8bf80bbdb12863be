import Foundation
import NIOHTTP1
import OrderedCollections
import PollsterCore

/// Azure-style long-running operations, Operation-Location variant. Auth by `Ocp-Apim-Subscription-Key`,
/// `api-key` or `Authorization: Bearer …` on every route.
///
/// `POST /azure/jobs` answers 202 with an empty body, `Operation-Location: {base}/azure/operations/{id}`
/// (plus the submit's `?api-version=…`, if any) and `Retry-After`. `GET /azure/operations/{id}` answers
/// `{"id", "status": NotStarted|Running|Succeeded|Failed|Canceled, "createdDateTime", "lastActionDateTime"}`
/// with `"resourceLocation": "{base}/azure/results/{id}"` on success and `"error": {"code", "message"}` on
/// failure. `GET /azure/results/{id}` answers `{"id", "status": "Succeeded", "output": {"url"}}`
/// (`"outputs": [{"url"}, …]` for several files).
extension MockProviderRoutes {
    func azure(_ request: MockRequest) -> MockResponse {
        if let denied = azureAuthFailure(request) { return denied }
        let path = request.segments
        switch (path.count, path.count > 1 ? path[1] : "") {
        case (2, "jobs"):
            return request.method == .POST ? azureSubmit(request, style: .azure) : .methodNotAllowed(request)
        case (3, "operations"):
            return request.method == .GET ? azureOperation(id: path[2]) : .methodNotAllowed(request)
        case (3, "results"):
            return request.method == .GET ? azureResult(id: path[2]) : .methodNotAllowed(request)
        default:
            return .noRoute(request)
        }
    }

    /// A submit of either variant: 202, empty body, the status URL in `Operation-Location` or `Location`.
    func azureSubmit(_ request: MockRequest, style: MockProviderStyle) -> MockResponse {
        guard request.hasAcceptableBody else { return .invalidJSONBody }
        let id = MockIdentifiers.make(for: style)
        switch state.submit(
            style: style, id: id, model: "jobs", requestBody: request.body,
            idempotencyKey: request.idempotencyKey)
        {
        case .fault(let fault):
            return fault.response
        case .created(let job, _):
            let version = request.query["api-version"]?.addingPercentEncoding(
                withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            let query = version.map { "?api-version=\($0)" } ?? ""
            var response = MockResponse.empty(status: .accepted)
            if style == .azure {
                response.headers.add(
                    name: "Operation-Location", value: "\(baseURL)/azure/operations/\(id)\(query)")
            } else {
                response.headers.add(
                    name: "Location", value: "\(baseURL)/azure-location/status/\(id)\(query)")
            }
            return withRetryAfter(response, job)
        }
    }

    private func azureOperation(id: String) -> MockResponse {
        switch state.poll(id: id, style: .azure) {
        case .unknownJob:
            return azureNotFound("Operation \(id) was not found.")
        case .fault(let fault):
            return fault.response
        case .found(let job, let phase):
            var body: OrderedDictionary<String, JSONValue> = [
                "id": .string(job.id), "createdDateTime": .string(job.createdAt.mockTimestamp),
                "lastActionDateTime": .string(Date().mockTimestamp),
            ]
            switch phase {
            case .running:
                body["status"] = .string(phase.runningWord(["NotStarted", "Running"]))
            case .succeeded:
                body["status"] = "Succeeded"
                body["resourceLocation"] = "\(baseURL)/azure/results/\(job.id)"
            case .failed(let message):
                body["status"] = "Failed"
                body["error"] = ["code": "OperationFailed", "message": .string(message)]
            case .canceled:
                body["status"] = "Canceled"
            case .unknown(let value):
                body["status"] = .string(value)
            }
            let answer = MockResponse.json(.object(body))
            return phase.isTerminal ? answer : withRetryAfter(answer, job)
        }
    }

    private func azureResult(id: String) -> MockResponse {
        switch state.fetchResult(id: id, style: .azure) {
        case .unknownJob:
            return azureNotFound("Result \(id) was not found.")
        case .fault(let fault):
            return fault.response
        case .found(let job, let phase):
            guard phase == .succeeded else { return azureNotFound("Operation \(id) has not succeeded.") }
            return .json(azureResultBody(job, status: "Succeeded"))
        }
    }

    /// `{"id", "status", "output": {"url"}}`, or `"outputs": [{"url"}, …]` for several files (`output` null for none).
    func azureResultBody(_ job: MockJob, status: String) -> JSONValue {
        var body: OrderedDictionary<String, JSONValue> = ["id": .string(job.id), "status": .string(status)]
        let urls = outputURLs(job)
        switch urls.count {
        case 0: body["output"] = .null
        case 1: body["output"] = ["url": .string(urls[0])]
        default: body["outputs"] = .array(urls.map { ["url": .string($0)] })
        }
        return .object(body)
    }

    /// `response` with the script's `Retry-After`, if it has one.
    func withRetryAfter(_ response: MockResponse, _ job: MockJob) -> MockResponse {
        guard let seconds = job.script.retryAfterSeconds else { return response }
        var response = response
        response.headers.replaceOrAdd(name: "Retry-After", value: String(seconds))
        return response
    }

    func azureNotFound(_ message: String) -> MockResponse {
        .json(["error": ["code": "NotFound", "message": .string(message)]], status: .notFound)
    }

    func azureAuthFailure(_ request: MockRequest) -> MockResponse? {
        let key = (request.header("Ocp-Apim-Subscription-Key") ?? request.header("api-key") ?? "")
            .trimmingCharacters(in: .whitespaces)
        if !key.isEmpty || request.header("Authorization", hasValuePrefixedBy: "Bearer ") { return nil }
        return .json(
            [
                "error": [
                    "code": "401",
                    "message":
                        "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
                ]
            ],
            status: .unauthorized)
    }
}
